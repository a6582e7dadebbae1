// DATA transparency (RFC 5321 §4.5.2), both ways, streaming: the client
// doubles a leading dot on every line and ends with CRLF.CRLF; the server
// removes it and detects the terminating line across chunk boundaries.
// Only CRLF begins a line here, so a bare LF followed by ".\r\n" never ends the
// data (the SMTP smuggling trick of 2023 does not work against us).

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;
const CRLF_DOT = Buffer.from('.');
const TERMINATOR = Buffer.from('.\r\n');

/** Client side: message chunks in (CRLF), stuffed chunks out; `finish()` gives the tail and the terminator. */
export class DotStuffer {
  private bol = true; // at the beginning of a line
  private lastCR = false;
  private any = false;

  push(chunk: Uint8Array): Buffer {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    if (buf.length === 0) return buf;
    this.any = true;
    const parts: Buffer[] = [];
    let start = 0;
    let i = 0;
    if (this.bol && buf[0] === DOT) parts.push(CRLF_DOT);
    for (;;) {
      const nl = buf.indexOf(LF, i);
      if (nl === -1 || nl === buf.length - 1) break;
      if (buf[nl + 1] === DOT) {
        parts.push(buf.subarray(start, nl + 1), CRLF_DOT);
        start = nl + 1;
      }
      i = nl + 1;
    }
    parts.push(start === 0 ? buf : buf.subarray(start));
    const last = buf[buf.length - 1];
    this.bol = last === LF;
    this.lastCR = last === CR;
    return parts.length === 1 ? parts[0] : Buffer.concat(parts);
  }

  /** The end of the data: a CRLF if the message did not end with one, then `.` CRLF. */
  finish(): Buffer {
    if (!this.any || this.bol) return TERMINATOR;
    return Buffer.from(this.lastCR ? '\n.\r\n' : '\r\n.\r\n');
  }
}

export interface UnstuffResult {
  /** Message bytes (leading dots removed). */
  data: Buffer;
  /** True once the terminating `.` line was seen. */
  done: boolean;
  /** Bytes after the terminating line (pipelined commands): only when done. */
  rest: Buffer;
}

/** Server side: bytes after 354 in, message bytes out, until the lone `.` line. */
export class DotUnstuffer {
  private bol = true;
  private held: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): UnstuffResult {
    const buf = this.held.length ? Buffer.concat([this.held, chunk]) : chunk;
    this.held = Buffer.alloc(0);
    const out: Buffer[] = [];
    let i = 0;
    const n = buf.length;
    while (i < n) {
      if (this.bol) {
        if (buf[i] !== DOT) {
          this.bol = false;
          continue;
        }
        if (i + 1 >= n) {
          this.held = Buffer.from(buf.subarray(i));
          break;
        }
        if (buf[i + 1] === CR) {
          if (i + 2 >= n) {
            this.held = Buffer.from(buf.subarray(i));
            break;
          }
          if (buf[i + 2] === LF) {
            return { data: concat(out), done: true, rest: buf.subarray(i + 3) };
          }
        }
        // A stuffed dot: drop it, the rest of the line is data.
        i++;
        this.bol = false;
        continue;
      }
      const crlf = buf.indexOf('\r\n', i);
      if (crlf === -1) {
        if (buf[n - 1] === CR) {
          if (n - 1 > i) out.push(buf.subarray(i, n - 1));
          this.held = Buffer.from([CR]);
        } else {
          out.push(buf.subarray(i));
        }
        break;
      }
      out.push(buf.subarray(i, crlf + 2));
      i = crlf + 2;
      this.bol = true;
    }
    return { data: concat(out), done: false, rest: Buffer.alloc(0) };
  }
}

function concat(parts: Buffer[]): Buffer {
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}
