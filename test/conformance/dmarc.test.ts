// DMARC vectors of $BLAZE_CORPUS/dmarc: the 78 Public Suffix List test
// vectors (organisational domain) and the OpenDMARC tables (record parsing,
// alignment, From domain). Known failures are listed with their reason in
// dmarc.known-failures.json; an unlisted failure, a stale entry or a key
// naming no case fails.
import { expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { registrableDomain, parseDmarcRecord, isAligned, findFromDomain } from '../../src/dmarc/index.ts';
import { describeCorpus } from '../support/corpus.ts';
import { judgeKnownFailures, loadKnownFailures, type Outcome } from '../support/known-failures.ts';

const KNOWN = loadKnownFailures(new URL('./dmarc.known-failures.json', import.meta.url));
interface Cases {
  record_parse: { record: string; expected: string }[];
  alignment: { domain: string; against: string; mode: 'strict' | 'relaxed'; expected: string }[];
  find_domain: { from_header_value: string; expected_domain: string }[];
}

function check(suite: string, results: Outcome[]): void {
  judgeKnownFailures(KNOWN, suite, results, `${suite}:`);
}

const PARSE_CODES: Record<string, string> = {
  ok: 'DMARC_PARSE_OKAY',
  empty: 'DMARC_PARSE_ERROR_EMPTY',
  'bad-version': 'DMARC_PARSE_ERROR_BAD_VERSION',
  'bad-value': 'DMARC_PARSE_ERROR_BAD_VALUE',
  'no-p': 'DMARC_PARSE_ERROR_NO_REQUIRED_P',
  syntax: 'DMARC_PARSE_ERROR_SYNTAX',
};

describeCorpus('DMARC', 'dmarc/', 'DMARC conformance', (DIR) => {
  const cases = JSON.parse(readFileSync(`${DIR}opendmarc-cases.json`, 'utf8')) as Cases;

  it('PSL test vectors (78)', () => {
    const lines = readFileSync(`${DIR}psl/tests.txt`, 'utf8')
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('//'));
    expect(lines).toHaveLength(78);
    check(
      'psl',
      lines.map((l) => {
        const [i, e] = l.trim().split(/\s+/);
        const got = registrableDomain(i === 'null' ? null : i);
        const want = e === 'null' ? null : e;
        return { id: `psl:${i}`, ok: got === want, detail: `want ${want} got ${got}` };
      }),
    );
  });

  it('OpenDMARC record parse table (19)', () => {
    expect(cases.record_parse).toHaveLength(19);
    check(
      'record_parse',
      cases.record_parse.map((c, i) => {
        const r = parseDmarcRecord(c.record);
        const got = PARSE_CODES[r.ok ? 'ok' : r.error];
        return { id: `record_parse:${i}`, ok: got === c.expected, detail: `${c.record}: want ${c.expected} got ${got}` };
      }),
    );
    // Where blaze differs by RFC 7489 §6.3 (a bad optional tag falls back to
    // its default), the record is read with exactly one warning about that tag.
    cases.record_parse.forEach((c, i) => {
      if (c.expected !== 'DMARC_PARSE_ERROR_BAD_VALUE' || !KNOWN.reasons.has(`record_parse:${i}`)) return;
      const r = parseDmarcRecord(c.record);
      const tag = /;\s*(\w+)=[^;]*;?\s*$/.exec(c.record)![1];
      expect(r.ok && r.warnings, c.record).toEqual([expect.stringContaining(`${tag}=`)]);
    });
  });

  it('OpenDMARC alignment table (10)', () => {
    expect(cases.alignment).toHaveLength(10);
    check(
      'alignment',
      cases.alignment.map((c, i) => {
        const got = isAligned(c.domain, c.against, c.mode === 'strict' ? 's' : 'r') ? 'aligned' : 'not aligned';
        return { id: `alignment:${i}`, ok: got === c.expected, detail: `${c.domain} ${c.against} ${c.mode}: want ${c.expected} got ${got}` };
      }),
    );
  });

  it('OpenDMARC From-domain table (13)', () => {
    expect(cases.find_domain).toHaveLength(13);
    check(
      'find_domain',
      cases.find_domain.map((c, i) => {
        const got = findFromDomain(c.from_header_value);
        return { id: `find_domain:${i}`, ok: got === c.expected_domain, detail: `${c.from_header_value}: want ${c.expected_domain} got ${got}` };
      }),
    );
  });
});
