// The seed set by test/support/fuzz.ts reaches fast-check in the test file,
// so a property test here draws the same cases on every run (unless FUZZ_SEED says otherwise).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fuzzSeed } from './fuzz.ts';

describe('fuzz seed', () => {
  it('is the one fast-check uses (FUZZ_SEED when given)', () => {
    expect(fc.readConfigureGlobal().seed).toBe(fuzzSeed());
    if (process.env.FUZZ_SEED && process.env.FUZZ_SEED !== 'random') expect(fuzzSeed()).toBe(Number(process.env.FUZZ_SEED));
  });
  it('makes fast-check draw the same values every time', () => {
    const a = fc.sample(fc.integer(), 5);
    const b = fc.sample(fc.integer(), 5);
    expect(a).toEqual(b);
    expect(fc.sample(fc.integer(), { numRuns: 5, seed: fuzzSeed() })).toEqual(a);
  });
});
