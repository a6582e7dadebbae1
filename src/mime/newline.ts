// Line-end normalisation to the wire form (CRLF), as a chunk decoder.
// `auto` and `lf` turn every bare LF into CRLF, so LF, CRLF and mixed input all
// become CRLF; `crlf` trusts the input and passes it through untouched.

export type NewlineMode = 'auto' | 'lf' | 'crlf';

const LF = 0x0a;
const CR = 0x0d;

export class NewlineNormalizer {
  private lastWasCR = false;

  constructor(readonly mode: NewlineMode = 'auto') {}

  push(chunk: Uint8Array): Buffer {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.mode === 'crlf' || buf.length === 0) return buf;
    // Count bare LFs first: most wire-form input has none and is returned as is.
    let bare = 0;
    let prevCR = this.lastWasCR;
    let i = buf.indexOf(LF);
    while (i !== -1) {
      if (!(i === 0 ? prevCR : buf[i - 1] === CR)) bare++;
      i = buf.indexOf(LF, i + 1);
    }
    const endsCR = buf[buf.length - 1] === CR;
    if (bare === 0) {
      this.lastWasCR = endsCR;
      return buf;
    }
    const out = Buffer.allocUnsafe(buf.length + bare);
    let o = 0;
    let start = 0;
    prevCR = this.lastWasCR;
    i = buf.indexOf(LF);
    while (i !== -1) {
      if (!(i === 0 ? prevCR : buf[i - 1] === CR)) {
        o += buf.copy(out, o, start, i);
        out[o++] = CR;
        start = i; // the LF itself is copied with the next run
      }
      i = buf.indexOf(LF, i + 1);
    }
    o += buf.copy(out, o, start);
    this.lastWasCR = endsCR;
    return out.subarray(0, o);
  }

  finish(): Buffer {
    return Buffer.alloc(0);
  }
}

/** Converts a whole (small) string or buffer; for tests and short values. */
export function toCRLF(input: string | Uint8Array): Buffer {
  const n = new NewlineNormalizer('auto');
  return n.push(typeof input === 'string' ? Buffer.from(input, 'utf8') : input);
}

/** CRLF → LF for `--newline lf` output, as a chunk decoder. */
export class CrlfToLf {
  private pendingCR = false;

  push(chunk: Uint8Array): Buffer {
    let buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    if (this.pendingCR) {
      this.pendingCR = false;
      if (buf[0] !== LF) buf = Buffer.concat([Buffer.from([CR]), buf]);
    }
    if (buf.length && buf[buf.length - 1] === CR) {
      this.pendingCR = true;
      buf = buf.subarray(0, buf.length - 1);
    }
    if (buf.indexOf(CR) === -1) return buf;
    const out = Buffer.allocUnsafe(buf.length);
    let o = 0;
    for (let i = 0; i < buf.length; i++) {
      if (buf[i] === CR && buf[i + 1] === LF) continue;
      out[o++] = buf[i];
    }
    return out.subarray(0, o);
  }

  finish(): Buffer {
    if (this.pendingCR) {
      this.pendingCR = false;
      return Buffer.from([CR]);
    }
    return Buffer.alloc(0);
  }
}
