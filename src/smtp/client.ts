// The SMTP client as a state machine: replies in, commands out. It greets,
// upgrades with STARTTLS when asked (and re-EHLOs), authenticates (PLAIN or
// LOGIN), sends the envelope (pipelined when the server offers PIPELINING),
// asks the transport to stream the message, and reports per-recipient results.
// No sockets here: client-transport.ts binds it; the dry run drives it with a script.
import { LineReader, ReplyReader, parseExtensions, replyText, isAscii, type Reply } from './codec.ts';
import { encodeSaslPlain } from './sasl.ts';

export type TlsMode = 'implicit' | 'starttls' | 'opportunistic' | 'none';

export interface ClientOptions {
  /** The EHLO name. */
  hostname: string;
  /** How TLS happens: implicit (already on), starttls (required), opportunistic, none. */
  tls: TlsMode;
  /** True once the connection is TLS (implicit TLS starts with it). */
  secure?: boolean;
  auth?: { user: string; password: string; mechanism?: 'PLAIN' | 'LOGIN' };
  from: string;
  recipients: string[];
  /** Size estimate for the SIZE parameter. */
  size?: number;
}

export interface RecipientResult {
  recipient: string;
  ok: boolean;
  reply: Reply;
}

export type Failure = 'temporary' | 'permanent' | 'protocol';

export interface ClientResult {
  ok: boolean;
  /** The server's final reply to the message (queue id), when it got that far. */
  final?: Reply;
  recipients: RecipientResult[];
  failure?: { kind: Failure; stage: string; message: string; reply?: Reply };
  /** The EHLO extensions the server offered (after TLS when there was TLS). */
  extensions: Map<string, string[]>;
  secure: boolean;
}

export type ClientAction =
  | { type: 'write'; data: string; /** text safe to show in a trace (AUTH secrets hidden) */ trace: string }
  /** Start TLS now on this connection, then call `tlsStarted()`. */
  | { type: 'starttls' }
  /** Stream the dot-stuffed message and its terminator, then call `dataSent()`. */
  | { type: 'send-data' }
  /** The session is over: close the connection. */
  | { type: 'done'; result: ClientResult };

type Step =
  | 'greeting'
  | 'ehlo'
  | 'helo'
  | 'starttls'
  | 'await-tls'
  | 'auth'
  | 'auth-login-user'
  | 'auth-login-pass'
  | 'envelope'
  | 'data-sending'
  | 'final'
  | 'quit'
  | 'done';

export class SmtpClient {
  private reader = new LineReader(64 * 1024);
  private replies = new ReplyReader();
  private step: Step = 'greeting';
  private secure: boolean;
  private extensions = new Map<string, string[]>();
  /** Replies still expected for the pipelined envelope, in order. */
  private expected: Array<{ kind: 'mail' } | { kind: 'rcpt'; rcpt: string } | { kind: 'data' }> = [];
  private pipelined = false;
  private results: RecipientResult[] = [];
  private mailReply: Reply | undefined;
  private final: Reply | undefined;
  private failure: ClientResult['failure'];
  private mech: 'PLAIN' | 'LOGIN' = 'PLAIN';
  private emptyData = false;

  constructor(readonly opts: ClientOptions) {
    this.secure = opts.secure ?? opts.tls === 'implicit';
  }

  get isSecure(): boolean {
    return this.secure;
  }

  /** Bytes from the server. */
  push(chunk: Buffer): ClientAction[] {
    const out: ClientAction[] = [];
    let offset = 0;
    while (offset < chunk.length && this.step !== 'done') {
      const r = this.reader.next(chunk, offset);
      offset = r.offset;
      if (!r.event) break;
      if (r.event.type === 'too-long') {
        this.fail(out, 'protocol', this.step, 'reply line too long');
        continue;
      }
      const rep = this.replies.push(r.event.line);
      if (!rep) continue;
      if ('error' in rep) {
        this.fail(out, 'protocol', this.step, rep.error);
        continue;
      }
      this.onReply(rep, out);
      if (this.step === 'await-tls') break; // anything after 220 before TLS is not to be trusted
    }
    return out;
  }

  /** The connection closed before the session ended. */
  closed(): ClientAction[] {
    if (this.step === 'done') return [];
    const out: ClientAction[] = [];
    // A server that hangs up instead of answering QUIT after accepting the message: still delivered.
    if (this.step === 'quit' && !this.failure && this.final?.code === 250) {
      this.finish(out);
      return out;
    }
    this.failure ??= { kind: 'temporary', stage: this.step, message: 'connection closed by the server' };
    this.finish(out);
    return out;
  }

  /** TLS is up (after STARTTLS): say EHLO again (RFC 3207 §4.2). */
  tlsStarted(): ClientAction[] {
    this.secure = true;
    this.reader.reset();
    this.replies = new ReplyReader();
    this.extensions = new Map();
    const out: ClientAction[] = [];
    this.step = 'ehlo';
    this.send(out, `EHLO ${this.opts.hostname}`);
    return out;
  }

  /** The transport wrote the message and its terminator. */
  dataSent(): ClientAction[] {
    this.step = 'final';
    return [];
  }

  private send(out: ClientAction[], line: string, trace = line): void {
    out.push({ type: 'write', data: line + '\r\n', trace });
  }

  private fail(out: ClientAction[], kind: Failure, stage: string, message: string, reply?: Reply): void {
    this.failure ??= { kind, stage, message, reply };
    if (this.step === 'quit' || this.step === 'done' || this.step === 'greeting' || kind === 'protocol' || this.step === 'data-sending') {
      this.finish(out);
      return;
    }
    this.step = 'quit';
    this.send(out, 'QUIT');
  }

  private failOnReply(out: ClientAction[], stage: string, r: Reply): void {
    if (r.code === 421) {
      // The server is closing the connection (RFC 5321 §3.8): no QUIT.
      this.failure ??= { kind: 'temporary', stage, message: `${stage}: ${replyText(r)}`, reply: r };
      return this.finish(out);
    }
    this.fail(out, r.code >= 500 ? 'permanent' : 'temporary', stage, `${stage}: ${replyText(r)}`, r);
  }

  private finish(out: ClientAction[]): void {
    this.step = 'done';
    out.push({
      type: 'done',
      result: {
        ok: !this.failure,
        final: this.final,
        recipients: this.results,
        failure: this.failure,
        extensions: this.extensions,
        secure: this.secure,
      },
    });
  }

  private onReply(r: Reply, out: ClientAction[]): void {
    switch (this.step) {
      case 'greeting':
        if (r.code !== 220) return this.failOnReply(out, 'greeting', r);
        this.step = 'ehlo';
        return this.send(out, `EHLO ${this.opts.hostname}`);
      case 'ehlo':
        if (r.code === 250) {
          this.extensions = parseExtensions(r);
          return this.afterHello(out);
        }
        if (r.code >= 500 && r.code !== 554) {
          this.step = 'helo';
          return this.send(out, `HELO ${this.opts.hostname}`);
        }
        return this.failOnReply(out, 'EHLO', r);
      case 'helo':
        if (r.code !== 250) return this.failOnReply(out, 'HELO', r);
        this.extensions = new Map();
        return this.afterHello(out);
      case 'starttls':
        if (r.code === 220) {
          this.step = 'await-tls';
          out.push({ type: 'starttls' });
          return;
        }
        if (this.opts.tls === 'opportunistic') return this.afterTls(out);
        return this.failOnReply(out, 'STARTTLS', r);
      case 'auth':
        if (r.code === 235) return this.envelope(out);
        if (r.code === 334 && this.mech === 'LOGIN') {
          this.step = 'auth-login-user';
          return this.send(out, b64(this.opts.auth!.user), '<username>');
        }
        return this.failOnReply(out, 'AUTH', r);
      case 'auth-login-user':
        if (r.code !== 334) return this.failOnReply(out, 'AUTH', r);
        this.step = 'auth-login-pass';
        return this.send(out, b64(this.opts.auth!.password), '<password>');
      case 'auth-login-pass':
        if (r.code === 235) return this.envelope(out);
        return this.failOnReply(out, 'AUTH', r);
      case 'envelope':
        return this.envelopeReply(r, out);
      case 'final':
        if (this.emptyData) {
          // The terminator we sent after a 354 with no recipient accepted.
          return this.fail(out, 'permanent', 'RCPT', 'no recipient accepted');
        }
        this.final = r;
        if (r.code === 250) {
          this.step = 'quit';
          return this.send(out, 'QUIT');
        }
        for (const rr of this.results) if (rr.ok) rr.ok = false;
        return this.failOnReply(out, 'DATA', r);
      case 'quit':
        return this.finish(out);
      default:
        return this.fail(out, 'protocol', this.step, `unexpected reply ${replyText(r)}`, r);
    }
  }

  private afterHello(out: ClientAction[]): void {
    if (!this.secure && (this.opts.tls === 'starttls' || this.opts.tls === 'opportunistic')) {
      if (this.extensions.has('STARTTLS')) {
        this.step = 'starttls';
        return this.send(out, 'STARTTLS');
      }
      if (this.opts.tls === 'starttls')
        return this.fail(out, 'permanent', 'STARTTLS', 'the server does not offer STARTTLS (use --tls none to send in clear)');
    }
    this.afterTls(out);
  }

  private afterTls(out: ClientAction[]): void {
    const auth = this.opts.auth;
    if (!auth) return this.envelope(out);
    const offered = (this.extensions.get('AUTH') ?? []).map((m) => m.toUpperCase());
    if (!this.extensions.has('AUTH'))
      return this.fail(out, 'permanent', 'AUTH', this.secure ? 'the server does not offer AUTH' : 'the server does not offer AUTH on this connection (no TLS)');
    const mech = auth.mechanism ?? (offered.includes('PLAIN') || !offered.includes('LOGIN') ? 'PLAIN' : 'LOGIN');
    this.mech = mech;
    this.step = 'auth';
    if (mech === 'PLAIN') {
      return this.send(out, `AUTH PLAIN ${encodeSaslPlain(auth.user, auth.password)}`, 'AUTH PLAIN <credentials>');
    }
    this.send(out, 'AUTH LOGIN');
  }

  private envelope(out: ClientAction[]): void {
    const o = this.opts;
    const utf8 = !isAscii(o.from) || o.recipients.some((r) => !isAscii(r));
    if (utf8 && !this.extensions.has('SMTPUTF8'))
      return this.fail(out, 'permanent', 'MAIL', 'non-ASCII addresses need SMTPUTF8, which the server does not offer');
    let mail = `MAIL FROM:<${o.from}>`;
    if (this.extensions.has('SIZE') && o.size !== undefined) {
      const max = Number(this.extensions.get('SIZE')![0] ?? 0);
      if (max > 0 && o.size > max)
        return this.fail(out, 'permanent', 'MAIL', `the message (${o.size} bytes) is larger than the server accepts (${max})`);
      mail += ` SIZE=${o.size}`;
    }
    if (this.extensions.has('8BITMIME')) mail += ' BODY=8BITMIME';
    if (utf8) mail += ' SMTPUTF8';
    this.step = 'envelope';
    this.pipelined = this.extensions.has('PIPELINING');
    this.expected = [{ kind: 'mail' }];
    if (!this.pipelined) return this.send(out, mail);
    // RFC 2920: MAIL, every RCPT and DATA in one batch; the replies come back in order.
    const lines = [mail, ...o.recipients.map((r) => `RCPT TO:<${r}>`), 'DATA'];
    for (const r of o.recipients) this.expected.push({ kind: 'rcpt', rcpt: r });
    this.expected.push({ kind: 'data' });
    const data = lines.map((l) => l + '\r\n').join('');
    out.push({ type: 'write', data, trace: lines.join('\r\n') });
  }

  private envelopeReply(r: Reply, out: ClientAction[]): void {
    const what = this.expected.shift();
    if (!what) return this.fail(out, 'protocol', 'envelope', `unexpected reply ${replyText(r)}`, r);
    if (what.kind === 'mail') {
      this.mailReply = r;
      if (r.code !== 250) {
        if (this.pipelined) return; // wait for the RCPT and DATA replies, then fail
        return this.failOnReply(out, 'MAIL', r);
      }
      if (!this.pipelined) {
        const first = this.opts.recipients[0];
        this.expected.push({ kind: 'rcpt', rcpt: first });
        return this.send(out, `RCPT TO:<${first}>`);
      }
      return;
    }
    if (what.kind === 'rcpt') {
      this.results.push({ recipient: what.rcpt, ok: r.code === 250 || r.code === 251, reply: r });
      if (!this.pipelined) {
        const next = this.opts.recipients[this.results.length];
        if (next !== undefined) {
          this.expected.push({ kind: 'rcpt', rcpt: next });
          return this.send(out, `RCPT TO:<${next}>`);
        }
        if (!this.results.some((x) => x.ok)) return this.noRecipient(out);
        this.expected.push({ kind: 'data' });
        return this.send(out, 'DATA');
      }
      return;
    }
    // DATA
    const mailOk = this.mailReply?.code === 250;
    const anyRcpt = this.results.some((x) => x.ok);
    if (r.code === 354) {
      if (!mailOk || !anyRcpt) {
        // RFC 2920 §3.1: DATA was accepted although nothing can be delivered: send an empty message.
        this.emptyData = true;
        this.step = 'final';
        this.send(out, '.');
        return;
      }
      this.step = 'data-sending';
      out.push({ type: 'send-data' });
      return;
    }
    if (!mailOk) return this.failOnReply(out, 'MAIL', this.mailReply!);
    if (!anyRcpt) return this.noRecipient(out);
    return this.failOnReply(out, 'DATA', r);
  }

  private noRecipient(out: ClientAction[]): void {
    const worst = this.results.find((x) => x.reply.code >= 500) ?? this.results[0];
    const kind: Failure = this.results.every((x) => x.reply.code >= 500) ? 'permanent' : 'temporary';
    this.fail(out, kind, 'RCPT', `no recipient accepted${worst ? ': ' + replyText(worst.reply) : ''}`, worst?.reply);
  }
}

function b64(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64');
}
