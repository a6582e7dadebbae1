// What the server transport does with a message, without sockets: it drives
// a MessageSink (the destination given by the command) through the message
// events of the state machine, turning storage failures into a 451 at the end
// of DATA instead of a dropped connection.
import type { Envelope } from './server.ts';

/** What the server does with messages: one sink per connection. */
export interface MessageSink {
  start(envelope: Envelope): Promise<void>;
  write(data: Buffer): Promise<void>;
  /** Make the message durable; the returned text goes into the 250 reply. Throwing gives a 451. */
  end(envelope: Envelope, size: number): Promise<string>;
  abort(reason: string): Promise<void>;
}

export class SinkDriver {
  /** A message is open in the sink. */
  private open = false;
  /** The current message could not be stored: read on, answer 451 at its end. */
  private failed = false;

  constructor(
    private readonly sink: MessageSink,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  async start(envelope: Envelope): Promise<void> {
    try {
      await this.sink.start(envelope);
      this.open = true;
      this.failed = false;
    } catch (err) {
      this.onError(err);
      this.open = false;
      this.failed = true;
    }
  }

  async write(data: Buffer): Promise<void> {
    if (!this.open) return;
    try {
      await this.sink.write(data);
    } catch (err) {
      // Disk full, say: drop the message, read on, answer 451 at the end.
      this.onError(err);
      this.failed = true;
      await this.abort('storage error');
    }
  }

  /** Drops the open message, if any (too large, timeout, connection lost, shutdown). */
  async abort(reason: string): Promise<void> {
    if (!this.open) return;
    this.open = false;
    await this.sink.abort(reason).catch(this.onError);
  }

  /** Commits the message: the outcome for `SmtpServer.messageStored`. */
  async end(envelope: Envelope, size: number): Promise<{ ok: boolean; detail: string }> {
    const wasOpen = this.open && !this.failed;
    this.open = false;
    this.failed = false;
    if (!wasOpen) return { ok: false, detail: '' };
    try {
      return { ok: true, detail: await this.sink.end(envelope, size) };
    } catch (err) {
      this.onError(err);
      return { ok: false, detail: '' };
    }
  }
}

/** Trace lines for bytes from a client: long lines cut, AUTH secrets hidden. */
export function traceClientLines(chunk: Buffer, inAuth: boolean): string[] {
  const out: string[] = [];
  for (const raw of chunk.toString('latin1').split(/\r?\n/)) {
    if (!raw) continue;
    const line = raw.length > 200 ? raw.slice(0, 200) + `... (${raw.length} bytes)` : raw;
    if (inAuth) out.push('<auth data>');
    else out.push(/^AUTH /i.test(line) ? line.replace(/^(AUTH \S+) .*/i, '$1 <initial response>') : line);
  }
  return out;
}
