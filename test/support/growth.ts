// Linearity without a wall-clock limit: the CPU time for an input 8 times
// larger over the CPU time for the input (about 8 for linear work, 64 for
// quadratic). A slow or shared machine slows both alike, and CPU time leaves
// out the time this process waits for a core, so the ratio holds where a
// fixed "under 250 ms" does not. Each size is timed three times after a minor
// garbage collection (vitest.config.ts runs the workers with --expose-gc) and
// the fastest run kept: noise only ever adds time. Keep both sizes small (a
// few MB of live objects at most): a job that keeps more alive than V8's young
// generation holds pays more per object (the lexer building 64K tokens reads
// as n^1.6 from 8K to 64K, and as linear from 1K to 8K), while a quadratic
// algorithm shows at any size.
import { expect } from 'vitest';

const gc = (globalThis as { gc?: (o?: { type: 'minor' | 'major' }) => void }).gc;
/** A minor collection: the young garbage of earlier runs costs the timed run nothing (a full one would cost more than the job). */
const collect = () => gc?.({ type: 'minor' });

/** The least CPU time (user + system, ms) of `rounds` runs of `f`, after one warm-up run. */
function fastest(f: () => void, rounds: number): number {
  f();
  let best = Infinity;
  for (let i = 0; i < rounds; i++) {
    collect();
    const t0 = process.cpuUsage();
    f();
    const used = process.cpuUsage(t0);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  return best;
}

function repeat(f: () => void, times: number): void {
  for (let i = 0; i < times; i++) f();
}

/** The input grows by this factor between the two sizes timed. */
export const GROWTH = 8;
/** Under this, 8 times the input costs less than 32 times the time: 4 times what linear work takes, half what quadratic work takes. */
export const LINEAR_BOUND = 32;

/**
 * cpu(work(8n)) / cpu(work(n)). `work(n)` builds the input for size n and
 * returns the job (the input is built outside the timing). The job is repeated
 * until size n takes at least 3 ms, so clock granularity does not decide.
 */
export function growthRatio(work: (n: number) => () => void, n: number, rounds = 3): number {
  const small = work(n);
  const large = work(GROWTH * n);
  let reps = 1;
  while (fastest(() => repeat(small, reps), 1) < 3 && reps < 1 << 16) reps *= 2;
  return fastest(() => repeat(large, reps), rounds) / fastest(() => repeat(small, reps), rounds);
}

/**
 * Linear: the ratio stays under LINEAR_BOUND. A ratio over it is measured once
 * more and the smaller kept (a quadratic job is over it every time; a burst of
 * load is not).
 */
export function expectLinear(work: (n: number) => () => void, n: number, what: string): void {
  let ratio = growthRatio(work, n);
  if (ratio >= LINEAR_BOUND) ratio = Math.min(ratio, growthRatio(work, n));
  expect(ratio, `${what}: cpu(${GROWTH}n)/cpu(n) = ${ratio.toFixed(2)}`).toBeLessThan(LINEAR_BOUND);
}
