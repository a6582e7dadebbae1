// A streaming base64 encoder for bodies (RFC 2045 §6.8): 76 columns, CRLF
// between lines, as a chunk encoder push(chunk) -> Buffer, finish() -> Buffer.

const LINE_BYTES = 57; // 57 input bytes = 76 base64 characters

export interface Base64EncoderOptions {
  /** End the output with CRLF (default true). `put` leaves it to the delimiter. */
  finalNewline?: boolean;
}

export class Base64Encoder {
  private carry: Buffer = Buffer.alloc(0);
  private lines = 0;
  private readonly finalNewline: boolean;

  constructor(opts: Base64EncoderOptions = {}) {
    this.finalNewline = opts.finalNewline ?? true;
  }

  push(chunk: Uint8Array): Buffer {
    const data = this.carry.length ? Buffer.concat([this.carry, chunk]) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const full = Math.floor(data.length / LINE_BYTES);
    // keep at least one byte back so the last line is written by finish()
    const emit = data.length % LINE_BYTES === 0 && full > 0 ? full - 1 : full;
    this.carry = Buffer.from(data.subarray(emit * LINE_BYTES));
    if (emit === 0) return Buffer.alloc(0);
    // 57 bytes give exactly 76 characters: encode the run at once, then cut it into lines
    const b64 = Buffer.from(data.toString('base64', 0, emit * LINE_BYTES), 'latin1');
    const out = Buffer.allocUnsafe(b64.length + emit * 2);
    let o = 0;
    for (let i = 0; i < emit; i++) {
      if (this.lines++ > 0) {
        out[o++] = 0x0d;
        out[o++] = 0x0a;
      }
      o += b64.copy(out, o, i * 76, (i + 1) * 76);
    }
    return out.subarray(0, o);
  }

  finish(): Buffer {
    let s = '';
    if (this.carry.length) s = (this.lines++ === 0 ? '' : '\r\n') + this.carry.toString('base64');
    if (this.finalNewline && this.lines > 0) s += '\r\n';
    this.carry = Buffer.alloc(0);
    return Buffer.from(s, 'latin1');
  }
}

export function encodeBase64Body(data: Uint8Array, opts: Base64EncoderOptions = {}): Buffer {
  const e = new Base64Encoder(opts);
  return Buffer.concat([e.push(data), e.finish()]);
}
