// The POP3 client as a state machine (RFC 1939, 2449, 2595, 5034): server
// bytes in, commands and message events out. It reads the greeting (APOP
// timestamp), CAPA, upgrades with STLS when asked (and asks CAPA again,
// RFC 2595 §4), logs in (SASL PLAIN, USER/PASS or APOP), lists UIDL and
// LIST, and retrieves the wanted messages one at a time: each is streamed to
// the driver (byte-stuffing removed, never held whole), and the next command
// waits until the driver says the message is stored, so DELE is only ever
// sent for a message on disk. No sockets here: transport.ts binds it.
import { LineReader, DotUnstuffer, encodeSaslPlain } from '../smtp/index.ts';
import { apopDigest, apopTimestamp, isTemporary, parseCapabilities, parseListLine, parseStatus, parseUidlLine, unstuffLine, type Status } from './codec.ts';

export type TlsMode = 'implicit' | 'starttls' | 'none';
export type AuthMethod = 'plain' | 'user' | 'apop';

export interface Pop3ClientOptions {
  user: string;
  password: string;
  tls: TlsMode;
  /** Forced method; by default SASL PLAIN, USER/PASS, APOP in that order over TLS, APOP first without it. */
  auth?: AuthMethod;
  /** Whether to retrieve the message with this unique id. */
  wanted(uid: string): boolean;
  /** DELE each message once the driver has stored it. */
  delete: boolean;
  /** Called with each response line (not message bytes), for a protocol trace. */
  onResponse?(line: string): void;
}

export interface ListedMessage {
  n: number;
  uid: string;
  size?: number;
}

export type FailureKind = 'auth' | 'temporary' | 'permanent' | 'protocol' | 'tls' | 'storage';

export interface Pop3Result {
  ok: boolean;
  failure?: { kind: FailureKind; stage: string; message: string; status?: Status };
  /** Every message the server listed (UIDL), in its order. */
  listed: ListedMessage[];
  retrieved: number;
  deleted: number;
  secure: boolean;
  mechanism?: AuthMethod;
  capabilities: Map<string, string[]>;
}

export type Pop3Action =
  | { type: 'write'; data: string; /** safe to show (secrets hidden) */ trace: string }
  /** Start TLS on this connection, then call `tlsStarted()`. */
  | { type: 'starttls' }
  /** What the server holds (after UIDL and LIST). */
  | { type: 'listed'; messages: ListedMessage[] }
  | { type: 'message-start'; message: ListedMessage }
  | { type: 'message-data'; data: Buffer }
  /** The whole message was received: store it, then call `stored()`. */
  | { type: 'message-end'; message: ListedMessage }
  | { type: 'done'; result: Pop3Result };

/** RFC 2449 §4: lines are at most 512 octets; some servers send longer CAPA lines. */
const MAX_LINE = 8192;
/** More entries than this in a listing is a hostile server, not a mailbox. */
export const MAX_LISTED = 1_000_000;

type Step =
  | 'greeting' | 'capa' | 'stls' | 'await-tls' | 'auth-plain' | 'user' | 'pass' | 'apop'
  | 'uidl' | 'list' | 'retr' | 'retr-data' | 'storing' | 'dele' | 'quit' | 'done';

export class Pop3Client {
  private reader = new LineReader(MAX_LINE);
  private step: Step = 'greeting';
  private secure: boolean;
  private timestamp: string | undefined;
  private caps = new Map<string, string[]>();
  /** Lines of the multi-line response being read (after its +OK). */
  private lines: string[] | undefined;
  private listed: ListedMessage[] = [];
  private queue: ListedMessage[] = [];
  private current: ListedMessage | undefined;
  private unstuffer: DotUnstuffer | undefined;
  private retrieved = 0;
  /** Messages marked by DELE; they are deleted only when QUIT is answered (RFC 1939 §6, UPDATE state). */
  private marked = 0;
  private deleted = 0;
  private mechanism: AuthMethod | undefined;
  private failure: Pop3Result['failure'];

  constructor(readonly opts: Pop3ClientOptions) {
    this.secure = opts.tls === 'implicit';
  }

  get isSecure(): boolean {
    return this.secure;
  }

  /** Bytes from the server. */
  push(chunk: Buffer): Pop3Action[] {
    const out: Pop3Action[] = [];
    let offset = 0;
    while (offset < chunk.length && this.step !== 'done') {
      if (this.step === 'retr-data') {
        offset += this.onData(chunk.subarray(offset), out);
        continue;
      }
      if (this.step === 'storing' || this.step === 'await-tls') {
        // Nothing may come now: the server waits for our next command.
        this.fail(out, 'protocol', this.step, 'unexpected data from the server');
        break;
      }
      const r = this.reader.next(chunk, offset);
      offset = r.offset;
      if (!r.event) break;
      if (r.event.type === 'too-long') {
        this.fail(out, 'protocol', this.step, `response line over ${MAX_LINE} bytes`);
        break;
      }
      const line = r.event.line.toString('latin1');
      this.opts.onResponse?.(line);
      this.onLine(line, out);
      if ((this.step as Step) === 'await-tls') break; // bytes after the +OK to STLS are not to be trusted (RFC 2595 §4)
    }
    return out;
  }

  /** TLS is up after STLS: capabilities are asked again (RFC 2595 §4). */
  tlsStarted(): Pop3Action[] {
    const out: Pop3Action[] = [];
    this.secure = true;
    this.reader.reset();
    this.caps = new Map();
    this.step = 'capa';
    this.send(out, 'CAPA');
    return out;
  }

  /** The driver stored the message it was given (ok), or could not (then no DELE, and the session ends). */
  stored(ok: boolean, why = 'could not store the message'): Pop3Action[] {
    const out: Pop3Action[] = [];
    if (this.step !== 'storing') return out;
    const m = this.current!;
    if (!ok) {
      this.fail(out, 'storage', 'store', `message ${m.n} (${m.uid}): ${why}`);
      return out;
    }
    this.retrieved++;
    if (this.opts.delete) {
      this.step = 'dele';
      this.send(out, `DELE ${m.n}`);
    } else this.next(out);
    return out;
  }

  /** The connection closed. */
  closed(): Pop3Action[] {
    const out: Pop3Action[] = [];
    if (this.step === 'done') return out;
    if (this.step === 'quit' && this.marked === 0) {
      this.finish(out); // nothing depended on the answer to QUIT
      return out;
    }
    const message =
      this.step === 'quit' ? 'connection closed before QUIT was answered: the deletions may not have been made' : 'connection closed by the server';
    this.failure ??= { kind: 'temporary', stage: this.step === 'retr-data' ? 'retr' : this.step, message };
    this.finish(out);
    return out;
  }

  private send(out: Pop3Action[], line: string, trace = line): void {
    out.push({ type: 'write', data: line + '\r\n', trace });
  }

  private fail(out: Pop3Action[], kind: FailureKind, stage: string, message: string, status?: Status): void {
    this.failure ??= { kind, stage, message, status };
    // After a protocol error or when nothing was said yet, just hang up; otherwise say QUIT.
    if (kind === 'protocol' || this.step === 'greeting' || this.step === 'quit' || this.step === 'retr-data' || this.step === 'await-tls') {
      this.finish(out);
      return;
    }
    this.step = 'quit';
    this.send(out, 'QUIT');
  }

  private failOn(out: Pop3Action[], stage: string, s: Status, kind: FailureKind): void {
    const k: FailureKind = isTemporary(s) ? 'temporary' : s.code === 'SYS/PERM' ? 'permanent' : kind;
    this.fail(out, k, stage, `${stage}: -ERR ${s.code ? `[${s.code}] ` : ''}${s.text}`.trimEnd(), s);
  }

  private finish(out: Pop3Action[]): void {
    this.step = 'done';
    out.push({
      type: 'done',
      result: {
        ok: !this.failure,
        failure: this.failure,
        listed: this.listed,
        retrieved: this.retrieved,
        deleted: this.deleted,
        secure: this.secure,
        mechanism: this.mechanism,
        capabilities: this.caps,
      },
    });
  }

  private onLine(line: string, out: Pop3Action[]): void {
    if (this.lines) {
      const l = unstuffLine(line);
      if (l !== undefined) {
        if (this.lines.length >= MAX_LISTED) return this.fail(out, 'protocol', this.step, `more than ${MAX_LISTED} lines in a listing`);
        this.lines.push(l);
        return;
      }
      const lines = this.lines;
      this.lines = undefined;
      return this.onListing(lines, out);
    }
    // A SASL continuation (`+ ` and a challenge) is not a status line.
    if (this.step === 'auth-plain' && /^\+( |$)/.test(line)) return this.send(out, encodeSaslPlain(this.opts.user, this.opts.password), '<credentials>');
    const s = parseStatus(line);
    if (!s) return this.fail(out, 'protocol', this.step, `not a POP3 response: ${JSON.stringify(line.slice(0, 80))}`);
    switch (this.step) {
      case 'greeting':
        if (!s.ok) return this.failOn(out, 'greeting', s, 'temporary');
        this.timestamp = apopTimestamp(s.text);
        this.step = 'capa';
        return this.send(out, 'CAPA');
      case 'capa':
        if (s.ok) {
          this.lines = [];
          return;
        }
        return this.afterCapa(out); // an RFC 1939 server without CAPA
      case 'stls':
        if (!s.ok) return this.failOn(out, 'STLS', s, 'tls');
        this.step = 'await-tls';
        out.push({ type: 'starttls' });
        return;
      case 'auth-plain':
      case 'pass':
      case 'apop':
        if (!s.ok) return this.failOn(out, 'login', s, 'auth');
        return this.loggedIn(out);
      case 'user':
        if (!s.ok) return this.failOn(out, 'login', s, 'auth');
        this.step = 'pass';
        return this.send(out, `PASS ${this.opts.password}`, 'PASS <password>');
      case 'uidl':
        if (!s.ok) return this.failOn(out, 'UIDL', s, 'permanent');
        this.lines = [];
        return;
      case 'list':
        if (!s.ok) return this.retrieveWanted(out); // sizes are only for progress
        this.lines = [];
        return;
      case 'retr':
        if (!s.ok) {
          if (isTemporary(s)) return this.failOn(out, 'RETR', s, 'temporary');
          return this.failOn(out, `RETR ${this.current!.n}`, s, 'permanent');
        }
        this.step = 'retr-data';
        this.unstuffer = new DotUnstuffer();
        out.push({ type: 'message-start', message: this.current! });
        return;
      case 'dele':
        if (!s.ok) return this.failOn(out, `DELE ${this.current!.n}`, s, 'permanent');
        this.marked++;
        return this.next(out);
      case 'quit':
        if (!s.ok && !this.failure) this.failure = { kind: 'temporary', stage: 'QUIT', message: `QUIT: -ERR ${s.text}`, status: s };
        if (s.ok) this.deleted = this.marked;
        return this.finish(out);
      default:
        return this.fail(out, 'protocol', this.step, `unexpected response ${JSON.stringify(line.slice(0, 80))}`);
    }
  }

  private onListing(lines: string[], out: Pop3Action[]): void {
    switch (this.step) {
      case 'capa':
        this.caps = parseCapabilities(lines);
        return this.afterCapa(out);
      case 'uidl': {
        const seen = new Set<number>();
        for (const l of lines) {
          const u = parseUidlLine(l);
          if (!u || seen.has(u.n)) return this.fail(out, 'protocol', 'UIDL', `bad UIDL line ${JSON.stringify(l.slice(0, 80))}`);
          seen.add(u.n);
          this.listed.push(u);
        }
        this.step = 'list';
        return this.send(out, 'LIST');
      }
      case 'list': {
        const sizes = new Map<number, number>();
        for (const l of lines) {
          const e = parseListLine(l);
          if (e) sizes.set(e.n, e.size);
        }
        for (const m of this.listed) if (sizes.has(m.n)) m.size = sizes.get(m.n);
        return this.retrieveWanted(out);
      }
      default:
        return this.fail(out, 'protocol', this.step, 'unexpected multi-line response');
    }
  }

  private afterCapa(out: Pop3Action[]): void {
    if (this.opts.tls === 'starttls' && !this.secure) {
      if (!this.caps.has('STLS')) {
        return this.fail(out, 'tls', 'CAPA', 'the server does not offer STLS (RFC 2595): --tls none would send the password unencrypted');
      }
      this.step = 'stls';
      return this.send(out, 'STLS');
    }
    const method = this.opts.auth ?? this.chooseMethod();
    if (!method) return this.fail(out, 'permanent', 'login', 'the server offers no login method blaze knows (SASL PLAIN, USER, APOP)');
    this.mechanism = method;
    const { user, password } = this.opts;
    if (method === 'plain') {
      this.step = 'auth-plain';
      return this.send(out, `AUTH PLAIN ${encodeSaslPlain(user, password)}`, 'AUTH PLAIN <credentials>');
    }
    if (method === 'user') {
      this.step = 'user';
      return this.send(out, `USER ${user}`);
    }
    if (!this.timestamp) return this.fail(out, 'permanent', 'login', 'the server offers no APOP (no timestamp in its greeting)');
    this.step = 'apop';
    return this.send(out, `APOP ${user} ${apopDigest(this.timestamp, password)}`, `APOP ${user} <digest>`);
  }

  private chooseMethod(): AuthMethod | undefined {
    const sasl = (this.caps.get('SASL') ?? []).map((m) => m.toUpperCase());
    const noCapa = this.caps.size === 0;
    const offered: Record<AuthMethod, boolean> = {
      plain: sasl.includes('PLAIN'),
      user: this.caps.has('USER') || noCapa,
      apop: this.timestamp !== undefined,
    };
    // Without TLS, APOP at least keeps the password off the wire.
    const order: AuthMethod[] = this.secure ? ['plain', 'user', 'apop'] : ['apop', 'plain', 'user'];
    return order.find((m) => offered[m]);
  }

  private loggedIn(out: Pop3Action[]): void {
    this.step = 'uidl';
    this.send(out, 'UIDL');
  }

  private retrieveWanted(out: Pop3Action[]): void {
    out.push({ type: 'listed', messages: this.listed });
    this.queue = this.listed.filter((m) => this.opts.wanted(m.uid));
    this.next(out);
  }

  private next(out: Pop3Action[]): void {
    const m = this.queue.shift();
    if (!m) {
      this.step = 'quit';
      return this.send(out, 'QUIT');
    }
    this.current = m;
    this.step = 'retr';
    this.send(out, `RETR ${m.n}`);
  }

  /** Message bytes after +OK to RETR; returns how much of CHUNK was used. */
  private onData(chunk: Buffer, out: Pop3Action[]): number {
    const r = this.unstuffer!.push(chunk);
    if (r.data.length) out.push({ type: 'message-data', data: r.data });
    if (!r.done) return chunk.length;
    this.unstuffer = undefined;
    this.step = 'storing';
    out.push({ type: 'message-end', message: this.current! });
    if (r.rest.length) this.fail(out, 'protocol', 'RETR', 'data after the end of the message');
    return chunk.length;
  }
}
