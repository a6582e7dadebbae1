// The authres 1.2.0 doctest vectors ($BLAZE_CORPUS/authres): every
// parse case (two must fail) and every generated header string (parsed and
// written back byte for byte). Known failures, if any, are listed with their
// reason in authres.known-failures.json; an unlisted failure or a stale entry fails.
import { expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseAuthResults, formatAuthResults, type AuthResults } from '../../src/authres/index.ts';
import { describeCorpus } from '../support/corpus.ts';

const KNOWN = JSON.parse(readFileSync(new URL('./authres.known-failures.json', import.meta.url), 'utf8')) as { failures: Record<string, string> };

interface Expected {
  authserv_id: string;
  version: number | null;
  results: { method: string; version: number | null; result: string; reason: string | null; properties: { type: string; name: string; value: string }[] }[];
}
interface Vectors {
  parse_cases: { input: string; expected?: Expected; expected_error?: string }[];
  generated_headers: string[];
}

function shape(ar: AuthResults): Expected {
  return {
    authserv_id: ar.authservId,
    version: ar.version ?? null,
    results: ar.results.map((r) => ({
      method: r.method,
      version: r.version ?? null,
      result: r.result,
      reason: r.reason ?? null,
      properties: r.properties.map((p) => ({ type: p.type, name: p.name, value: p.value })),
    })),
  };
}

function valueOf(field: string): string {
  return field.slice(field.indexOf(':') + 1);
}

describeCorpus('Authentication-Results', 'authres/authres-parse-cases.json', 'authres 1.2.0 vectors', (FILE) => {
  const data = JSON.parse(readFileSync(FILE, 'utf8')) as Vectors;

  it('has 23 parse cases and 17 generated headers', () => {
    expect(data.parse_cases).toHaveLength(23);
    expect(data.generated_headers).toHaveLength(17);
  });

  it('parses every case as authres does (and rejects the two malformed ones)', () => {
    let pass = 0;
    const unexpected: string[] = [];
    const stale: string[] = [];
    data.parse_cases.forEach((c, i) => {
      const r = parseAuthResults(valueOf(c.input));
      const ok = c.expected_error !== undefined ? !r.ok : r.ok && JSON.stringify(shape(r.value)) === JSON.stringify(c.expected);
      const known = KNOWN.failures[`parse:${i}`];
      if (ok) {
        pass++;
        if (known) stale.push(`parse:${i}`);
      } else if (!known) unexpected.push(`parse:${i} ${c.input}\n  got ${JSON.stringify(r.ok ? shape(r.value) : r)}`);
    });
    console.log(`authres parse: ${pass}/${data.parse_cases.length} pass`);
    expect(unexpected).toEqual([]);
    expect(stale).toEqual([]);
  });

  it('writes every generated header string back byte for byte', () => {
    let pass = 0;
    const unexpected: string[] = [];
    data.generated_headers.forEach((h, i) => {
      const r = parseAuthResults(valueOf(h));
      const out = r.ok ? `Authentication-Results: ${formatAuthResults(r.value)}` : `(parse error: ${r.message})`;
      if (out === h) pass++;
      else if (!KNOWN.failures[`gen:${i}`]) unexpected.push(`gen:${i}\n  want ${h}\n  got  ${out}`);
    });
    console.log(`authres generation: ${pass}/${data.generated_headers.length} pass`);
    expect(unexpected).toEqual([]);
  });
});
