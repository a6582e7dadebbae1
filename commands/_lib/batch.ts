// The batch runner of the commands that read many messages (SPEC §2 "Batch"):
// the inputs are the files named on the command line and in --files-from
// (--null: NUL-separated); each is handled by a per-file job, several in
// flight; results are written by a per-file writer in input order, as soon as
// each one and all before it are known. A batch of thousands of files is
// split across worker threads (contiguous slices: one per core, at most 8);
// a terminal's stderr shows the progress.
//
// A worker thread runs the same command line (bin/blaze again, so the code
// cache is used) with its slice of the inputs in workerData; runBatch there
// posts the results instead of writing them, and returns 'worker': the
// command then returns without printing anything.
import type { Command } from 'commander';
import type * as WorkerThreads from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { builtin } from './builtin.ts';
import { describeFsError, usageError } from './errors.ts';
import { inputName } from './io.ts';
import { progressBar } from './progress-bar.ts';

export interface BatchFlags {
  filesFrom?: string;
  null?: boolean;
}

/** --files-from FILE|- and --null. */
export function addBatchOptions(cmd: Command): Command {
  return cmd
    .option('--files-from <file>', 'also read the names of the inputs from FILE (- for stdin), one per line')
    .option('--null', 'names in --files-from end with NUL, not newline (find -print0)');
}

/** The key of a worker's inputs in workerData. */
const WORKER_KEY = 'blazeBatchInputs';

/**
 * The inputs of a batch: the arguments, then the names read from
 * --files-from; stdin (`-`) when there are none. stdin can be read once:
 * as a message (`-`) or as the list (`--files-from -`), not both.
 */
export function batchInputs(args: readonly string[], o: BatchFlags): string[] {
  const given = workerInputs();
  if (given) return given;
  const stdinTwice = (names: readonly string[]): boolean => names.filter((n) => n === '-').length + (o.filesFrom === '-' ? 1 : 0) > 1;
  if (stdinTwice(args)) throw usageError('stdin can be read only once');
  if (o.null && o.filesFrom === undefined) throw usageError('--null goes with --files-from');
  const names = [...args];
  if (o.filesFrom !== undefined) names.push(...readNames(o.filesFrom, o.null === true));
  if (stdinTwice(names)) throw usageError('stdin can be read only once');
  if (names.length === 0 && o.filesFrom === undefined) names.push('-');
  return names;
}

/** The names of a list file (or stdin): one per line (CRLF or LF), or NUL-terminated; empty names skipped. */
export function readNames(file: string, nul: boolean): string[] {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw describeFsError(inputName(file), err);
  }
  return text.split(nul ? '\0' : /\r?\n/).filter((s) => s !== '');
}

export interface BatchJob<R> {
  /** The command, for progress and -v (`dkim verify`). */
  label: string;
  inputs: readonly string[];
  /** Handles one input; its value must survive a structured clone (it may come from a worker thread). */
  run(input: string, index: number): Promise<R>;
  /** Writes one result; called in input order. */
  write(result: R, input: string, index: number): Promise<void> | void;
  /** Inputs in flight per thread (reads overlap the CPU work). Default 16. */
  concurrency?: number;
  /** Whether worker threads may be used (the job must not depend on the main thread's state). Default true. */
  workers?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

/**
 * Worker threads pay off from this many inputs (a worker costs about 80 ms
 * to start; below that one thread is as fast). BLAZE_WORKERS=N sets the count
 * for any batch.
 */
export const WORKER_THRESHOLD = 2000;
const MAX_WORKERS = 8;
/** A worker posts its results in pieces of this many (bounded messages, steady progress). */
const POST_EVERY = 256;

/** Runs the batch. 'worker': this is a worker thread, which wrote nothing; the command returns at once. */
export async function runBatch<R>(job: BatchJob<R>): Promise<'main' | 'worker'> {
  const inputs = job.inputs;
  const concurrency = job.concurrency ?? 16;
  const wt = inputs.length > 1 || workerInputs() ? builtin<typeof WorkerThreads>('node:worker_threads') : undefined;

  if (wt && !wt.isMainThread && workerInputs()) {
    // A worker: its slice, posted to the main thread in pieces.
    let piece: Array<[number, R]> = [];
    await pool(inputs.length, concurrency, (k) => job.run(inputs[k], k), (k, r) => {
      piece.push([k, r]);
      if (piece.length >= POST_EVERY) {
        wt.parentPort!.postMessage(piece);
        piece = [];
      }
    });
    if (piece.length) wt.parentPort!.postMessage(piece);
    return 'worker';
  }

  // Results wait here until every one before them is written.
  const ready = new Map<number, R>();
  let next = 0;
  let writing: Promise<void> = Promise.resolve();
  // The first write that failed (a closed pipe, a full disk): the batch stops writing and rethrows it at the end.
  let failure: { err: unknown } | undefined;
  const bar = inputs.length > 1 ? progressBar(!job.quiet, 'count') : undefined;
  const flush = (): Promise<void> =>
    (writing = writing.then(async () => {
      try {
        while (!failure && ready.has(next)) {
          const r = ready.get(next)!;
          ready.delete(next);
          await job.write(r, inputs[next], next);
          next++;
        }
      } catch (err) {
        failure = { err };
      }
      bar?.update(next, inputs.length);
    }));
  const settle = (i: number, r: R): void => {
    if (failure) return;
    ready.set(i, r);
    if (i === next) void flush();
  };

  const threads = job.workers === false || !wt ? 1 : workerCount(wt, inputs);
  if (job.verbose && threads > 1) process.stderr.write(`blaze: ${job.label}: ${inputs.length} files across ${threads} threads\n`);
  const per = Math.ceil(inputs.length / threads);
  const slices: Array<Promise<void>> = [];
  for (let w = 0; w < threads; w++) {
    const [a, b] = [w * per, Math.min(inputs.length, (w + 1) * per)];
    if (a >= b) break;
    const here = (): Promise<void> => pool(b - a, concurrency, (k) => job.run(inputs[a + k], a + k), (k, r) => settle(a + k, r));
    if (w === 0) slices.push(here());
    else {
      // A worker that could not run (or died): what it did not post is done here.
      slices.push(
        runWorker<R>(wt!, inputs.slice(a, b), (k, r) => settle(a + k, r)).then(
          () => undefined,
          async () => {
            const missing: number[] = [];
            for (let i = a; i < b; i++) if (i >= next && !ready.has(i)) missing.push(i);
            await pool(missing.length, concurrency, (k) => job.run(inputs[missing[k]], missing[k]), (k, r) => settle(missing[k], r));
          },
        ),
      );
    }
  }
  try {
    await Promise.all(slices);
    await flush();
  } finally {
    bar?.done();
  }
  if (failure) throw failure.err;
  return 'main';
}

/** N items, at most LIMIT in flight; each result handed to DONE as it arrives. */
async function pool<R>(n: number, limit: number, run: (k: number) => Promise<R>, done: (k: number, r: R) => void): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < n) {
      const k = next++;
      done(k, await run(k));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, lane));
}

/** The inputs given to this worker thread, if it is one of a batch. */
function workerInputs(): string[] | undefined {
  // worker_threads is loaded only when this process is a worker (cheap check first).
  if (!process.env.BLAZE_BATCH_WORKER) return undefined;
  const wt = builtin<typeof WorkerThreads>('node:worker_threads');
  if (wt.isMainThread) return undefined;
  const v = (wt.workerData as Record<string, unknown> | null)?.[WORKER_KEY];
  return Array.isArray(v) ? (v as string[]) : undefined;
}

/** One thread per core (at most 8) from WORKER_THRESHOLD inputs read from files; BLAZE_WORKERS=N for any batch. */
function workerCount(wt: typeof WorkerThreads, inputs: readonly string[]): number {
  if (inputs.length < 2 || inputs.includes('-') || !wt.isMainThread) return 1;
  const env = process.env.BLAZE_WORKERS;
  if (env !== undefined && /^\d+$/.test(env)) return Math.max(1, Math.min(Number(env), inputs.length));
  if (inputs.length < WORKER_THRESHOLD) return 1;
  return Math.min(builtin<typeof import('node:os')>('node:os').availableParallelism(), MAX_WORKERS);
}

/** The same command line in a worker thread for INPUTS; results arrive through ON, by index in INPUTS. */
function runWorker<R>(wt: typeof WorkerThreads, inputs: string[], on: (k: number, r: R) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const w = new wt.Worker(process.argv[1], {
      argv: process.argv.slice(2),
      workerData: { [WORKER_KEY]: inputs },
      env: { ...process.env, BLAZE_BATCH_WORKER: '1' },
      stdout: true,
      stderr: false,
    });
    let got = 0;
    w.on('message', (piece: Array<[number, R]>) => {
      for (const [k, r] of piece) on(k, r);
      got += piece.length;
    });
    w.once('error', reject);
    w.once('exit', () => (got === inputs.length ? resolve() : reject(new Error(`batch worker ended after ${got} of ${inputs.length} results`))));
  });
}
