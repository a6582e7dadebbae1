// The SMTP wire codec (RFC 5321 §4.1, §4.2; RFC 3463 enhanced status codes):
// a bounded line reader, the reply reader (multi-line replies), reply
// formatting, and command/path parsing. Pure functions and decoders: no I/O.

const LF = 0x0a;
const CR = 0x0d;

export type LineEvent =
  /** One line without its CRLF (a bare LF also ends a line; its CR, if any, is removed). */
  | { type: 'line'; line: Buffer }
  /** A line longer than the bound: its bytes were dropped up to and including its LF. */
  | { type: 'too-long'; size: number };

/**
 * Splits a byte stream into lines, never holding more than `maxLine` bytes of
 * an unfinished line: a longer line is dropped (counted, reported once when its
 * end arrives), so a 10 MB line costs no memory.
 */
export class LineReader {
  private partial: Buffer[] = [];
  private partialSize = 0;
  private dropping = false;
  private dropped = 0;

  constructor(public maxLine: number) {}

  /** Bytes of an unfinished line held right now. */
  get pending(): number {
    return this.partialSize;
  }

  /** Forgets any unfinished line (STARTTLS: plaintext after the command is discarded). */
  reset(): void {
    this.partial = [];
    this.partialSize = 0;
    this.dropping = false;
    this.dropped = 0;
  }

  /** Takes the next complete line out of `chunk` starting at `start`; returns the event and the new offset. */
  next(chunk: Buffer, start: number): { event?: LineEvent; offset: number } {
    const nl = chunk.indexOf(LF, start);
    if (nl === -1) {
      const rest = chunk.length - start;
      if (this.dropping) {
        this.dropped += rest;
      } else if (this.partialSize + rest > this.maxLine) {
        this.dropping = true;
        this.dropped = this.partialSize + rest;
        this.partial = [];
        this.partialSize = 0;
      } else if (rest > 0) {
        this.partial.push(Buffer.from(chunk.subarray(start)));
        this.partialSize += rest;
      }
      return { offset: chunk.length };
    }
    const piece = chunk.subarray(start, nl + 1);
    if (this.dropping || this.partialSize + piece.length > this.maxLine) {
      const size = this.dropped + this.partialSize + piece.length;
      this.reset();
      return { event: { type: 'too-long', size }, offset: nl + 1 };
    }
    let line = this.partialSize ? Buffer.concat([...this.partial, piece]) : piece;
    this.partial = [];
    this.partialSize = 0;
    let end = line.length - 1;
    if (end > 0 && line[end - 1] === CR) end--;
    line = line.subarray(0, end);
    return { event: { type: 'line', line }, offset: nl + 1 };
  }
}

export interface Reply {
  code: number;
  /** The RFC 3463 enhanced status code when the text starts with one (e.g. "2.0.0"). */
  enhanced?: string;
  /** Text of each line, enhanced code removed. */
  lines: string[];
}

/** The reply as one line for people: `250 2.0.0 Ok: queued as X`. */
export function replyText(r: Reply): string {
  return `${r.code}${r.enhanced ? ' ' + r.enhanced : ''}${r.lines.length && r.lines.join(' ') ? ' ' + r.lines.join(' ') : ''}`;
}

export function isPositive(r: Reply): boolean {
  return r.code >= 200 && r.code < 400;
}

const ENHANCED = /^([245])\.(\d{1,3})\.(\d{1,3})(?: |$)/;

/** Reads replies from lines: `push(line)` returns a Reply when its last line arrives, or an error value. */
export class ReplyReader {
  private code = 0;
  private lines: string[] = [];

  push(raw: Buffer | string): Reply | { error: string } | undefined {
    const line = typeof raw === 'string' ? raw : raw.toString('utf8');
    const m = /^([2-5]\d\d)([ -]|$)(.*)$/s.exec(line);
    if (!m) {
      this.code = 0;
      this.lines = [];
      return { error: `malformed reply line: ${JSON.stringify(line.slice(0, 80))}` };
    }
    const code = Number(m[1]);
    if (this.lines.length && code !== this.code) {
      this.code = 0;
      this.lines = [];
      return { error: `reply code changed inside a multi-line reply (${line.slice(0, 40)})` };
    }
    this.code = code;
    this.lines.push(m[3]);
    if (m[2] === '-') return undefined;
    const lines = this.lines;
    this.lines = [];
    this.code = 0;
    let enhanced: string | undefined;
    const e = ENHANCED.exec(lines[0]);
    if (e && e[1] === String(code)[0]) {
      enhanced = `${e[1]}.${e[2]}.${e[3]}`;
      for (let i = 0; i < lines.length; i++) {
        const ei = ENHANCED.exec(lines[i]);
        if (ei) lines[i] = lines[i].slice(ei[0].length);
      }
    }
    return { code, enhanced, lines };
  }
}

/** Formats a reply; `enhanced` is put on every line (RFC 3463 §2) when given. */
export function formatReply(code: number, enhanced: string | undefined, text: string | string[]): string {
  const lines = Array.isArray(text) ? text : [text];
  let out = '';
  for (let i = 0; i < lines.length; i++) {
    const sep = i === lines.length - 1 ? ' ' : '-';
    out += `${code}${sep}${enhanced ? enhanced + (lines[i] ? ' ' : '') : ''}${lines[i]}\r\n`;
  }
  return out;
}

/** A command line split into its verb (upper-cased) and the rest. */
export function splitCommand(line: string): { verb: string; arg: string } {
  const m = /^([A-Za-z]+)(?: (.*))?$/s.exec(line);
  if (!m) return { verb: '', arg: line };
  return { verb: m[1].toUpperCase(), arg: (m[2] ?? '').trim() };
}

export interface PathArgument {
  /** The address inside the angle brackets (empty for the null path `<>`). */
  address: string;
  /** ESMTP parameters, keys upper-cased; a keyword without value maps to ''. */
  params: Map<string, string>;
}

/**
 * Parses `FROM:<path> params` or `TO:<path> params` (RFC 5321 §4.1.2), with
 * the common leniency of a space after the colon. Source routes are dropped.
 */
export function parsePathArgument(arg: string, keyword: 'FROM' | 'TO'): PathArgument | { error: string } {
  const m = new RegExp(`^${keyword}:\\s*<([^<>]*)>(.*)$`, 'is').exec(arg);
  if (!m) return { error: `syntax: ${keyword}:<address>` };
  let address = m[1];
  if (address.startsWith('@')) {
    const colon = address.indexOf(':');
    if (colon === -1) return { error: 'bad source route' };
    address = address.slice(colon + 1);
  }
  if (/[\s\x00-\x1f\x7f]/.test(address) && !/^".*"@/.test(address)) return { error: 'bad address' };
  if (address !== '' && !/^[^@]+@[^@]+$/.test(address) && !/^postmaster$/i.test(address)) {
    if (!/^".*"@[^@]+$/.test(address)) return { error: 'bad address' };
  }
  const params = new Map<string, string>();
  const rest = m[2];
  if (rest !== '' && !rest.startsWith(' ')) return { error: 'bad parameters' };
  for (const p of rest.trim().split(/ +/)) {
    if (!p) continue;
    const eq = p.indexOf('=');
    const key = (eq === -1 ? p : p.slice(0, eq)).toUpperCase();
    if (!/^[A-Z0-9][A-Z0-9-]*$/.test(key)) return { error: `bad parameter ${p}` };
    params.set(key, eq === -1 ? '' : p.slice(eq + 1));
  }
  return { address, params };
}

/** ESMTP extensions from an EHLO reply: keyword (upper-case) -> parameters. */
export function parseExtensions(r: Reply): Map<string, string[]> {
  const ext = new Map<string, string[]>();
  for (const line of r.lines.slice(1)) {
    const words = line.trim().split(/\s+/);
    if (!words[0]) continue;
    ext.set(words[0].toUpperCase(), words.slice(1));
  }
  return ext;
}

/** True when every character is 7-bit ASCII. */
export function isAscii(s: string): boolean {
  return /^[\x00-\x7f]*$/.test(s);
}
