// A streaming quoted-printable decoder (RFC 2045 §6.7): chunks in, bytes out,
// any chunking giving the same bytes. `=XX` (either case) is the byte XX, `=`
// at the end of a line is a soft line break, white space at the end of a line
// is transport padding and removed. A `=` not followed by two hex digits is
// kept as it is (RFC 2045 §6.7 note 1: be robust). Line breaks are CRLF on
// output (a bare LF in the input ends a line too). Memory: one line of carry,
// bounded; the literal runs between `=` are copied natively.

const LF = 0x0a;
const CR = 0x0d;
const EQ = 0x3d;
const SP = 0x20;
const TAB = 0x09;
/** An unfinished line longer than this is decoded without waiting for its end. */
const MAX_CARRY = 64 * 1024;

const HEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) HEX[0x30 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX[0x41 + i] = 10 + i;
  HEX[0x61 + i] = 10 + i;
}

export class QuotedPrintableDecoder {
  private carry: Buffer | undefined;
  /** `=` sequences that are not `=XX` nor a soft break (kept literally). */
  invalid = 0;

  push(chunk: Buffer): Buffer {
    let buf = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = undefined;
    const last = buf.lastIndexOf(LF);
    let done = last + 1;
    if (buf.length - done > MAX_CARRY) {
      // A very long line: decode it up to a point that cuts no `=XX` in two.
      // White space (or a CR) just before the cut may still be transport
      // padding or half a CRLF, so it waits too, but only up to MAX_CARRY of
      // it: the carry stays bounded and each push looks back a bounded way
      // (a line of 1 MB of '=' took quadratic time and unbounded memory).
      let safe = buf.length - 2;
      const floor = Math.max(done, buf.length - MAX_CARRY);
      while (safe > floor && (buf[safe - 1] === SP || buf[safe - 1] === TAB || buf[safe - 1] === CR)) safe--;
      // An `=` right before the cut, or one followed by a single hex digit, may start `=XX`;
      // an `=` followed by a byte that is not a hex digit is decided (kept literally).
      if (buf[safe - 1] === EQ) safe--;
      else if (buf[safe - 2] === EQ && HEX[buf[safe - 1]] >= 0) safe -= 2;
      if (safe > done) done = safe;
    }
    if (done < buf.length) this.carry = Buffer.from(buf.subarray(done));
    buf = buf.subarray(0, done);
    return done ? this.decode(buf, false) : EMPTY;
  }

  /** End of the body: the last line (without a line break). */
  finish(): Buffer {
    const c = this.carry;
    this.carry = undefined;
    return c ? this.decode(c, true) : EMPTY;
  }

  /** Lines of `buf` (each ending in LF, except the last one when `final`, or a cut long line). */
  private decode(buf: Buffer, final: boolean): Buffer {
    const out = Buffer.allocUnsafe(buf.length * 2); // a bare LF becomes CRLF
    let o = 0;
    let start = 0;
    while (start < buf.length) {
      const nl = buf.indexOf(LF, start);
      const hasBreak = nl !== -1;
      const lineEnd = hasBreak ? nl : buf.length;
      let end = lineEnd;
      if (hasBreak && end > start && buf[end - 1] === CR) end--;
      // Transport padding: trailing white space is not part of the line.
      if (hasBreak || final) while (end > start && (buf[end - 1] === SP || buf[end - 1] === TAB)) end--;
      let soft = false;
      if ((hasBreak || final) && end > start && buf[end - 1] === EQ) {
        soft = true;
        end--;
      }
      o = this.decodeRun(buf, start, end, out, o);
      if (hasBreak && !soft) {
        out[o++] = CR;
        out[o++] = LF;
      }
      start = hasBreak ? nl + 1 : buf.length;
    }
    return out.subarray(0, o);
  }

  private decodeRun(buf: Buffer, start: number, end: number, out: Buffer, o: number): number {
    let i = start;
    while (i < end) {
      let eq = buf.indexOf(EQ, i);
      if (eq === -1 || eq >= end) eq = end;
      if (eq > i) o += buf.copy(out, o, i, eq);
      if (eq >= end) break;
      const hi = eq + 2 < end ? HEX[buf[eq + 1]] : -1;
      const lo = eq + 2 < end ? HEX[buf[eq + 2]] : -1;
      if (hi >= 0 && lo >= 0) {
        out[o++] = (hi << 4) | lo;
        i = eq + 3;
      } else {
        this.invalid++;
        out[o++] = EQ;
        i = eq + 1;
      }
    }
    return o;
  }
}

const EMPTY = Buffer.alloc(0);
