// Holds a message that must be written after it has been read (dkim sign prints
// the signature first): in memory up to a threshold, then in a temporary file
// that is removed afterwards, so a pipe of any size works in bounded memory.
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
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
      for (const c of this.chunks) await this.file.write(c);
      this.chunks = [];
    }
    await this.file.write(chunk);
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
    for await (const c of createReadStream(join(this.dir!, 'message'), { highWaterMark: 256 * 1024 })) yield c as Buffer;
  }

  async dispose(): Promise<void> {
    this.chunks = [];
    if (this.file) await this.file.close().catch(() => undefined);
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
    this.file = undefined;
    this.dir = undefined;
  }
}
