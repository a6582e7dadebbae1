// The one spool of the commands: holds bytes that must be read again (a
// message written after a field computed from all of it, as dkim sign, dmarc
// verify -h, arc sign and srv --verify do; a pipe that make, put and send read
// twice). In memory up to a threshold, then in a private temporary file that
// dispose() removes, so a pipe of any size works in bounded memory.
import { mkdtemp, open, rm, stat, type FileHandle } from 'node:fs/promises';
import { readSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeFsError } from './errors.ts';
import { inputName, readRaw, releaseReadBuffers } from './io.ts';

/** Bytes kept in memory before the spool moves to a temporary file. */
export const SPOOL_IN_MEMORY = 1 << 20;

export class Spool {
  private chunks: Buffer[] = [];
  private size = 0;
  private dir: string | undefined;
  private file: FileHandle | undefined;

  constructor(private readonly threshold = SPOOL_IN_MEMORY) {}

  async write(chunk: Buffer): Promise<void> {
    if (!this.file && this.size + chunk.length <= this.threshold) {
      this.chunks.push(chunk);
      this.size += chunk.length;
      return;
    }
    if (!this.file) {
      this.dir = await mkdtemp(join(tmpdir(), 'blaze-spool-'));
      this.file = await open(join(this.dir, 'message'), 'w+', 0o600);
      for (const c of this.chunks) writeAll(this.file.fd, c);
      this.chunks = [];
    }
    // Blocking writes: the chunk is done with when this returns (promise writes kept
    // each one alive longer, and sign of 100 MB peaked at 93 MB).
    writeAll(this.file.fd, chunk);
    this.size += chunk.length;
  }

  get spilled(): boolean {
    return this.file !== undefined;
  }

  /** Bytes held so far. */
  get length(): number {
    return this.size;
  }

  /** The held bytes, in order; may be read any number of times. */
  async *read(): AsyncGenerator<Buffer> {
    if (!this.file) {
      yield* this.chunks;
      return;
    }
    // No fsync: a scratch file read back by the same process sees its writes.
    // Blocking reads of 128 KiB (a stream here held several pieces at once: sign of 1 GB peaked at 94 MB).
    const fd = this.file.fd;
    for (let pos = 0; ; ) {
      const buf = Buffer.allocUnsafe(128 * 1024);
      const n = readSync(fd, buf, 0, buf.length, pos);
      if (n === 0) return;
      pos += n;
      releaseReadBuffers(n);
      yield n === buf.length ? buf : buf.subarray(0, n);
    }
  }

  async dispose(): Promise<void> {
    this.chunks = [];
    if (this.file) await this.file.close().catch(() => undefined);
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
    this.file = undefined;
    this.dir = undefined;
  }
}

function writeAll(fd: number, b: Buffer): void {
  for (let off = 0; off < b.length; ) off += writeSync(fd, b, off, b.length - off);
}

/** A chunk transform (a newline normaliser, an encoder). */
export interface ChunkTransform {
  push(chunk: Buffer): Buffer;
  finish(): Buffer;
}

/** An input that can be read more than once (to choose an encoding, then to encode; to deliver again). */
export interface Replayable {
  name: string;
  chunks(): AsyncGenerator<Buffer>;
  dispose(): Promise<void>;
}

/** SRC through the transform T (none: unchanged). */
export async function* through(src: AsyncIterable<Buffer>, t: ChunkTransform | undefined): AsyncGenerator<Buffer> {
  for await (const c of src) {
    const out = t ? t.push(c) : c;
    if (out.length) yield out;
  }
  if (t) {
    const tail = t.finish();
    if (tail.length) yield tail;
  }
}

/**
 * A regular file is replayed by reading it again (through a fresh TRANSFORM
 * each time); stdin or a pipe is read once through the transform into a Spool.
 */
export async function openReplayable(path: string | undefined, transform?: () => ChunkTransform): Promise<Replayable> {
  const name = inputName(path);
  if (path !== undefined && path !== '-') {
    let st;
    try {
      st = await stat(path);
    } catch (err) {
      throw describeFsError(path, err);
    }
    if (st.isDirectory()) throw describeFsError(path, Object.assign(new Error(), { code: 'EISDIR' }));
    if (st.isFile()) return { name, chunks: () => through(readRaw(path), transform?.()), dispose: async () => {} };
  }
  const spool = new Spool();
  try {
    for await (const c of through(readRaw(path), transform?.())) await spool.write(c);
  } catch (err) {
    await spool.dispose();
    throw err;
  }
  return { name, chunks: () => spool.read(), dispose: () => spool.dispose() };
}
