// The ValiMail ARC suite ($BLAZE_CORPUS/arc), read as it is: 171
// validation tests and 17 signing tests. Messages are converted to CRLF; keys
// come from each scenario's txt-records; the clock does not matter (no expiry
// check on seals). `cv: ""` (the newest seal already says fail) counts as fail.
// Known failures are listed with reasons in arc.known-failures.json; an
// unlisted failure, a listed one that passes, or a key naming no test fails the run.
import { expect, it } from 'vitest';
import { runSync } from '../../src/dns/index.ts';
import { ArcReader, evaluateArc, sealMessage } from '../../src/arc/index.ts';
import { loadPrivateKey, parseTagList } from '../../src/dkim/index.ts';
import { loadScenarios, crlf, txtAnswers } from '../arc/suite.ts';
import { describeCorpus } from '../support/corpus.ts';
import { judgeKnownFailures, loadKnownFailures } from '../support/known-failures.ts';

const KNOWN = loadKnownFailures(new URL('./arc.known-failures.json', import.meta.url));

/** Tag sets compared as the upstream harness does: all whitespace removed, split at ';'. */
function tagSet(text: string): string[] {
  return text
    .replace(/\s+/g, '')
    .split(';')
    .filter(Boolean)
    .sort();
}

describeCorpus('ARC', 'arc/', 'ARC suite', (dir) => {
  it('validation: 171 tests', () => {
    const results: { id: string; ok: boolean; detail: string }[] = [];
    for (const sc of loadScenarios(dir, 'arc-draft-validation-tests.yml')) {
      const answer = txtAnswers(sc['txt-records']);
      for (const [name, t] of Object.entries(sc.tests)) {
        const reader = new ArcReader();
        reader.push(crlf(String(t.message ?? '')));
        reader.finish();
        const r = runSync(evaluateArc(reader), answer);
        const want = String(t.cv ?? '').toLowerCase() || 'fail';
        results.push({ id: `validate:${name}`, ok: r.status === want, detail: `want ${want} got ${r.status} (${r.reason ?? ''})` });
      }
    }
    expect(results).toHaveLength(171);
    judgeKnownFailures(KNOWN, 'ARC validation', results, 'validate:');
  });

  it('signing: 17 tests', () => {
    const results: { id: string; ok: boolean; detail: string }[] = [];
    for (const sc of loadScenarios(dir, 'arc-draft-sign-tests.yml')) {
      const answer = txtAnswers(sc['txt-records']);
      const key = loadPrivateKey(sc.privatekey!);
      if (!key.ok) throw new Error(key.message);
      for (const [name, t] of Object.entries(sc.tests)) {
        const reader = new ArcReader({ seal: true });
        reader.push(crlf(String(t.message)));
        reader.finish();
        const chain = runSync(evaluateArc(reader), answer);
        const sealed = sealMessage(reader, chain, {
          key: key.value,
          domain: sc.domain!,
          selector: sc.sel!,
          timestamp: Number(t.t),
          fields: String(t['sig-headers']).split(':'),
          aar: { fromAuthResults: String(t['srv-id']) },
        });
        const want = { AS: String(t.AS ?? '').trim(), AMS: String(t.AMS ?? '').trim(), AAR: String(t.AAR ?? '').trim() };
        let ok: boolean;
        let detail: string;
        if (!sealed.ok) {
          ok = want.AS === '' && want.AMS === '' && want.AAR === '';
          detail = `no seal (${sealed.message})`;
        } else {
          const value = (f: string) => f.slice(f.indexOf(':') + 1);
          const got = { AS: value(sealed.value.seal), AMS: value(sealed.value.signature), AAR: value(sealed.value.results) };
          const bad = (['AS', 'AMS', 'AAR'] as const).filter((k) => JSON.stringify(tagSet(got[k])) !== JSON.stringify(tagSet(want[k])));
          ok = bad.length === 0;
          detail = bad.map((k) => `${k}\n  want ${tagSet(want[k]).join('; ')}\n  got  ${tagSet(got[k]).join('; ')}`).join('\n');
          // The tag lists must parse.
          for (const f of [got.AS, got.AMS]) expect(parseTagList(f).ok).toBe(true);
        }
        results.push({ id: `sign:${name}`, ok, detail });
      }
    }
    expect(results).toHaveLength(17);
    judgeKnownFailures(KNOWN, 'ARC signing', results, 'sign:');
  });
});
