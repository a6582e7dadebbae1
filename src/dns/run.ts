// Drives a generator-based evaluator against a resolver: each yielded Question
// is answered and sent back in, until the evaluator returns its result.
import type { Answer, Question, Resolver } from './types.ts';

export type Evaluator<R> = Generator<Question, R, Answer>;

/** Runs an evaluator with a resolver; the evaluator's own logic decides limits and errors. */
export async function run<R>(evaluator: Evaluator<R>, resolver: Resolver, trace?: (q: Question, a: Answer) => void): Promise<R> {
  let step = evaluator.next(undefined as unknown as Answer);
  while (!step.done) {
    const q = step.value;
    const a = await resolver.resolve(q);
    trace?.(q, a);
    step = evaluator.next(a);
  }
  return step.value;
}

/** Runs an evaluator synchronously against a function (tests, in-memory zones). */
export function runSync<R>(evaluator: Evaluator<R>, answer: (q: Question) => Answer): R {
  let step = evaluator.next(undefined as unknown as Answer);
  while (!step.done) step = evaluator.next(answer(step.value));
  return step.value;
}
