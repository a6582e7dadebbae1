// Writing messages as mboxrd (the reversible variant, format.ts): each
// message is its From_ line, its lines with CRLF turned into LF and one `>`
// added before every /^>*From / line, a line end if the message lacked a
// final one, then the empty line that ends every message (RFC 4155 §2).
// Streaming: a message is pushed in chunks; at most 4 bytes are held.
import { CrlfToLf } from '../mime/newline.ts';
import { formatFromLine } from './from-line.ts';

const LF = 0x0a;
const GT = 0x3e;
const EMPTY = Buffer.alloc(0);
const FROM_SP = Buffer.from('From ');
const GT_BUF = Buffer.from('>');
const NL_F = Buffer.from('\nF');
const NL_GT = Buffer.from('\n>');

/** One message in mboxrd form: `start()` gives the From_ line, `push()` the quoted bytes, `finish()` the end. */
export class MboxrdMessageWriter {
  private readonly lf = new CrlfToLf();
  /** At a line start or inside its leading `>` run. */
  private head = true;
  /** Bytes after a `>` run that may be the start of `From `. */
  private held: Buffer = EMPTY;
  private last = LF;
  private any = false;

  /** The From_ line (sender, instant) that opens the message. */
  static fromLine(sender: string, epochMs: number): Buffer {
    return Buffer.from(formatFromLine(sender, epochMs), 'latin1');
  }

  push(chunk: Uint8Array): Buffer {
    return this.quote(this.lf.push(chunk));
  }

  /** The held bytes, a final LF if needed, and the blank line that ends the message. */
  finish(): Buffer {
    const tail = this.quote(this.lf.finish());
    const rest = this.held;
    this.held = EMPTY;
    if (rest.length) this.last = rest[rest.length - 1];
    const parts = [tail, rest];
    if (this.any && this.last !== LF) parts.push(Buffer.from('\n'));
    parts.push(Buffer.from('\n'));
    return Buffer.concat(parts);
  }

  private quote(chunk: Buffer): Buffer {
    if (chunk.length === 0) return EMPTY;
    this.any = true;
    const data = this.held.length ? Buffer.concat([this.held, chunk]) : chunk;
    this.held = EMPTY;
    const n = data.length;
    const parts: Buffer[] = [];
    let start = 0;
    let p = 0;
    let nF = -1;
    let nG = -1;
    while (p < n) {
      if (this.head) {
        let q = p;
        while (q < n && data[q] === GT) q++;
        if (q === n) break; // still inside the run: the `>` bytes go out as they are
        const avail = Math.min(n - q, 5);
        if (data.compare(FROM_SP, 0, avail, q, q + avail) === 0) {
          if (avail < 5) {
            // Maybe `From `: decide with the next chunk.
            parts.push(data.subarray(start, q));
            this.held = Buffer.from(data.subarray(q));
            start = n;
            break;
          }
          // /^>*From /: one more `>` (after the run: all its bytes are alike).
          parts.push(data.subarray(start, q), GT_BUF);
          start = q;
        }
        this.head = false;
        p = q;
        continue;
      }
      if (nF < p) nF = data.indexOf(NL_F, p);
      if (nF < 0) nF = n;
      if (nG < p) nG = data.indexOf(NL_GT, p);
      if (nG < 0) nG = n;
      const next = Math.min(nF, nG);
      if (next >= n) {
        p = n;
        break;
      }
      p = next + 1;
      this.head = true;
    }
    if (start < n) parts.push(data.subarray(start));
    if (!this.head && data[n - 1] === LF) this.head = true;
    const out = parts.length === 1 ? parts[0] : Buffer.concat(parts);
    if (out.length) this.last = out[out.length - 1];
    return out;
  }
}

/** A whole message (a string or bytes) as one mboxrd entry: for tests and small messages. */
export function mboxrdEntry(sender: string, epochMs: number, message: string | Uint8Array): Buffer {
  const w = new MboxrdMessageWriter();
  const body = typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
  return Buffer.concat([MboxrdMessageWriter.fromLine(sender, epochMs), w.push(body), w.finish()]);
}
