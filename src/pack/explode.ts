// Splitting a message into the pieces the archive stores, streaming, over the
// raw bytes as they are (LF, CRLF, or mixed line ends, any byte): the
// message's header block, the content of each leaf body, and the structure
// between them (part headers, delimiter lines with the line end before them
// (RFC 2046 §5.1.1: that line end belongs to the delimiter), preambles,
// epilogues). Every input byte lands in exactly one event, in order, so
// concatenating the events gives the input back: that is what makes `iso`
// byte-identical by construction.
//
// Boundaries are recognised as blaze's MIME decoder does (src/mime/
// multipart.ts): `--boundary` at a line start, then `--` (close) or up to 256
// bytes of white space and the line end; an enclosing boundary closes inner
// parts; message/rfc822 with an identity encoding is descended into. Memory:
// one part header (at most MAX_HEADER bytes, past that it is read as body)
// and a few held-back bytes; bodies stream through.
import { HeaderDecoder, fieldValue } from '../mime/header-decoder.ts';
import { parseContentType } from '../mime/content-type.ts';
import { transferEncodingOf } from '../mime/body-decoder.ts';
import { decodeHeaderBytes } from '../mime/charset.ts';

export type ExplodeEvent =
  /** The message's header block, blank line included (once, first). */
  | { type: 'header'; data: Buffer }
  /** Structure bytes: part headers, delimiter lines, preamble, epilogue. */
  | { type: 'literal'; data: Buffer }
  | { type: 'body-start' }
  /** Content of the open leaf body (valid until the next push: copy to keep). */
  | { type: 'body'; data: Buffer }
  | { type: 'body-end' };

/** A header block larger than this is not a header: the entity is read as a body. */
export const MAX_HEADER = 1024 * 1024;
/** Deeper multiparts and messages are read as leaves (as MimeDecoder). */
const MAX_DEPTH = 32;
const MAX_PADDING = 256;
const LF = 0x0a;
const CR = 0x0d;
const DASH = 0x2d;
const LF_DASHES = Buffer.from('\n--');

interface Multipart {
  delimiter: Buffer; // "--" + boundary
  closed: boolean;
  depth: number;
  digest: boolean;
}

type Match = { end: number; level: number; close: boolean } | 'more' | undefined;

export class MessageExploder {
  private mode: 'header' | 'body' | 'text' = 'header';
  private readonly stack: Multipart[] = [];
  /** Nesting depth of the entity being read. */
  private depth = 0;
  private inDigest = false;
  private top = true;
  private header: Buffer[] = [];
  private headerSize = 0;
  private held: Buffer | undefined;
  private lineStart = true;
  private events: ExplodeEvent[] = [];
  private ended = false;

  push(chunk: Buffer): ExplodeEvent[] {
    if (this.ended || chunk.length === 0) return [];
    const buf = this.held ? Buffer.concat([this.held, chunk]) : chunk;
    this.held = undefined;
    this.scan(buf, false);
    return this.take();
  }

  finish(): ExplodeEvent[] {
    if (this.ended) return [];
    const buf = this.held;
    this.held = undefined;
    if (buf) this.scan(buf, true);
    if (this.mode === 'header') this.headerEnded(false);
    else if (this.mode === 'body') this.events.push({ type: 'body-end' });
    this.ended = true;
    return this.take();
  }

  private take(): ExplodeEvent[] {
    const e = this.events;
    this.events = [];
    return e;
  }

  private get open(): boolean {
    for (const m of this.stack) if (!m.closed) return true;
    return false;
  }

  private scan(buf: Buffer, final: boolean): void {
    let pos = 0;
    while (pos < buf.length) {
      pos = this.mode === 'header' ? this.scanHeader(buf, pos, final) : this.scanContent(buf, pos, final);
      if (pos < 0) return; // the rest is held
    }
  }

  /** One header line at `pos`; returns where to go on, or -1 after holding the rest. */
  private scanHeader(buf: Buffer, pos: number, final: boolean): number {
    const nl = buf.indexOf(LF, pos);
    if (nl === -1 && !final) {
      if (this.headerSize + buf.length - pos > MAX_HEADER) return this.headerOverflow(buf.subarray(pos), final);
      this.held = Buffer.from(buf.subarray(pos));
      return -1;
    }
    const end = nl === -1 ? buf.length : nl + 1;
    if (this.open) {
      const m = this.match(buf, pos, final);
      if (m === 'more') {
        this.held = Buffer.from(buf.subarray(pos));
        return -1;
      }
      if (m) {
        // the line end of the last header line goes with the delimiter
        const eol = this.takeHeaderEol();
        this.headerEnded(false);
        this.delimiter(Buffer.concat([eol, buf.subarray(pos, m.end)]), m.level, m.close);
        return m.end;
      }
    }
    const line = buf.subarray(pos, end);
    this.header.push(Buffer.from(line));
    this.headerSize += line.length;
    if (line.length === 1 || (line.length === 2 && line[0] === CR && line[1] === LF)) {
      if (line[line.length - 1] === LF) {
        this.headerEnded(true);
        return end;
      }
    }
    if (this.headerSize > MAX_HEADER) return this.headerOverflow(buf.subarray(end), final);
    return end;
  }

  /** No blank line within MAX_HEADER: the entity has no header, its bytes are a body. */
  private headerOverflow(rest: Buffer, final: boolean): number {
    const kept = Buffer.concat([...this.header, rest]);
    this.header = [];
    this.headerSize = 0;
    if (this.top) this.events.push({ type: 'header', data: Buffer.alloc(0) });
    this.top = false;
    this.mode = 'body';
    this.lineStart = true;
    this.events.push({ type: 'body-start' });
    this.held = undefined;
    this.scan(kept, final);
    return -1;
  }

  private takeHeaderEol(): Buffer {
    const last = this.header[this.header.length - 1];
    if (!last || last[last.length - 1] !== LF) return Buffer.alloc(0);
    const n = last.length >= 2 && last[last.length - 2] === CR ? 2 : 1;
    this.header[this.header.length - 1] = last.subarray(0, last.length - n);
    this.headerSize -= n;
    return Buffer.from(last.subarray(last.length - n));
  }

  /** The header block is complete: emit it and open what it announces (only with a blank line: else nothing follows). */
  private headerEnded(withBody: boolean): void {
    const block = Buffer.concat(this.header);
    this.header = [];
    this.headerSize = 0;
    const top = this.top;
    this.top = false;
    this.events.push(top ? { type: 'header', data: block } : { type: 'literal', data: block });
    if (!withBody) return;
    const dec = new HeaderDecoder();
    const fields = [...dec.push(block), ...dec.finish()].flatMap((e) => (e.type === 'field' ? [e.field] : []));
    const get = (name: string): string | undefined => {
      const f = fields.find((x) => x.name.toLowerCase() === name);
      return f ? decodeHeaderBytes(fieldValue(f.raw)) : undefined;
    };
    const ct = parseContentType(get('content-type'), { inDigest: this.inDigest });
    const cte = transferEncodingOf(get('content-transfer-encoding'));
    const identity = cte === '7bit' || cte === '8bit' || cte === 'binary';
    this.lineStart = true;
    if (ct.type === 'multipart' && ct.params.boundary && this.depth < MAX_DEPTH) {
      this.stack.push({ delimiter: Buffer.from('--' + ct.params.boundary, 'utf8'), closed: false, depth: this.depth, digest: ct.subtype === 'digest' });
      this.mode = 'text';
    } else if (ct.type === 'message' && (ct.subtype === 'rfc822' || ct.subtype === 'global') && identity && this.depth < MAX_DEPTH) {
      this.depth++;
      this.inDigest = false;
      this.mode = 'header';
    } else {
      this.mode = 'body';
      this.events.push({ type: 'body-start' });
    }
  }

  /** Body or preamble/epilogue bytes from `pos` up to the next delimiter; returns where to go on, or -1. */
  private scanContent(buf: Buffer, pos: number, final: boolean): number {
    if (!this.open) {
      this.content(buf.subarray(pos));
      return buf.length;
    }
    if (this.lineStart) {
      const m = this.match(buf, pos, final);
      if (m === 'more') {
        this.held = Buffer.from(buf.subarray(pos));
        return -1;
      }
      if (m) {
        this.delimiter(Buffer.from(buf.subarray(pos, m.end)), m.level, m.close);
        return m.end;
      }
      this.lineStart = false;
    }
    let c = buf.indexOf(LF_DASHES, pos);
    while (c !== -1) {
      const m = this.match(buf, c + 1, final);
      const eol = c > pos && buf[c - 1] === CR ? c - 1 : c;
      if (m === 'more') {
        this.content(buf.subarray(pos, eol));
        this.held = Buffer.from(buf.subarray(eol));
        return -1;
      }
      if (m) {
        this.content(buf.subarray(pos, eol));
        this.delimiter(Buffer.from(buf.subarray(eol, m.end)), m.level, m.close);
        return m.end;
      }
      c = buf.indexOf(LF_DASHES, c + 1);
    }
    // hold what may begin a delimiter's line end: "\r", "\n", "\r\n", "\n-", "\r\n-"
    let keep = buf.length;
    if (!final) {
      for (let k = Math.max(pos, buf.length - 3); k < buf.length; k++) {
        const b = buf[k];
        if ((b === CR && (k + 1 === buf.length || buf[k + 1] === LF) && (k + 2 >= buf.length || buf[k + 2] === DASH)) || (b === LF && buf.subarray(k + 1).every((x) => x === DASH))) {
          keep = k;
          break;
        }
      }
    }
    this.content(buf.subarray(pos, keep));
    if (keep < buf.length) {
      this.held = Buffer.from(buf.subarray(keep));
      return -1;
    }
    return buf.length;
  }

  private content(b: Buffer): void {
    if (!b.length) return;
    this.events.push(this.mode === 'body' ? { type: 'body', data: b } : { type: 'literal', data: Buffer.from(b) });
  }

  /** A delimiter of the multipart at `level` (bytes: the line end before it and the line). */
  private delimiter(bytes: Buffer, level: number, close: boolean): void {
    if (this.mode === 'body') this.events.push({ type: 'body-end' });
    this.events.push({ type: 'literal', data: bytes });
    this.stack.length = level + 1;
    const m = this.stack[level];
    if (close) {
      m.closed = true;
      this.mode = 'text';
      this.lineStart = false; // the rest of the close line is epilogue
      return;
    }
    this.mode = 'header';
    this.depth = m.depth + 1;
    this.inDigest = m.digest;
    this.lineStart = true;
  }

  /** Does a delimiter line of an open multipart start at `d`? */
  private match(buf: Buffer, d: number, final: boolean): Match {
    const len = buf.length;
    if (d + 2 > len) return final ? undefined : buf.subarray(d).every((b) => b === DASH) ? 'more' : undefined;
    if (buf[d] !== DASH || buf[d + 1] !== DASH) return undefined;
    let more = false;
    for (let level = this.stack.length - 1; level >= 0; level--) {
      const f = this.stack[level];
      if (f.closed) continue;
      const delim = f.delimiter;
      const avail = len - d;
      if (avail < delim.length) {
        if (buf.compare(delim, 0, avail, d, len) === 0) more = true;
        continue;
      }
      if (buf.compare(delim, 0, delim.length, d, d + delim.length) !== 0) continue;
      const e = d + delim.length;
      if (e + 2 <= len && buf[e] === DASH && buf[e + 1] === DASH) return { end: e + 2, level, close: true };
      let k = e;
      while (k < len && k - e <= MAX_PADDING && (buf[k] === 0x20 || buf[k] === 0x09)) k++;
      if (k >= len) {
        if (final) return { end: k, level, close: false };
        more = true;
        continue;
      }
      if (buf[k] === DASH && k === e && e + 1 >= len) {
        if (!final) more = true;
        continue;
      }
      if (buf[k] === CR) {
        if (k + 1 >= len) {
          if (!final) more = true;
          continue;
        }
        if (buf[k + 1] === LF) return { end: k + 2, level, close: false };
        continue;
      }
      if (buf[k] === LF) return { end: k + 1, level, close: false };
    }
    return more && !final ? 'more' : undefined;
  }
}
