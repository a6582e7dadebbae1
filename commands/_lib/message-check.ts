// srv --verify: SPF (from the SMTP session), DKIM and DMARC of each message
// as it arrives, and the Authentication-Results field (RFC 8601) this
// receiver prepends. The message is checked by the src/auth pipeline in the
// same pass that spools it; nothing in the message itself (a forged
// Received-SPF or Authentication-Results) is trusted.
import { Spool } from './spool.ts';
import { formatAuthResultsField } from '../../src/authres/index.ts';
import { authenticateMessage, authResultsOf, ChunkChannel, type AuthPolicy, type SessionFacts } from '../../src/auth/index.ts';
import type { Resolver } from '../../src/dns/index.ts';
import { checkSpfHelo, checkSpfSender } from '../../src/spf/index.ts';

export interface SessionIdentity {
  ip: string;
  /** MAIL FROM ('' for the null reverse-path). */
  from: string;
  helo: string;
}

/**
 * The SPF identities as the client gave them; one that SPF cannot take is
 * left out (RFC 7208 §2.3, §2.4), and with neither there is no SPF check.
 */
export function sessionFacts(s: SessionIdentity, receiver: string): SessionFacts | undefined {
  const sender = s.from ? checkSpfSender(s.from) : undefined;
  const mailFrom = sender?.ok ? sender.value || undefined : undefined;
  const helo = s.helo && checkSpfHelo(s.helo).ok ? s.helo : undefined;
  return mailFrom || helo ? { ip: s.ip, mailFrom, helo, receiver } : undefined;
}

/** One message being received and checked. */
export class MessageCheck {
  private readonly channel = new ChunkChannel();
  private readonly spool = new Spool();
  private readonly result: Promise<string | { error: string }>;
  private failed = false;

  constructor(policy: AuthPolicy, resolver: Resolver, session: SessionIdentity, authservId: string) {
    this.result = authenticateMessage({
      chunks: this.channel,
      resolver,
      session: sessionFacts(session, authservId),
      policy: { ...policy, spfFromMessage: false },
    }).then(
      (r) => (r.ok ? formatAuthResultsField(authResultsOf(r.value, authservId)) : { error: r.line !== undefined ? `line ${r.line}: ${r.message}` : r.message }),
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
