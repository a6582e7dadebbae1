// Runs $BLAZE_CORPUS/dkim as it is and compares with the expected
// deviations (dkim.deviations.json, each with its RFC reason): a case that
// newly fails, or a listed deviation that now passes, fails the test.
import { expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { rfc8463Cases, dkimpyCases, mailDkimCases, type CaseOutcome } from './dkim-cases.ts';
import { describeCorpus } from '../support/corpus.ts';

const deviations = JSON.parse(readFileSync(new URL('./dkim.deviations.json', import.meta.url), 'utf8')) as { cases: Record<string, string> };

function judge(suite: string, outcomes: CaseOutcome[]): void {
  const failed = outcomes.filter((o) => !o.ok);
  const pass = outcomes.length - failed.length;
  console.log(`dkim conformance ${suite}: ${pass}/${outcomes.length} pass, ${failed.length} expected deviations`);
  for (const f of failed) console.log(`  deviation ${f.id}: ${f.detail}`);
  const unexpected = failed.filter((f) => !(f.id in deviations.cases)).map((f) => `${f.id}: ${f.detail}`);
  const stale = outcomes.filter((o) => o.ok && o.id in deviations.cases).map((o) => o.id);
  expect(unexpected).toEqual([]);
  expect(stale).toEqual([]);
}

describeCorpus('DKIM', 'dkim/', 'DKIM conformance ($BLAZE_CORPUS/dkim)', (root) => {
  it('RFC 8463 Appendix A: ed25519 and rsa, relaxed and simple', async () => {
    const o = await rfc8463Cases(root);
    expect(o.length).toBe(4);
    judge('rfc8463', o);
  });
  it('dkimpy vectors, sign-then-verify inputs and bad key records', async () => {
    const o = await dkimpyCases(root);
    expect(o.length).toBeGreaterThan(40);
    judge('dkimpy', o);
  });
  it('Mail::DKIM corpus judged with modern_rfc_flags', async () => {
    const o = await mailDkimCases(root);
    expect(o.length).toBeGreaterThanOrEqual(79);
    judge('mail-dkim', o);
  });
});
