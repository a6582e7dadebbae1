// The OpenSPF RFC 7208 suite (203 tests) and pyspf's extra tests, run against
// src/spf with each scenario's zonedata in memory. A test passes when the result
// is one of the listed ones and, when an explanation is given, the explanation
// is exactly it (the runner's default explanation is "DEFAULT", as pyspf's).
// pyspf-extra tests with a `header` also check that our Received-SPF carries
// the same key=value pairs. Failures we accept are in spf.known-failures.json
// with the reason; an unlisted failure, a listed test that passes, or a key
// naming no test, fails.
import { expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { runSync } from '../../src/dns/index.ts';
import { evaluateSpf, formatReceivedSpf, parseReceivedSpf, type SpfResult } from '../../src/spf/index.ts';
import { answerFrom, buildZone, loadSuite, type SuiteTest } from './spf-suite.ts';
import { describeCorpus } from '../support/corpus.ts';
import { judgeKnownFailures, loadKnownFailures } from '../support/known-failures.ts';

const KNOWN = loadKnownFailures(new URL('./spf.known-failures.json', import.meta.url));

function runTest(zone: ReturnType<typeof buildZone>, t: SuiteTest): { ok: boolean; detail: string; r: SpfResult } {
  const r = runSync(
    evaluateSpf({ ip: t.host, sender: t.mailfrom, helo: t.helo, receiver: t.receiver, defaultExplanation: 'DEFAULT', now: new Date(0) }),
    (q) => answerFrom(zone, q),
  );
  const problems: string[] = [];
  if (!t.results.includes(r.status)) problems.push(`result ${r.status} (${r.problem ?? r.mechanism ?? ''}), want ${t.results.join('|')}`);
  if (t.explanation !== undefined && r.explanation !== t.explanation) problems.push(`explanation ${JSON.stringify(r.explanation)}, want ${JSON.stringify(t.explanation)}`);
  if (t.header !== undefined) {
    const want = parseReceivedSpf(t.header);
    const field = formatReceivedSpf({
      status: r.status, ip: t.host, sender: r.sender, envelopeFrom: t.mailfrom, helo: t.helo, receiver: t.receiver,
      identity: r.identity, mechanism: r.mechanism, problem: r.problem, domain: r.domain,
    });
    const got = parseReceivedSpf(field.slice('Received-SPF:'.length).replace(/\r\n/g, ''));
    if (!want.ok || !got.ok) problems.push(`Received-SPF unreadable: ${want.ok ? '' : want.message} ${got.ok ? '' : got.message}`);
    else {
      if (want.value.status !== got.value.status) problems.push(`Received-SPF result ${got.value.status}, want ${want.value.status}`);
      for (const [k, v] of Object.entries(want.value.pairs)) {
        if (k === 'problem') continue; // free text, worded by each implementation
        if (got.value.pairs[k] !== v) problems.push(`Received-SPF ${k}=${JSON.stringify(got.value.pairs[k])}, want ${JSON.stringify(v)}`);
      }
    }
  }
  return { ok: problems.length === 0, detail: problems.join('; '), r };
}

function runFile(dir: string, file: string, expectedTests: number): void {
  const scenarios = loadSuite(dir, file);
  const results: { id: string; ok: boolean; detail: string }[] = [];
  for (const s of scenarios) {
    const zone = buildZone(s.zonedata);
    for (const t of s.tests) results.push({ id: t.id, ...runTest(zone, t) });
  }
  expect(results).toHaveLength(expectedTests);
  judgeKnownFailures(KNOWN, file, results, `${file.replace(/\.yml$/, '')}:`);
}

describeCorpus('SPF', 'spf/', 'SPF conformance', (dir) => {
  it('OpenSPF RFC 7208 suite (203 tests)', () => runFile(dir, 'rfc7208-tests.yml', 203));
  it("pyspf's extra tests (16 tests)", () => runFile(dir, 'pyspf-extra-tests.yml', 16));
  it('the known-failures list names only tests that exist', () => {
    const ids = new Set([...loadSuite(dir, 'rfc7208-tests.yml'), ...loadSuite(dir, 'pyspf-extra-tests.yml')].flatMap((s) => s.tests.map((t) => t.id)));
    expect([...KNOWN.reasons.keys()].filter((id) => !ids.has(id))).toEqual([]);
  });
});
