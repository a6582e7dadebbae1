// Timeout tests check the outcome (421, temperror, exit 75) and when it came,
// relative to the timeout they configured, not against a fixed wall-clock
// limit: no sooner than the timeout (less 10% for timer slack; sooner would
// mean something else ended the wait), and within `factor` times it (later
// would mean a second wait, or none at all). A process's start-up is measured
// in the same test and added, since a busy machine slows it more than a timer.
import { expect } from 'vitest';

export function expectEndedByTimeout(elapsedMs: number, timeoutMs: number, opts: { factor?: number; startupMs?: number; what?: string } = {}): void {
  const factor = opts.factor ?? 4;
  const what = opts.what ?? 'the wait';
  expect(elapsedMs, `${what} ended after ${elapsedMs} ms, before the ${timeoutMs} ms timeout`).toBeGreaterThanOrEqual(timeoutMs * 0.9);
  expect(elapsedMs, `${what} ended after ${elapsedMs} ms, more than ${factor} times the ${timeoutMs} ms timeout (+ ${opts.startupMs ?? 0} ms start-up)`).toBeLessThan(timeoutMs * factor + (opts.startupMs ?? 0));
}

/** Milliseconds `f` takes (the fastest of `runs`): the start-up of a process, measured where the test runs. */
export async function startupMs(f: () => Promise<unknown>, runs = 2): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = Date.now();
    await f();
    best = Math.min(best, Date.now() - t0);
  }
  return best;
}
