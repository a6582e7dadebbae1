// The SMTP server as a state machine (RFC 5321, with 1870 SIZE, 2920
// PIPELINING, 3207 STARTTLS, 3463 enhanced codes, 4954 AUTH, 6152 8BITMIME,
// 6531 SMTPUTF8). Bytes in, actions out: replies to write, TLS to start, a
// message to store chunk by chunk. No sockets here: server-transport.ts binds it.
import { LineReader, formatReply, splitCommand, parsePathArgument, isAscii } from './codec.ts';
import { DotUnstuffer } from './dotstuff.ts';
import { decodeSaslBase64, parseSaslPlain } from './sasl.ts';

export interface ServerOptions {
  /** Our name in the greeting and the EHLO reply. */
  hostname: string;
  /** Largest message accepted (bytes, as received after unstuffing); 0 = no limit. */
  maxSize: number;
  /** STARTTLS is offered when the transport can do it. */
  tlsAvailable: boolean;
  /** The connection is already TLS (implicit TLS). */
  secure?: boolean;
  /** Credentials checker; AUTH is offered (and required before MAIL) when set. */
  authenticate?: (user: string, password: string) => boolean;
  /** Allow AUTH on a plaintext connection. */
  allowInsecureAuth?: boolean;
  maxRecipients?: number;
  /** Bad commands tolerated before the connection is closed with 421. */
  maxErrors?: number;
}

export interface Envelope {
  helo: string;
  esmtp: boolean;
  from: string;
  recipients: string[];
  params: Record<string, string>;
  secure: boolean;
  user?: string;
}

export type ServerAction =
  | { type: 'write'; data: string }
  /** Write the pending replies, then start TLS on this connection and call `tlsStarted()`. */
  | { type: 'starttls' }
  /** Close the connection after writing. */
  | { type: 'close' }
  /** A message begins: open the destination. */
  | { type: 'message-start'; envelope: Envelope }
  | { type: 'message-data'; data: Buffer }
  /** The message is complete: store it, then call `messageStored(reply)`. The machine waits. */
  | { type: 'message-end'; envelope: Envelope; size: number }
  /** The message was abandoned (too large, RSET...): drop what was written. */
  | { type: 'message-abort'; reason: string };

export type ServerState = 'command' | 'auth' | 'data' | 'await-store' | 'await-tls' | 'closed';

const COMMAND_LINE_MAX = 512; // RFC 5321 §4.5.3.1.4, CRLF included
const AUTH_LINE_MAX = 12288; // RFC 4954 §4

export class SmtpServer {
  state: ServerState = 'command';
  private reader = new LineReader(AUTH_LINE_MAX);
  private queue: Buffer[] = [];
  private helo = '';
  private esmtp = false;
  private secure: boolean;
  private user: string | undefined;
  private from: string | undefined;
  private params: Record<string, string> = {};
  private recipients: string[] = [];
  private errors = 0;
  private authStep: { mech: 'PLAIN' | 'LOGIN'; user?: string } | undefined;
  private unstuffer: DotUnstuffer | undefined;
  private size = 0;
  private oversize = false;

  constructor(readonly opts: ServerOptions) {
    this.secure = opts.secure ?? false;
  }

  /** The greeting, written when the connection opens. */
  greeting(): ServerAction[] {
    return [{ type: 'write', data: formatReply(220, undefined, `${this.opts.hostname} ESMTP blaze`) }];
  }

  /** The reply for a connection refused because of the connection limit. */
  static busy(hostname: string): string {
    return formatReply(421, '4.3.2', `${hostname} too many connections, try again later`);
  }

  /** The reply when a timeout closes the connection. */
  timeout(): ServerAction[] {
    this.state = 'closed';
    return [{ type: 'write', data: formatReply(421, '4.4.2', `${this.opts.hostname} timeout, closing connection`) }, { type: 'close' }];
  }

  /** True while in the middle of a message (the data timeout applies). */
  get inData(): boolean {
    return this.state === 'data';
  }

  /** Bytes from the peer. */
  push(chunk: Buffer): ServerAction[] {
    if (this.state === 'closed') return [];
    if (this.state === 'await-tls') return []; // plaintext after STARTTLS: discarded (CVE-2011-0411)
    if (this.state === 'await-store') {
      this.queue.push(chunk);
      return [];
    }
    return this.pump(chunk);
  }

  /** The transport finished the TLS handshake: everything is forgotten (RFC 3207 §4.2). */
  tlsStarted(): ServerAction[] {
    this.secure = true;
    this.state = 'command';
    this.helo = '';
    this.esmtp = false;
    this.user = undefined;
    this.resetTransaction();
    this.reader.reset();
    this.queue = [];
    return [];
  }

  /** The outcome of storing the message (`message-end`): replies and goes on with pipelined input. */
  messageStored(ok: boolean, detail = ''): ServerAction[] {
    if (this.state !== 'await-store') return [];
    this.state = 'command';
    this.resetTransaction();
    const out: ServerAction[] = [
      {
        type: 'write',
        data: ok
          ? formatReply(250, '2.0.0', `Ok${detail ? ': ' + detail : ''}`)
          : formatReply(451, '4.3.0', `Error storing the message${detail ? ': ' + detail : ''}`),
      },
    ];
    const queued = this.queue;
    this.queue = [];
    for (const c of queued) {
      const state = this.state as ServerState;
      if (state === 'await-store') this.queue.push(c);
      else if (state === 'command' || state === 'auth' || state === 'data') out.push(...this.pump(c));
    }
    return out;
  }

  private pump(chunk: Buffer): ServerAction[] {
    const out: ServerAction[] = [];
    let offset = 0;
    while (offset < chunk.length) {
      if (this.state === 'data') {
        offset = this.data(chunk, offset, out);
        continue;
      }
      if (this.state === 'await-store') {
        this.queue.push(Buffer.from(chunk.subarray(offset)));
        break;
      }
      if (this.state !== 'command' && this.state !== 'auth') break; // closed / await-tls: the rest is dropped
      const r = this.reader.next(chunk, offset);
      offset = r.offset;
      if (!r.event) break;
      if (r.event.type === 'too-long') {
        this.authStep = undefined;
        if (this.state === 'auth') this.state = 'command';
        this.reply(out, 500, '5.5.2', 'Line too long');
        this.error(out);
        continue;
      }
      const line = r.event.line;
      if (this.state === 'auth') {
        this.authLine(line.toString('latin1'), out);
        continue;
      }
      if (line.length + 2 > COMMAND_LINE_MAX) {
        this.reply(out, 500, '5.5.2', 'Line too long');
        this.error(out);
        continue;
      }
      this.command(line.toString('utf8'), out);
    }
    return out;
  }

  private data(chunk: Buffer, offset: number, out: ServerAction[]): number {
    const r = this.unstuffer!.push(offset ? chunk.subarray(offset) : chunk);
    if (r.data.length) {
      this.size += r.data.length;
      if (this.opts.maxSize > 0 && this.size > this.opts.maxSize && !this.oversize) {
        this.oversize = true;
        out.push({ type: 'message-abort', reason: 'too large' });
      }
      if (!this.oversize) out.push({ type: 'message-data', data: r.data });
    }
    if (!r.done) return chunk.length;
    this.unstuffer = undefined;
    if (this.oversize) {
      this.reply(out, 552, '5.3.4', `Message size exceeds fixed maximum message size (${this.opts.maxSize})`);
      this.resetTransaction();
      this.state = 'command';
    } else {
      this.state = 'await-store';
      out.push({ type: 'message-end', envelope: this.envelope(), size: this.size });
    }
    // What followed the dot is pipelined input: handle it now or after the store.
    const consumed = chunk.length - r.rest.length;
    return consumed;
  }

  private envelope(): Envelope {
    return {
      helo: this.helo,
      esmtp: this.esmtp,
      from: this.from ?? '',
      recipients: [...this.recipients],
      params: { ...this.params },
      secure: this.secure,
      user: this.user,
    };
  }

  private reply(out: ServerAction[], code: number, enhanced: string | undefined, text: string | string[]): void {
    out.push({ type: 'write', data: formatReply(code, enhanced, text) });
  }

  private error(out: ServerAction[]): void {
    if (++this.errors >= (this.opts.maxErrors ?? 20)) {
      this.reply(out, 421, '4.7.0', 'Too many errors, closing connection');
      out.push({ type: 'close' });
      this.state = 'closed';
    }
  }

  private resetTransaction(): void {
    this.from = undefined;
    this.params = {};
    this.recipients = [];
    this.size = 0;
    this.oversize = false;
    this.unstuffer = undefined;
  }

  private authOffered(): boolean {
    return !!this.opts.authenticate && (this.secure || !!this.opts.allowInsecureAuth);
  }

  private command(line: string, out: ServerAction[]): void {
    const { verb, arg } = splitCommand(line);
    switch (verb) {
      case 'EHLO':
      case 'HELO':
        if (!arg) return this.bad(out, 501, '5.5.4', `Syntax: ${verb} hostname`);
        this.helo = arg.split(' ')[0];
        this.esmtp = verb === 'EHLO';
        this.resetTransaction();
        if (verb === 'HELO') return this.reply(out, 250, undefined, `${this.opts.hostname} greets ${this.helo}`);
        {
          const lines = [`${this.opts.hostname} greets ${this.helo}`, 'PIPELINING'];
          lines.push(this.opts.maxSize > 0 ? `SIZE ${this.opts.maxSize}` : 'SIZE');
          lines.push('8BITMIME', 'SMTPUTF8', 'ENHANCEDSTATUSCODES');
          if (this.opts.tlsAvailable && !this.secure) lines.push('STARTTLS');
          if (this.authOffered()) lines.push('AUTH PLAIN LOGIN');
          lines.push('HELP');
          return this.reply(out, 250, undefined, lines);
        }
      case 'MAIL': {
        if (!this.helo) return this.bad(out, 503, '5.5.1', 'Send EHLO or HELO first');
        if (this.from !== undefined) return this.bad(out, 503, '5.5.1', 'Nested MAIL command');
        if (this.opts.authenticate && !this.user) return this.bad(out, 530, '5.7.0', 'Authentication required');
        const p = parsePathArgument(arg, 'FROM');
        if ('error' in p) return this.bad(out, 501, '5.5.4', p.error);
        const params: Record<string, string> = {};
        for (const [k, v] of p.params) {
          if (k === 'SIZE') {
            if (!/^\d{1,20}$/.test(v)) return this.bad(out, 501, '5.5.4', 'Bad SIZE parameter');
            if (this.opts.maxSize > 0 && Number(v) > this.opts.maxSize)
              return this.reply(out, 552, '5.3.4', `Message size exceeds fixed maximum message size (${this.opts.maxSize})`);
          } else if (k === 'BODY') {
            if (!/^(7BIT|8BITMIME)$/i.test(v)) return this.bad(out, 501, '5.5.4', 'Bad BODY parameter');
          } else if (k === 'SMTPUTF8') {
            if (v !== '') return this.bad(out, 501, '5.5.4', 'SMTPUTF8 takes no value');
          } else if (k !== 'AUTH') {
            return this.bad(out, 555, '5.5.4', `Unsupported parameter ${k}`);
          }
          params[k] = v;
        }
        if (!isAscii(p.address) && !('SMTPUTF8' in params))
          return this.bad(out, 553, '5.6.7', 'Non-ASCII address without SMTPUTF8');
        this.from = p.address;
        this.params = params;
        return this.reply(out, 250, '2.1.0', 'Ok');
      }
      case 'RCPT': {
        if (this.from === undefined) return this.bad(out, 503, '5.5.1', 'Send MAIL first');
        const p = parsePathArgument(arg, 'TO');
        if ('error' in p) return this.bad(out, 501, '5.5.4', p.error);
        if (p.address === '') return this.bad(out, 501, '5.1.3', 'Empty recipient');
        if (p.params.size) return this.bad(out, 555, '5.5.4', 'RCPT parameters not supported');
        if (!isAscii(p.address) && !('SMTPUTF8' in this.params))
          return this.bad(out, 553, '5.6.7', 'Non-ASCII address without SMTPUTF8');
        if (this.recipients.length >= (this.opts.maxRecipients ?? 1000))
          return this.reply(out, 452, '4.5.3', 'Too many recipients');
        this.recipients.push(p.address);
        return this.reply(out, 250, '2.1.5', 'Ok');
      }
      case 'DATA':
        if (arg) return this.bad(out, 501, '5.5.4', 'DATA takes no argument');
        if (this.from === undefined) return this.bad(out, 503, '5.5.1', 'Send MAIL first');
        if (!this.recipients.length) return this.bad(out, 554, '5.5.1', 'No valid recipients');
        this.state = 'data';
        this.unstuffer = new DotUnstuffer();
        this.size = 0;
        this.oversize = false;
        out.push({ type: 'message-start', envelope: this.envelope() });
        return this.reply(out, 354, undefined, 'End data with <CR><LF>.<CR><LF>');
      case 'RSET':
        if (arg) return this.bad(out, 501, '5.5.4', 'RSET takes no argument');
        this.resetTransaction();
        return this.reply(out, 250, '2.0.0', 'Ok');
      case 'NOOP':
        return this.reply(out, 250, '2.0.0', 'Ok');
      case 'QUIT':
        this.state = 'closed';
        this.reply(out, 221, '2.0.0', `${this.opts.hostname} closing connection`);
        out.push({ type: 'close' });
        return;
      case 'VRFY':
        if (!arg) return this.bad(out, 501, '5.5.4', 'Syntax: VRFY address');
        return this.reply(out, 252, '2.5.0', 'Cannot VRFY user, but will accept message and attempt delivery');
      case 'EXPN':
        return this.bad(out, 502, '5.5.1', 'EXPN not implemented');
      case 'HELP':
        return this.reply(out, 214, '2.0.0', 'See RFC 5321; commands: EHLO HELO MAIL RCPT DATA RSET NOOP QUIT VRFY STARTTLS AUTH');
      case 'STARTTLS':
        if (arg) return this.bad(out, 501, '5.5.4', 'STARTTLS takes no argument');
        if (!this.opts.tlsAvailable) return this.bad(out, 502, '5.5.1', 'STARTTLS not available');
        if (this.secure) return this.bad(out, 503, '5.5.1', 'Already in TLS');
        this.reply(out, 220, '2.0.0', 'Ready to start TLS');
        this.state = 'await-tls';
        this.reader.reset();
        out.push({ type: 'starttls' });
        return;
      case 'AUTH':
        return this.auth(arg, out);
      default:
        return this.bad(out, 500, '5.5.2', 'Command not recognized');
    }
  }

  private bad(out: ServerAction[], code: number, enhanced: string, text: string): void {
    this.reply(out, code, enhanced, text);
    this.error(out);
  }

  private auth(arg: string, out: ServerAction[]): void {
    if (!this.opts.authenticate) return this.bad(out, 502, '5.5.1', 'AUTH not available');
    if (!this.secure && !this.opts.allowInsecureAuth)
      return this.bad(out, 538, '5.7.11', 'Encryption required for requested authentication mechanism');
    if (!this.esmtp) return this.bad(out, 503, '5.5.1', 'Send EHLO first');
    if (this.user) return this.bad(out, 503, '5.5.1', 'Already authenticated');
    if (this.from !== undefined) return this.bad(out, 503, '5.5.1', 'AUTH not allowed during a mail transaction');
    const [mechRaw, initial] = arg.split(' ');
    const mech = (mechRaw ?? '').toUpperCase();
    if (mech !== 'PLAIN' && mech !== 'LOGIN') return this.bad(out, 504, '5.5.4', 'Unrecognized authentication type');
    this.authStep = { mech };
    this.state = 'auth';
    if (initial === undefined) {
      this.reply(out, 334, undefined, mech === 'PLAIN' ? '' : 'VXNlcm5hbWU6');
      return;
    }
    this.authLine(initial, out);
  }

  private authLine(line: string, out: ServerAction[]): void {
    const step = this.authStep!;
    const done = (): void => {
      this.authStep = undefined;
      this.state = 'command';
    };
    if (line === '*') {
      done();
      return this.bad(out, 501, '5.0.0', 'Authentication cancelled');
    }
    const decoded = line === '=' ? Buffer.alloc(0) : decodeSaslBase64(line);
    if (!decoded) {
      done();
      return this.bad(out, 501, '5.5.2', 'Cannot decode response');
    }
    if (step.mech === 'LOGIN' && step.user === undefined) {
      step.user = decoded.toString('utf8');
      return this.reply(out, 334, undefined, 'UGFzc3dvcmQ6');
    }
    let user: string;
    let password: string;
    if (step.mech === 'LOGIN') {
      user = step.user!;
      password = decoded.toString('utf8');
    } else {
      const p = parseSaslPlain(decoded);
      if ('error' in p) {
        done();
        return p.error === 'malformed'
          ? this.bad(out, 501, '5.5.2', 'Malformed PLAIN response')
          : this.bad(out, 535, '5.7.8', 'Authentication credentials invalid');
      }
      ({ user, password } = p);
    }
    done();
    if (this.opts.authenticate!(user, password)) {
      this.user = user;
      return this.reply(out, 235, '2.7.0', 'Authentication successful');
    }
    return this.bad(out, 535, '5.7.8', 'Authentication credentials invalid');
  }
}
