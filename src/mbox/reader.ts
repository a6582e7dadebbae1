// A streaming mbox decoder: raw chunks of an mbox file in, one event stream of
// messages out (`message`, `data`..., `body`, `end`), quoting removed. Never
// pulls, never throws, holds at most a few KB between chunks (an unfinished
// From_ line, the head of the line after it, a Content-Length field), plus
// at most MAX_LOOKAHEAD bytes while it checks a Content-Length (below).
//
// Where a message ends (format.ts has the variants):
// - at a separator line, which takes away the one blank line before it
//   (RFC 4155 §2: each message is followed by an empty line), and at the end
//   of the input, which takes away one trailing blank line;
// - a separator is any line starting `From ` in mboxo/mboxrd/mboxcl/mboxcl2;
//   in auto it must also be credible: a sender and an optional asctime date
//   on it, and a header field (or `>From `) on the next line. `From Russia
//   with love` in a body is text. No blank line is needed before it
//   (Netscape's mboxes have none).
// - with a Content-Length (mboxcl, mboxcl2, auto), a separator inside the
//   announced body is ignored when the body does end there, i.e. the count
//   lands on a `From ` line (after an optional blank line) or on the end of
//   the input. That is checked by reading ahead to the announced end (at most
//   MAX_LOOKAHEAD bytes); a count that lands elsewhere is ignored and the
//   separator splits, as mutt and MimeKit do. Past the bound, mboxcl/mboxcl2
//   trust the count and auto trusts the separator.
// Chunks pushed are kept by reference (data events are views of them): the
// caller must not reuse a buffer it has pushed.
import { isCredibleFromLine } from './from-line.ts';
import { formatRules, type FormatRules, type MboxReadFormat } from './format.ts';

export type MboxEvent =
  /** A message starts: its From_ line (without line end) at raw OFFSET; its header at HEADEROFFSET. */
  | { type: 'message'; index: number; offset: number; headerOffset: number; fromLine: string }
  /** Bytes of the current message, quoting removed. */
  | { type: 'data'; data: Buffer }
  /** The current message's body starts at raw OFFSET (after the blank line ending its header). */
  | { type: 'body'; offset: number }
  /** The current message ended at raw END (exclusive); SIZE bytes were given as data. */
  | { type: 'end'; index: number; end: number; size: number; contentLength?: number }
  /** The input is not an mbox (it does not start with a From_ line); nothing more is read. */
  | { type: 'error'; offset: number; message: string };

/** Longest From_ line read whole; a longer one is cut (and is not a separator in auto). */
export const MAX_FROM_LINE = 4096;
/** How far the decoder reads ahead to check a Content-Length. */
export const MAX_LOOKAHEAD = 8 * 1024 * 1024;
/** RFC 5322 §2.1.1: a line is at most 998 characters; enough to see a field name. */
const MAX_FIELD_HEAD = 998;
const MAX_CL_LINE = 256;
/** What must follow the announced body end: CRLF `From `. */
const LOOKAHEAD_TAIL = 7;

const LF = 0x0a;
const CR = 0x0d;
const GT = 0x3e;
const UPPER_F = 0x46;
const EMPTY = Buffer.alloc(0);
const FROM_SP = Buffer.from('From ');
const GT_BUF = Buffer.from('>');
const LF_BUF = Buffer.from('\n');
const CRLF_BUF = Buffer.from('\r\n');
const NL_F = Buffer.from('\nF');
const NL_GT = Buffer.from('\n>');
const NL_NL = Buffer.from('\n\n');
const NL_CR = Buffer.from('\n\r');
const FIELD_START = /^(?:[\x21-\x39\x3b-\x7e]+[ \t]*:|>From )/;

type Phase = 'preamble' | 'header' | 'body' | 'dead';
/** bol: at a line start; inline: inside an ordinary line; skip: inside an over-long From_ line; run: inside a leading `>` run, one `>` withheld. */
type LineState = 'bol' | 'inline' | 'skip' | 'run';

interface Lookahead {
  start: number;
  parts: Buffer[];
  size: number;
  windowEnd: number;
}

export class MboxDecoder {
  private readonly rules: FormatRules;
  private phase: Phase = 'preamble';
  private ls: LineState = 'bol';
  private events: MboxEvent[] = [];
  /** Raw offset of the next byte pushed. */
  private pos = 0;
  private carry: Buffer = EMPTY;
  private carryBase = 0;
  /** A blank line not yet given out: it is the separator's if a separator follows. */
  private held: Buffer | undefined;
  private heldOffset = 0;
  private index = -1;
  private size = 0;
  private contentLength: number | undefined;
  private bodyStart = 0;
  private clConfirmed = false;
  private clDistrusted = false;
  private runLen = 0;
  private pendingStart: { offset: number; fromLine: string } | undefined;
  private look: Lookahead | undefined;
  // Adjacent slices of one buffer go out as one data event.
  private outBuf: Buffer | undefined;
  private outA = 0;
  private outB = 0;

  constructor(readonly format: MboxReadFormat = 'auto') {
    this.rules = formatRules(format);
  }

  push(chunk: Buffer): MboxEvent[] {
    if (chunk.length) this.feed(chunk, false);
    return this.take();
  }

  finish(): MboxEvent[] {
    this.feed(EMPTY, true);
    if (this.ls === 'run') {
      this.outConst(GT_BUF); // a line of `>` at the very end: nothing to unquote
      this.ls = 'inline';
    }
    if (this.ls === 'skip') this.announce(this.pos);
    if (this.phase === 'header' || this.phase === 'body') {
      const end = this.held ? this.heldOffset : this.pos;
      this.held = undefined;
      this.endMessage(end);
    }
    this.phase = 'dead';
    return this.take();
  }

  private take(): MboxEvent[] {
    this.flushOut();
    const e = this.events;
    this.events = [];
    return e;
  }

  private feed(chunk: Buffer, eof: boolean): void {
    let input = chunk;
    for (;;) {
      if (this.look) {
        const look = this.look;
        if (input.length) {
          look.parts.push(input);
          look.size += input.length;
          input = EMPTY;
        }
        if (!eof && look.start + look.size < look.windowEnd + LOOKAHEAD_TAIL) return;
        input = this.settleLookahead(look, eof);
        continue;
      }
      let data = input;
      let base = this.pos;
      if (this.carry.length) {
        data = input.length ? Buffer.concat([this.carry, input]) : this.carry;
        base = this.carryBase;
        this.carry = EMPTY;
      }
      this.pos = base + data.length;
      const used = this.scan(data, base, eof);
      if (this.look) {
        input = EMPTY;
        continue;
      }
      this.flushOut();
      if (used < data.length) {
        this.carry = Buffer.from(data.subarray(used));
        this.carryBase = base + used;
      }
      return;
    }
  }

  /** Processes DATA (raw offset BASE) from a line state; returns how much was used (the rest waits for more input). */
  private scan(data: Buffer, base: number, eof: boolean): number {
    const n = data.length;
    let p = 0;
    // Where the next line that may matter starts, for the body's fast path.
    let nF = -1;
    let nG = -1;
    let nN = -1;
    let nC = -1;
    while (p < n) {
      switch (this.ls) {
        case 'bol': {
          const r = this.bol(data, p, base, eof);
          if (r < 0) return p;
          if (this.look) return n;
          p = r;
          break;
        }
        case 'inline': {
          if (this.phase !== 'body') {
            const nl = data.indexOf(LF, p);
            if (nl < 0) {
              this.out(data, p, n);
              return n;
            }
            this.out(data, p, nl + 1);
            p = nl + 1;
            this.ls = 'bol';
            break;
          }
          // In a body only lines starting with F, >, LF or CR can matter.
          if (nF < p) nF = found(data.indexOf(NL_F, p), n);
          if (nG < p) nG = this.rules.unquote === 'none' ? n : found(data.indexOf(NL_GT, p), n);
          if (nN < p) nN = found(data.indexOf(NL_NL, p), n);
          if (nC < p) nC = found(data.indexOf(NL_CR, p), n);
          const next = Math.min(nF, nG, nN, nC);
          if (next >= n) {
            this.out(data, p, n);
            if (data[n - 1] === LF) this.ls = 'bol';
            return n;
          }
          this.out(data, p, next + 1);
          p = next + 1;
          this.ls = 'bol';
          break;
        }
        case 'skip': {
          const nl = data.indexOf(LF, p);
          if (nl < 0) return n;
          p = nl + 1;
          this.ls = 'bol';
          this.announce(base + p);
          break;
        }
        case 'run': {
          let q = p;
          while (q < n && data[q] === GT) q++;
          this.runLen += q - p;
          this.out(data, p, q);
          p = q;
          if (p >= n) return n;
          if (n - p < 5 && !eof) return p;
          const isFrom = n - p >= 5 && data.compare(FROM_SP, 0, 5, p, p + 5) === 0;
          if (!(isFrom && (this.rules.unquote === 'rd' || this.runLen === 1))) this.outConst(GT_BUF);
          this.ls = 'inline';
          break;
        }
      }
    }
    return n;
  }

  /** A line starts at P: classify it. Returns where to go on, or -1 when more input is needed. */
  private bol(data: Buffer, p: number, base: number, eof: boolean): number {
    const n = data.length;
    const at = base + p;
    if (this.phase === 'dead') return n;
    const c = data[p];
    if (this.phase === 'preamble' && at === 0 && c === 0xef) {
      // A UTF-8 byte order mark before the first From_ line (Windows editors).
      if (n - p < 3 && !eof) return -1;
      if (data[p + 1] === 0xbb && data[p + 2] === 0xbf) return p + 3;
    }
    if (c === LF) return this.blank(data, p, 1, at);
    if (c === CR) {
      if (p + 1 >= n && !eof) return -1;
      if (data[p + 1] === LF) return this.blank(data, p, 2, at);
    }
    if (c === UPPER_F) {
      const avail = Math.min(n - p, 5);
      if (data.compare(FROM_SP, 0, avail, p, p + avail) === 0) {
        if (avail === 5) return this.fromLine(data, p, base, eof);
        if (!eof) return -1;
      }
    }
    if (this.phase === 'preamble') {
      this.events.push({ type: 'error', offset: at, message: `not an mbox: offset ${at} is not a From_ line` });
      this.phase = 'dead';
      return n;
    }
    if (c === GT && this.rules.unquote !== 'none') {
      this.resolveHeld();
      this.ls = 'run';
      this.runLen = 1;
      return p + 1; // the first `>` is withheld until the run's end tells whether it is quoting
    }
    if (this.phase === 'header' && !this.held && (c === 0x43 || c === 0x63) && this.rules.contentLength) {
      if (!this.readContentLength(data, p, eof)) return -1;
    }
    this.resolveHeld();
    this.ls = 'inline';
    return p;
  }

  private blank(data: Buffer, p: number, len: number, at: number): number {
    if (this.phase === 'preamble') return p + len; // blank lines before the first message
    const q = p + len;
    if (q < data.length && data[q] !== UPPER_F) {
      // Not followed by a `From ` line: an ordinary blank line.
      if (this.phase === 'header' && !this.held) {
        this.out(data, p, q);
        this.startBody(at + len);
      } else {
        this.resolveHeld();
        this.out(data, p, q);
      }
      return q;
    }
    this.resolveHeld();
    this.held = len === 1 ? LF_BUF : CRLF_BUF;
    this.heldOffset = at;
    return q;
  }

  /** The held blank line was not a separator's: give it out (it may end the header). */
  private resolveHeld(): void {
    const h = this.held;
    if (!h) return;
    this.held = undefined;
    this.outConst(h);
    if (this.phase === 'header') this.startBody(this.heldOffset + h.length);
  }

  private startBody(offset: number): void {
    this.phase = 'body';
    this.bodyStart = offset;
    this.emit({ type: 'body', offset });
  }

  /** The raw offset where the current body ends by its Content-Length, when that counts. */
  private windowEnd(): number | undefined {
    if (!this.rules.contentLength || this.contentLength === undefined || this.clDistrusted) return undefined;
    if (this.phase === 'body') return this.bodyStart + this.contentLength;
    if (this.phase === 'header' && this.held) return this.heldOffset + this.held.length + this.contentLength;
    return undefined;
  }

  private fromLine(data: Buffer, p: number, base: number, eof: boolean): number {
    const n = data.length;
    const at = base + p;
    const nl = data.indexOf(LF, p);
    let lineEnd: number;
    let next: number;
    let long = false;
    if (nl >= 0 && nl - p <= MAX_FROM_LINE) {
      lineEnd = nl;
      next = nl + 1;
    } else if (nl < 0 && n - p <= MAX_FROM_LINE) {
      if (!eof) return -1;
      lineEnd = next = n;
    } else {
      long = true;
      lineEnd = next = p + MAX_FROM_LINE;
    }
    const text = data.toString('latin1', p, lineEnd).replace(/\r$/, '');
    const first = this.phase === 'preamble';
    let sep = true;
    if (!first && this.rules.strictSeparator) {
      sep = !long && isCredibleFromLine(text);
      if (sep) {
        const h = fieldFollows(data, next, eof);
        if (h === undefined) return -1;
        sep = h;
      }
    }
    if (sep && !first) {
      const w = this.windowEnd();
      if (w !== undefined && at < w) {
        if (this.clConfirmed) sep = false;
        else {
          const start = this.held ? this.heldOffset : at;
          if (w + LOOKAHEAD_TAIL - start <= MAX_LOOKAHEAD) {
            this.beginLookahead(data, p, start, w);
            return n;
          }
          sep = this.rules.strictSeparator; // unverifiable: auto believes the separator, mboxcl* the count
        }
      }
    }
    if (!sep) {
      this.resolveHeld();
      this.ls = 'inline';
      return p;
    }
    if (!first) {
      const end = this.held ? this.heldOffset : at;
      this.held = undefined;
      this.endMessage(end);
    }
    this.startMessage(at, text);
    if (long) {
      this.ls = 'skip';
      return next;
    }
    this.announce(base + next);
    return next;
  }

  private readContentLength(data: Buffer, p: number, eof: boolean): boolean {
    const nl = data.indexOf(LF, p);
    const end = nl < 0 ? data.length : nl;
    if (nl < 0 && data.length - p < MAX_CL_LINE && !eof) return false;
    const head = data.toString('latin1', p, Math.min(end, p + MAX_CL_LINE));
    const m = /^content-length[ \t]*:[ \t]*(\d{1,15})[ \t]*\r?$/i.exec(head);
    if (m && this.contentLength === undefined) this.contentLength = Number(m[1]);
    return true;
  }

  private beginLookahead(data: Buffer, p: number, start: number, windowEnd: number): void {
    const parts = this.held ? [this.held, data.subarray(p)] : [data.subarray(p)];
    this.held = undefined;
    this.look = { start, parts, size: parts.reduce((s, b) => s + b.length, 0), windowEnd };
    this.ls = 'bol';
  }

  /** Decides whether the Content-Length holds; returns the bytes to read again from the lookahead's start. */
  private settleLookahead(look: Lookahead, eof: boolean): Buffer {
    const bytes = Buffer.concat(look.parts);
    let q = look.windowEnd - look.start;
    let ok: boolean;
    if (q > bytes.length) ok = false;
    else {
      if (bytes[q] === CR && bytes[q + 1] === LF) q += 2;
      else if (bytes[q] === LF) q += 1;
      ok = q >= bytes.length ? eof : q + 5 <= bytes.length && bytes.compare(FROM_SP, 0, 5, q, q + 5) === 0;
    }
    if (ok) this.clConfirmed = true;
    else this.clDistrusted = true;
    this.look = undefined;
    this.pos = look.start;
    this.carry = EMPTY;
    return bytes;
  }

  private startMessage(offset: number, fromLine: string): void {
    this.index++;
    this.size = 0;
    this.contentLength = undefined;
    this.clConfirmed = false;
    this.clDistrusted = false;
    this.phase = 'header';
    this.pendingStart = { offset, fromLine };
  }

  /** The message event, once the offset of the header (after the From_ line) is known. */
  private announce(headerOffset: number): void {
    const s = this.pendingStart;
    if (!s) return;
    this.pendingStart = undefined;
    this.emit({ type: 'message', index: this.index, offset: s.offset, headerOffset, fromLine: s.fromLine });
  }

  private endMessage(end: number): void {
    if (this.index < 0) return;
    this.emit({
      type: 'end',
      index: this.index,
      end,
      size: this.size,
      ...(this.contentLength === undefined ? {} : { contentLength: this.contentLength }),
    });
  }

  private emit(ev: MboxEvent): void {
    this.flushOut();
    this.events.push(ev);
  }

  private out(data: Buffer, a: number, b: number): void {
    if (b <= a) return;
    this.size += b - a;
    if (this.outBuf === data && this.outB === a) {
      this.outB = b;
      return;
    }
    this.flushOut();
    this.outBuf = data;
    this.outA = a;
    this.outB = b;
  }

  private outConst(buf: Buffer): void {
    this.flushOut();
    this.size += buf.length;
    this.events.push({ type: 'data', data: buf });
  }

  private flushOut(): void {
    if (!this.outBuf) return;
    this.events.push({ type: 'data', data: this.outBuf.subarray(this.outA, this.outB) });
    this.outBuf = undefined;
  }
}

function found(i: number, n: number): number {
  return i < 0 ? n : i;
}

/** Whether the line at Q starts with a header field name and colon (or `>From `); undefined when more input is needed. */
function fieldFollows(data: Buffer, q: number, eof: boolean): boolean | undefined {
  const n = data.length;
  if (q >= n) return eof ? true : undefined;
  const nl = data.indexOf(LF, q);
  if (nl < 0 && n - q < MAX_FIELD_HEAD && !eof) return undefined;
  const end = Math.min(nl < 0 ? n : nl, q + MAX_FIELD_HEAD);
  return FIELD_START.test(data.toString('latin1', q, end));
}
