// The authres 1.2.0 doctest vectors ($BLAZE_CORPUS/authres): every
// parse case (two must fail) and every generated header string (parsed and
// written back byte for byte). Known failures, if any, are listed with their
// reason in authres.known-failures.json; an unlisted failure, a stale entry or
// a key naming no case fails (parse and generation alike).
import { expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseAuthResults, formatAuthResults, type AuthResults } from '../../src/authres/index.ts';
import { describeCorpus } from '../support/corpus.ts';
import { judgeKnownFailures, loadKnownFailures, type Outcome } from '../support/known-failures.ts';

const KNOWN = loadKnownFailures(new URL('./authres.known-failures.json', import.meta.url));

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
    const outcomes: Outcome[] = data.parse_cases.map((c, i) => {
      const r = parseAuthResults(valueOf(c.input));
      const ok = c.expected_error !== undefined ? !r.ok : r.ok && JSON.stringify(shape(r.value)) === JSON.stringify(c.expected);
      return { id: `parse:${i}`, ok, detail: `${c.input}\n  got ${JSON.stringify(r.ok ? shape(r.value) : r)}` };
    });
    judgeKnownFailures(KNOWN, 'authres parse', outcomes, 'parse:');
  });

  it('writes every generated header string back byte for byte', () => {
    const outcomes: Outcome[] = data.generated_headers.map((h, i) => {
      const r = parseAuthResults(valueOf(h));
      const out = r.ok ? `Authentication-Results: ${formatAuthResults(r.value)}` : `(parse error: ${r.message})`;
      return { id: `gen:${i}`, ok: out === h, detail: `\n  want ${h}\n  got  ${out}` };
    });
    // (This list once had no stale check: a listed generation case that passed went unnoticed.)
    judgeKnownFailures(KNOWN, 'authres generation', outcomes, 'gen:');
  });
});
