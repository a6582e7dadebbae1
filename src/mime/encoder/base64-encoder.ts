// A streaming base64 encoder for bodies (RFC 2045 §6.8): 76 columns, CRLF
// between lines, as a chunk encoder push(chunk) -> Buffer, finish() -> Buffer.

const LINE_BYTES = 57; // 57 input bytes = 76 base64 characters
const SLICE_LINES = 800; // 45,600 bytes in, 60,800 characters out

export interface Base64EncoderOptions {
  /** End the output with CRLF (default true). `put` leaves it to the delimiter. */
  finalNewline?: boolean;
}

export class Base64Encoder {
  private carry: Buffer = Buffer.alloc(0);
  private written = 0; // lines written so far
  private readonly finalNewline: boolean;

  constructor(opts: Base64EncoderOptions = {}) {
    this.finalNewline = opts.finalNewline ?? true;
  }

  push(chunk: Uint8Array): Buffer {
    let input = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const parts: Buffer[] = [];
    if (this.carry.length) {
      // Complete the carried line with the head of the chunk (a copy of at most 56 bytes).
      const need = LINE_BYTES - this.carry.length;
      if (input.length <= need) {
        this.carry = Buffer.concat([this.carry, input]);
        return Buffer.alloc(0);
      }
      parts.push(this.lines(Buffer.concat([this.carry, input.subarray(0, need)]), 1));
      this.carry = Buffer.alloc(0);
      input = input.subarray(need);
    }
    const full = Math.floor(input.length / LINE_BYTES);
    // keep at least one byte back so the last line is written by finish()
    const emit = input.length % LINE_BYTES === 0 && full > 0 ? full - 1 : full;
    this.carry = Buffer.from(input.subarray(emit * LINE_BYTES));
    if (emit > 0) parts.push(this.lines(input, emit));
    return parts.length === 1 ? parts[0] : Buffer.concat(parts);
  }

  /**
   * `count` whole lines from the start of DATA. The base64 of the run is
   * written once at the end of the output buffer, then each 76-character line
   * is moved down into place (copyWithin: no allocation, no per-line Buffer)
   * with CRLF between lines.
   */
  private lines(data: Buffer, count: number): Buffer {
    const out = Buffer.allocUnsafe(count * 78 - (this.written === 0 ? 2 : 0));
    let o = 0;
    // Runs of at most SLICE_LINES lines: their base64 strings stay small enough
    // for V8's young generation (a large string lives until a full GC: RSS).
    for (let first = 0; first < count; first += SLICE_LINES) {
      const n = Math.min(SLICE_LINES, count - first);
      const text = data.toString('base64', first * LINE_BYTES, (first + n) * LINE_BYTES);
      // The text goes at the end of the space this run takes, then each line moves down into place.
      const runSize = n * 78 - (this.written === 0 ? 2 : 0);
      const src = o + runSize - text.length;
      out.write(text, src, 'latin1');
      for (let i = 0; i < n; i++) {
        if (this.written++ > 0) {
          out[o++] = 0x0d;
          out[o++] = 0x0a;
        }
        out.copyWithin(o, src + i * 76, src + (i + 1) * 76);
        o += 76;
      }
    }
    return out;
  }

  finish(): Buffer {
    let s = '';
    if (this.carry.length) s = (this.written++ === 0 ? '' : '\r\n') + this.carry.toString('base64');
    if (this.finalNewline && this.written > 0) s += '\r\n';
    this.carry = Buffer.alloc(0);
    return Buffer.from(s, 'latin1');
  }
}

export function encodeBase64Body(data: Uint8Array, opts: Base64EncoderOptions = {}): Buffer {
  const e = new Base64Encoder(opts);
  return Buffer.concat([e.push(data), e.finish()]);
}
