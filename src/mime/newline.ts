// Line-end normalisation to the wire form (CRLF), as a chunk decoder.
// `auto` and `lf` turn every bare LF into CRLF, so LF, CRLF and mixed input all
// become CRLF; `crlf` trusts the input and passes it through untouched.

export type NewlineMode = 'auto' | 'lf' | 'crlf';

const LF = 0x0a;
const CR = 0x0d;

export class NewlineNormalizer {
  private lastWasCR = false;
  /**
   * `auto` looks at the first line end once: a bare CR (old Mac) or LF CR
   * (a broken converter) switches to reading those as line ends; anything
   * else (LF, CRLF, mixed) keeps the LF -> CRLF rule, bare CRs kept.
   */
  private legacy: 'undecided' | 'no' | 'cr' | 'lfcr';

  constructor(readonly mode: NewlineMode = 'auto') {
    this.legacy = mode === 'auto' ? 'undecided' : 'no';
  }

  push(chunk: Uint8Array): Buffer {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.mode === 'crlf' || buf.length === 0) return buf;
    if (this.legacy === 'undecided') {
      // Hold the start of the input until its first line end tells the convention.
      this.head = this.head ? Buffer.concat([this.head, buf]) : Buffer.from(buf);
      if (!this.decide(this.head, false)) return EMPTY;
      return this.pushDecided(this.takeHead());
    }
    return this.pushDecided(buf);
  }

  private takeHead(): Buffer {
    const h = this.head ?? EMPTY;
    this.head = undefined;
    return h;
  }

  private pushDecided(buf: Buffer): Buffer {
    if (buf.length === 0) return buf;
    if (this.legacy === 'cr' || this.legacy === 'lfcr') return this.legacyPush(buf);
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

  /**
   * Decides from the held start of the input; false to wait for more. CR mode
   * when the start has a CR and no LF at all (4 KiB seen, or the end);
   * LF CR mode when the first LF is followed by a CR and not preceded by one.
   */
  private decide(head: Buffer, atEnd: boolean): boolean {
    const lf = head.indexOf(LF);
    if (lf === -1) {
      if (!atEnd && head.length < HEAD_MAX) return false;
      this.legacy = head.indexOf(CR) !== -1 ? 'cr' : 'no';
      return true;
    }
    if (lf + 1 >= head.length && !atEnd) return false;
    this.legacy = head[lf + 1] === CR && (lf === 0 || head[lf - 1] !== CR) ? 'lfcr' : 'no';
    return true;
  }

  /** CR-only input: every CR, LF or CRLF is one line end. LF CR input: LF CR is one line end. */
  private legacyPush(buf: Buffer): Buffer {
    const out = Buffer.allocUnsafe(buf.length * 2);
    const cr = this.legacy === 'cr';
    let o = 0;
    let pend = this.pend;
    for (let i = 0; i < buf.length; i++) {
      const c = buf[i];
      // The second byte of a CR LF (CR mode) or LF CR (LF CR mode) pair, maybe across chunks.
      if ((pend === CR && c === LF) || (pend === LF && c === CR)) {
        pend = 0;
        continue;
      }
      pend = 0;
      if (c === LF || (cr && c === CR)) {
        out[o++] = CR;
        out[o++] = LF;
        pend = cr ? (c === CR ? CR : 0) : LF;
      } else out[o++] = c;
    }
    this.pend = pend;
    return out.subarray(0, o);
  }

  /** The first byte of a two-byte line end just written (0: none). */
  private pend = 0;

  finish(): Buffer {
    if (this.legacy !== 'undecided' || !this.head) return EMPTY;
    this.decide(this.head, true);
    return this.pushDecided(this.takeHead());
  }

  private head: Buffer | undefined;
}

const EMPTY = Buffer.alloc(0);
/** Bytes held at most before deciding that a start without LF is CR-only. */
const HEAD_MAX = 4096;

/** Converts a whole (small) string or buffer; for tests and short values. */
export function toCRLF(input: string | Uint8Array): Buffer {
  const n = new NewlineNormalizer('auto');
  const head = Buffer.from(n.push(typeof input === 'string' ? Buffer.from(input, 'utf8') : input));
  return Buffer.concat([head, n.finish()]);
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
