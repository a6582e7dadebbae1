// Written Authentication-Results read back as the same value, folded or not.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseAuthResults, formatAuthResults, formatAuthResultsField, type AuthResults } from '../../src/authres/index.ts';

const word = fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/);
const domain = fc.array(word, { minLength: 1, maxLength: 4 }).map((l) => l.join('.'));
const value = fc.oneof(domain, fc.tuple(word, domain).map(([a, b]) => `${a}@${b}`), domain.map((d) => `@${d}`), fc.stringMatching(/^[ -~]{0,20}$/));
const comment = fc.option(fc.stringMatching(/^[A-Za-z0-9 .:=;@-]{1,30}$/).map((s) => s.replace(/ +/g, ' ').trim()).filter((s) => s !== ''), { nil: undefined });

const results: fc.Arbitrary<AuthResults> = fc.record({
  authservId: domain,
  version: fc.option(fc.integer({ min: 1, max: 9 }), { nil: undefined }),
  results: fc.array(
    fc.record({
      method: word,
      version: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
      result: word,
      reason: fc.option(fc.stringMatching(/^[ -~]{0,20}$/), { nil: undefined }),
      comment,
      properties: fc.array(fc.record({ type: word, name: word, value, comment }), { maxLength: 4 }),
    }),
    { maxLength: 5 },
  ),
});

/** Drops undefined keys so toEqual compares what was written. */
function clean<T>(x: T): T {
  return JSON.parse(JSON.stringify(x));
}

describe('Authentication-Results round trip', () => {
  it('parse(format(x)) = x, on one line and folded at 78 columns', () => {
    fc.assert(
      fc.property(results, (ar) => {
        ar.results = ar.results.filter((r) => r.method !== 'none' && r.method !== 'reason');
        for (const r of ar.results) r.properties = r.properties.filter((p) => p.type !== 'reason');
        const one = parseAuthResults(formatAuthResults(ar));
        expect(one.ok && clean(one.value)).toEqual(clean({ ...ar, comment: undefined }));
        const field = formatAuthResultsField(ar);
        for (const line of field.split('\r\n')) if (!line.includes('"')) expect(line.length).toBeLessThanOrEqual(78);
        const folded = parseAuthResults(field.slice(field.indexOf(':') + 1, -2));
        expect(folded.ok && clean(folded.value)).toEqual(clean({ ...ar, comment: undefined }));
      }),
      { numRuns: 300 },
    );
  });
});
