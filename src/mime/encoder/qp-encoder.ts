// A streaming quoted-printable encoder (RFC 2045 §6.7) as a chunk encoder:
// push(chunk) -> Buffer, finish() -> Buffer. Lines stay within 76 columns
// (soft breaks `=` CRLF), `=` and non-printables are escaped, whitespace before
// a line end is escaped, and a `.`, `F` or `-` starting a line is escaped so
// that neither an SMTP end-of-data `.`, an mbox `From ` line nor a multipart
// delimiter (`--boundary`, whatever the boundary) can appear.
//
// In text mode a CRLF in the input is a hard line break; a lone CR or LF is
// escaped (=0D, =0A) so the decoded bytes are exactly the input. In binary mode
// every CR and LF is escaped.

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const TAB = 0x09;
const EQ = 0x3d;
const HEX = Buffer.from('0123456789ABCDEF', 'latin1');
/** Content columns per line: 75 plus the soft-break `=`. */
const MAX = 75;

export interface QpEncoderOptions {
  /** CRLF in the input is a line break (default true); false escapes every CR and LF. */
  text?: boolean;
  /** End the output with a line break (a soft one if the data does not end with CRLF). */
  finalNewline?: boolean;
}

export class QuotedPrintableEncoder {
  private readonly text: boolean;
  private readonly finalNewline: boolean;
  private col = 0;
  private pendingWsp = -1; // a space or tab that may turn out to end a line
  private pendingCR = false; // a CR waiting to see whether LF follows
  private out: Buffer = Buffer.alloc(0);
  private o = 0;

  constructor(opts: QpEncoderOptions = {}) {
    this.text = opts.text ?? true;
    this.finalNewline = opts.finalNewline ?? false;
  }

  push(chunk: Uint8Array): Buffer {
    this.reserve(chunk.length);
    for (let i = 0; i < chunk.length; i++) this.byte(chunk[i]);
    return this.take();
  }

  finish(): Buffer {
    this.reserve(16);
    if (this.pendingCR) {
      this.pendingCR = false;
      this.flushWsp(true);
      this.escaped(CR);
    }
    this.flushWsp(true);
    if (this.finalNewline && this.col > 0) this.softBreak();
    return this.take();
  }

  private byte(b: number): void {
    if (this.pendingCR) {
      this.pendingCR = false;
      if (b === LF) {
        this.flushWsp(true);
        this.out[this.o++] = CR;
        this.out[this.o++] = LF;
        this.col = 0;
        return;
      }
      this.flushWsp(false);
      this.escaped(CR);
    }
    if (b === SP || b === TAB) {
      this.flushWsp(false);
      this.pendingWsp = b;
      return;
    }
    if (b === CR && this.text) {
      this.pendingCR = true;
      return;
    }
    this.flushWsp(false);
    if (b > 32 && b < 127 && b !== EQ && !(this.col === 0 && (b === 0x2e || b === 0x46 || b === 0x2d))) this.literal(b);
    else this.escaped(b);
  }

  /** Writes a held space/tab: escaped when it ends a line, literal otherwise. */
  private flushWsp(atLineEnd: boolean): void {
    if (this.pendingWsp < 0) return;
    const w = this.pendingWsp;
    this.pendingWsp = -1;
    if (atLineEnd) this.escaped(w);
    else this.literal(w);
  }

  private literal(b: number): void {
    if (this.col + 1 > MAX) this.softBreak();
    this.out[this.o++] = b;
    this.col += 1;
  }

  private escaped(b: number): void {
    if (this.col + 3 > MAX) this.softBreak();
    this.out[this.o++] = EQ;
    this.out[this.o++] = HEX[b >> 4];
    this.out[this.o++] = HEX[b & 15];
    this.col += 3;
  }

  private softBreak(): void {
    this.out[this.o++] = EQ;
    this.out[this.o++] = CR;
    this.out[this.o++] = LF;
    this.col = 0;
  }

  /** Room for n more input bytes: at most 3 output bytes each, plus soft breaks and held bytes. */
  private reserve(n: number): void {
    const need = n * 3 + Math.ceil((n * 3) / MAX) * 3 + 16;
    if (this.out.length - this.o < need) {
      const next = Buffer.allocUnsafe(this.o + need);
      this.out.copy(next, 0, 0, this.o);
      this.out = next;
    }
  }

  private take(): Buffer {
    const r = Buffer.from(this.out.subarray(0, this.o));
    this.o = 0;
    return r;
  }
}

/** Encodes a whole buffer (convenience for small bodies and tests). */
export function encodeQuotedPrintable(data: Uint8Array, opts: QpEncoderOptions = {}): Buffer {
  const e = new QuotedPrintableEncoder(opts);
  return Buffer.concat([e.push(data), e.finish()]);
}
