// Holds a message that must be written after it has been read (dkim sign prints
// the signature first): in memory up to a threshold, then in a temporary file
// that is removed afterwards, so a pipe of any size works in bounded memory.
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { readSync, writeSync } from 'node:fs';
import { releaseReadBuffers } from './_lib/io.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class Spool {
  private chunks: Buffer[] = [];
  private size = 0;
  private dir: string | undefined;
  private file: FileHandle | undefined;

  constructor(private readonly threshold = 1024 * 1024) {}

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

  /** The held bytes, in order. */
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
