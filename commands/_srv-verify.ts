// srv --verify: SPF (from the SMTP session), DKIM and DMARC of each message
// as it arrives, and the Authentication-Results field (RFC 8601) this
// receiver prepends. The message is checked in the same pass that spools it;
// nothing in the message itself (a forged Received-SPF or
// Authentication-Results) is trusted.
import { checkMessage, authResultsOf, type Opts } from './dmarc.ts';
import { Spool } from './_dkim-spool.ts';
import { formatAuthResultsField } from '../src/authres/index.ts';
import type { Resolver } from '../src/dns/index.ts';
import { checkSpfHelo, checkSpfSender } from '../src/spf/index.ts';

/** An async queue of chunks with back-pressure: push waits while too much is queued. */
class Channel implements AsyncIterable<Buffer> {
  private queue: Buffer[] = [];
  private wake: (() => void) | undefined;
  private room: (() => void) | undefined;
  private closed = false;
  private failure: Error | undefined;

  async push(b: Buffer): Promise<void> {
    this.queue.push(b);
    this.wake?.();
    if (this.queue.length > 16) await new Promise<void>((r) => (this.room = r));
  }

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
        if (this.queue.length <= 16 && this.room) {
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

export interface SessionIdentity {
  ip: string;
  /** MAIL FROM ('' for the null reverse-path). */
  from: string;
  helo: string;
}

/** One message being received and checked. */
export class MessageCheck {
  private readonly channel = new Channel();
  private readonly spool = new Spool();
  private readonly result: Promise<string | { error: string }>;

  private failed = false;

  constructor(o: Opts, resolver: Resolver, session: SessionIdentity, authservId: string) {
    // The SPF identities as the client gave them; one that SPF cannot take is left out (RFC 7208 §2.3, §2.4).
    const sender = session.from && checkSpfSender(session.from).ok ? session.from : undefined;
    const helo = session.helo && !checkSpfHelo(session.helo) ? session.helo : undefined;
    const opts: Opts = { ...o, ip: sender || helo ? session.ip : undefined, sender, helo, hostname: authservId, json: false };
    this.result = checkMessage(undefined, opts, resolver, { chunks: this.channel, sessionOnly: true }).then(
      (c) => formatAuthResultsField(authResultsOf(c, authservId, false)),
      (err: Error) => {
        this.failed = true;
        this.channel.close(); // release a writer waiting for room
        return { error: err.message };
      },
    );
  }

  /** A piece of the message (wire form); waits when the checker is behind. */
  async write(data: Buffer): Promise<void> {
    const copy = Buffer.from(data);
    await this.spool.write(copy); // the message is kept whatever the checker does
    if (!this.failed) await this.channel.push(copy);
  }

  /**
   * End of the message: the Authentication-Results field (or why there is
   * none), then the message bytes as received.
   */
  async finish(): Promise<{ field?: string; error?: string; message: AsyncIterable<Buffer> }> {
    this.channel.close();
    const r = await this.result;
    return typeof r === 'string' ? { field: r, message: this.spool.read() } : { error: r.error, message: this.spool.read() };
  }

  async abort(): Promise<void> {
    this.channel.close(new Error('aborted'));
    await this.result;
    await this.spool.dispose();
  }

  dispose(): Promise<void> {
    return this.spool.dispose();
  }
}
