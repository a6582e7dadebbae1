// Runs $BLAZE_CORPUS/dkim as it is and compares with the expected
// deviations (dkim.deviations.json, each with its RFC reason): a case that
// newly fails, a listed deviation that now passes, or a listed key naming no
// case, fails the test.
import { expect, it } from 'vitest';
import { rfc8463Cases, dkimpyCases, mailDkimCases, type CaseOutcome } from './dkim-cases.ts';
import { describeCorpus } from '../support/corpus.ts';
import { judgeKnownFailures, loadKnownFailures } from '../support/known-failures.ts';

const deviations = loadKnownFailures(new URL('./dkim.deviations.json', import.meta.url));

function judge(suite: string, outcomes: CaseOutcome[]): void {
  judgeKnownFailures(deviations, `dkim conformance ${suite}`, outcomes, `${suite}/`);
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
