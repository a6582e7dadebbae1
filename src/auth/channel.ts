// A queue of chunks between a producer that is pushed bytes (an SMTP server
// receiving DATA) and the pipeline, which pulls them: push waits while too
// much is queued, so a slow check slows the sender, never grows memory.

/** Chunks queued before push waits for the reader. */
const HIGH_WATER = 16;

export class ChunkChannel implements AsyncIterable<Buffer> {
  private queue: Buffer[] = [];
  private wake: (() => void) | undefined;
  private room: (() => void) | undefined;
  private closed = false;
  private failure: Error | undefined;

  /** Queues a chunk; resolves once there is room for more. */
  async push(b: Buffer): Promise<void> {
    this.queue.push(b);
    this.wake?.();
    if (this.queue.length > HIGH_WATER) await new Promise<void>((r) => (this.room = r));
  }

  /** No more chunks; with ERR, the reader fails with it. Releases a waiting writer. */
  close(err?: Error): void {
    this.closed = true;
    this.failure = err;
    this.wake?.();
    this.room?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    for (;;) {
      if (this.failure) throw this.failure;
      const b = this.queue.shift();
      if (b) {
        if (this.queue.length <= HIGH_WATER && this.room) {
          const r = this.room;
          this.room = undefined;
          r();
        }
        yield b;
        continue;
      }
      if (this.closed) return;
      await new Promise<void>((r) => (this.wake = r));
      this.wake = undefined;
    }
  }
}
