// The growth check itself: it must tell linear work from quadratic work, or a
// linearity test built on it could never fail.
import { describe, expect, it } from 'vitest';
import { growthRatio, LINEAR_BOUND } from './growth.ts';

describe('growthRatio', () => {
  it('runs with a garbage collector to call (vitest.config.ts execArgv)', () => {
    expect(typeof (globalThis as { gc?: unknown }).gc).toBe('function');
  });
  it('reads a linear job as linear and a quadratic one as not', () => {
    const linear = (n: number) => {
      const a = new Float64Array(n).fill(1);
      return () => {
        let s = 0;
        for (let i = 0; i < n; i++) s += a[i];
        if (s < 0) throw new Error();
      };
    };
    const quadratic = (n: number) => {
      const a = new Float64Array(n).fill(1);
      return () => {
        let s = 0;
        for (let i = 0; i < n; i++) for (let j = i; j < n; j += 1) s += a[j];
        if (s < 0) throw new Error();
      };
    };
    expect(growthRatio(linear, 1 << 17)).toBeLessThan(LINEAR_BOUND);
    expect(growthRatio(quadratic, 1 << 6)).toBeGreaterThan(LINEAR_BOUND);
  });
});
