// Reading messages from files or stdin and writing results: the only place the
// commands touch stdin/stdout streams directly.
import { closeSync, createWriteStream, fstatSync, openSync, readFileSync, readSync, statSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { BlazeError, describeFsError } from './errors.ts';
import { builtin } from './builtin.ts';
import { stdoutIsTTY, stdoutKind, stdoutStream, writeStdoutSync } from './stdout.ts';
import { NewlineNormalizer, type NewlineMode } from '../../src/mime/newline.ts';

export const CHUNK_SIZE = 64 * 1024;
/** Files are read in 128 KiB pieces (descr of 1 GB: 64 KiB 1.25 s, 128 KiB 1.03 s; 512 KiB doubled its RSS). */
const FILE_CHUNK_SIZE = 128 * 1024;

/** The display name of an input for error messages. */
export function inputName(path: string | undefined): string {
  return path === undefined || path === '-' ? 'stdin' : path;
}

/**
 * The raw bytes of a file or stdin (`-` or absent), chunk by chunk.
 * File-system errors become one-line BlazeErrors naming the file.
 */
export async function* readRaw(path: string | undefined): AsyncGenerator<Buffer> {
  const name = inputName(path);
  if (path === undefined || path === '-') {
    try {
      for await (const chunk of process.stdin) yield chunk as Buffer;
    } catch (err) {
      throw describeFsError(name, err);
    }
    return;
  }
  // Files: blocking reads. No thread-pool round trip per read (descr of 1 GB
  // idled 8% of its time waiting for them), and no stream machinery to load
  // at start-up (fs streams pull in fs/promises and readline: ~3 ms).
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw describeFsError(name, err);
  }
  try {
    // Buffers sized from what the file holds: a 6 KB message costs one 6 KB
    // buffer, not two of 128 KiB (the second only to see the end); batches of
    // small files (mbox make of 40,000 messages) spent a third of their time
    // collecting those. The last read (1 byte) confirms the end, so a file
    // that grows meanwhile is still read to its end.
    let left: number | undefined;
    try {
      const st = fstatSync(fd);
      if (st.isFile()) left = st.size;
    } catch {
      left = undefined;
    }
    for (;;) {
      // A fresh buffer per read: consumers may keep views of a chunk.
      const buf = Buffer.allocUnsafe(left === undefined ? FILE_CHUNK_SIZE : Math.max(1, Math.min(FILE_CHUNK_SIZE, left)));
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (err) {
        throw describeFsError(name, err);
      }
      if (n === 0) return;
      if (left !== undefined) left = Math.max(0, left - n);
      releaseReadBuffers(n);
      yield n === buf.length ? buf : buf.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}

let sinceGc = 0;
/**
 * Read buffers are fresh (consumers may keep views), so a stream of them is
 * garbage outside V8's heap: with little JavaScript garbage beside it, V8 waits
 * for about 64 MB of it before collecting (dkim sign of 100 MB peaked at
 * 93 MB). Every 8 MB read, a minor collection (about 0.1 ms) frees the dead
 * ones; bin/blaze runs node with --expose-gc for that, and without it this is
 * a no-op.
 */
export function releaseReadBuffers(bytes: number): void {
  sinceGc += bytes;
  if (sinceGc < 2 * 1024 * 1024) return;
  sinceGc = 0;
  (globalThis as { gc?: (o?: { type: 'minor' }) => void }).gc?.({ type: 'minor' });
}

let itemsSinceCheck = 0;
let liveAfterGc = 0;
/** Growth of the heap over what was alive after the last collection that starts a new one. */
const HEAP_SLACK = 2 * 1024 * 1024;
/**
 * Hostile shapes (a million tiny MIME parts, header fields or hops) make
 * short-lived objects faster than a 1 MB young generation can let them die:
 * V8 promotes them and lets the old generation grow to several times what is
 * alive before it collects (descr of 16 MB of tiny parts peaked at 80-110 MB
 * for about 12 MB alive), and the Buffers of promoted objects with it. Every
 * 1,000 such items the heap and its Buffers are looked at, and once they
 * have grown 2 MB past what the last collection left, a full
 * collection (a few ms on a small live heap) brings it back. Normal messages
 * never reach the count. A no-op without --expose-gc.
 */
export function releaseItems(count = 1): void {
  itemsSinceCheck += count;
  if (itemsSinceCheck < 1000) return;
  itemsSinceCheck = 0;
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return;
  const v8 = builtin<typeof import('node:v8')>('node:v8');
  if (inUse(v8) < liveAfterGc + HEAP_SLACK) return;
  gc();
  liveAfterGc = inUse(v8);
}

/** The heap in use plus the Buffers it holds (promoted Buffers keep their memory until a full collection). */
function inUse(v8: typeof import('node:v8')): number {
  const h = v8.getHeapStatistics();
  return h.used_heap_size + h.external_memory;
}

/** A whole small file (a certificate, a key, a password file); errors name the file. */
export function readFileOrFail(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw describeFsError(path, err);
  }
}

/**
 * A key argument: the text of the file ARG when it names a regular file,
 * else ARG itself (a base64 key on the command line). Read as latin1: PEM is
 * ASCII, and base64 never needs more.
 */
export function fileOrText(arg: string): string {
  let isFile = false;
  try {
    isFile = statSync(arg).isFile();
  } catch {
    return arg;
  }
  return isFile ? readFileOrFail(arg).toString('latin1') : arg;
}

/** The message in wire form (CRLF line ends), chunk by chunk, whatever the input used. */
export async function* readMessage(path: string | undefined, newline: NewlineMode = 'auto'): AsyncGenerator<Buffer> {
  const norm = new NewlineNormalizer(newline);
  for await (const chunk of readRaw(path)) {
    const out = norm.push(chunk);
    if (out.length) yield out;
  }
  const tail = norm.finish();
  if (tail.length) yield tail;
}

/**
 * The message of a file in wire form, read into one reused 1 MiB buffer:
 * large reads and no garbage per read, for a batch of many files or a 1 GB
 * message. Each chunk is valid only until the next one is asked for, so the
 * consumer must copy what it keeps. stdin goes through readMessage.
 */
export async function* readMessageTransient(path: string, newline: NewlineMode = 'auto'): AsyncGenerator<Buffer> {
  if (path === '-') {
    yield* readMessage(path, newline);
    return;
  }
  // Blocking reads: no thread-pool round trip per read, which dominates a
  // batch of small files; the work per file is CPU-bound anyway.
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw describeFsError(path, err);
  }
  const norm = new NewlineNormalizer(newline);
  const buf = transientBuffers.pop() ?? Buffer.allocUnsafeSlow(1 << 20);
  try {
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (err) {
        throw describeFsError(path, err);
      }
      if (n === 0) break;
      const out = norm.push(buf.subarray(0, n));
      if (out.length) yield out;
    }
    const tail = norm.finish();
    if (tail.length) yield tail;
  } finally {
    transientBuffers.push(buf);
    closeSync(fd);
  }
}

/** Read buffers of readMessageTransient, reused across the files of a batch (no 1 MiB of garbage per file). */
const transientBuffers: Buffer[] = [];

/** A writable destination honouring back-pressure; stdout when path is absent or `-`. */
export class Output {
  private stream: NodeJS.WritableStream | undefined;
  private file: WriteStream | undefined;
  private failed: Error | undefined;

  /** Blocking writes to fd 1 (a file or a pipe): see _lib/stdout.ts. */
  private sync = false;

  constructor(readonly path?: string, stream?: NodeJS.WritableStream) {
    if (stream) {
      this.stream = stream;
    } else if (path === undefined || path === '-') {
      this.sync = stdoutKind() === 'sync';
      this.stream = this.sync ? undefined : stdoutStream();
    } else {
      this.file = createWriteStream(path);
      this.stream = this.file;
    }
    this.stream?.on('error', (err: Error) => {
      this.failed = err;
    });
  }

  get isTTY(): boolean {
    return this.file === undefined && stdoutIsTTY();
  }

  async write(data: string | Uint8Array): Promise<void> {
    if (this.failed) throw this.error(this.failed);
    if (this.sync) {
      let r: ReturnType<typeof writeStdoutSync>;
      try {
        r = writeStdoutSync(data);
      } catch (err) {
        throw this.error(err as Error);
      }
      if (r.done) return;
      // fd 1 turned out non-blocking: the stream from here on.
      this.sync = false;
      this.stream = stdoutStream();
      this.stream.on('error', (err: Error) => {
        this.failed = err;
      });
      data = r.rest;
    }
    if (!this.stream!.write(data)) {
      await this.drained();
      if (this.failed) throw this.error(this.failed);
    }
  }

  /** Waits for 'drain' (or an error or close), leaving no listener behind. */
  private drained(): Promise<void> {
    const s = this.stream!;
    return new Promise((resolve) => {
      const done = (): void => {
        s.off('drain', done);
        s.off('error', done);
        s.off('close', done);
        resolve();
      };
      s.on('drain', done);
      s.on('error', done);
      s.on('close', done);
    });
  }

  async end(): Promise<void> {
    if (this.file) {
      this.file.end();
      await once(this.file, 'close');
      if (this.failed) throw this.error(this.failed);
    }
  }

  private error(err: Error): Error {
    if ((err as NodeJS.ErrnoException).code === 'EPIPE') return new BrokenPipe();
    return describeFsError(this.path ?? 'stdout', err);
  }
}

/** The reader went away (`blaze hdr | head -1`): stop quietly with status 0. */
export class BrokenPipe extends BlazeError {
  constructor() {
    super('broken pipe', 0);
  }
}
