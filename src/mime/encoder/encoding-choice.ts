// Choosing and checking a Content-Transfer-Encoding from what a body holds.
// A BodyScanner is fed the body chunk by chunk (one pass, constant memory);
// chooseEncoding then picks 7bit when every line is ASCII and at most 998
// octets, quoted-printable for text, base64 for binary; checkEncoding tells
// why an explicit 7bit or 8bit would corrupt the body.
import { err, ok, type Result } from '../../result.ts';

export type TransferEncoding = '7bit' | '8bit' | 'binary' | 'base64' | 'quoted-printable';
export const TRANSFER_ENCODINGS: readonly TransferEncoding[] = ['7bit', '8bit', 'binary', 'base64', 'quoted-printable'];

export function isTransferEncoding(s: string): s is TransferEncoding {
  return (TRANSFER_ENCODINGS as readonly string[]).includes(s);
}

export interface BodyStats {
  size: number;
  nul: number;
  eightBit: number;
  /** C0 controls other than TAB, CR, LF; and DEL. */
  control: number;
  bareCR: number;
  bareLF: number;
  longestLine: number;
  validUtf8: boolean;
  /** Line number (1-based) of the first line breaking 7bit, for messages. */
  firstBad7bitLine: number;
  /** A line that is a multipart delimiter for the boundary asked about. */
  boundaryLine: boolean;
  /** Empty, or its last line ends with CRLF. */
  endsWithCRLF: boolean;
}

const CR = 0x0d;
const LF = 0x0a;

export class BodyScanner {
  private s: BodyStats = {
    size: 0, nul: 0, eightBit: 0, control: 0, bareCR: 0, bareLF: 0, longestLine: 0, validUtf8: true, firstBad7bitLine: 0, boundaryLine: false, endsWithCRLF: true,
  };
  private lineLen = 0;
  private line = 1;
  private prevCR = false;
  private utf8Need = 0; // continuation bytes still expected
  private readonly delimiter: Buffer | undefined;
  private lineHead: number[] = []; // the first bytes of the current line, for the delimiter test

  /** `boundary`: also report whether a line starts with `--boundary`. */
  constructor(boundary?: string) {
    this.delimiter = boundary === undefined ? undefined : Buffer.from('--' + boundary, 'latin1');
  }

  push(chunk: Uint8Array): void {
    const s = this.s;
    s.size += chunk.length;
    const delim = this.delimiter;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (this.prevCR && b !== LF) {
        s.bareCR++;
        this.bad7();
      }
      if (b === LF) {
        if (!this.prevCR) {
          s.bareLF++;
          this.bad7();
        }
        this.endLine();
        this.s.endsWithCRLF = this.prevCR;
        this.prevCR = false;
        continue;
      }
      this.prevCR = b === CR;
      this.s.endsWithCRLF = false;
      if (b === CR) continue;
      this.lineLen++;
      if (delim && this.lineHead.length < delim.length) this.lineHead.push(b);
      if (b >= 0x80) {
        s.eightBit++;
        this.bad7();
        if (this.utf8Need > 0) {
          if ((b & 0xc0) === 0x80) this.utf8Need--;
          else s.validUtf8 = false;
        } else if ((b & 0xe0) === 0xc0 && b >= 0xc2) this.utf8Need = 1;
        else if ((b & 0xf0) === 0xe0) this.utf8Need = 2;
        else if ((b & 0xf8) === 0xf0 && b <= 0xf4) this.utf8Need = 3;
        else s.validUtf8 = false;
      } else {
        if (this.utf8Need > 0) {
          s.validUtf8 = false;
          this.utf8Need = 0;
        }
        if (b === 0) {
          s.nul++;
          this.bad7();
        } else if ((b < 0x20 && b !== 0x09) || b === 0x7f) s.control++;
      }
    }
  }

  /** Enough seen for `--encoding auto`: a NUL byte means base64 whatever follows. */
  get certainlyBinary(): boolean {
    return this.s.nul > 0;
  }

  finish(): BodyStats {
    if (this.prevCR) {
      this.s.bareCR++;
      this.bad7();
    }
    if (this.utf8Need > 0) this.s.validUtf8 = false;
    this.endLine();
    return { ...this.s };
  }

  private endLine(): void {
    if (this.lineLen > this.s.longestLine) this.s.longestLine = this.lineLen;
    if (this.lineLen > 998) this.bad7();
    const d = this.delimiter;
    if (d && this.lineHead.length === d.length && d.equals(Buffer.from(this.lineHead))) this.s.boundaryLine = true;
    this.lineHead = [];
    this.lineLen = 0;
    this.line++;
  }

  private bad7(): void {
    if (!this.s.firstBad7bitLine) this.s.firstBad7bitLine = this.line;
  }
}

export function scanBody(data: Uint8Array, boundary?: string): BodyStats {
  const s = new BodyScanner(boundary);
  s.push(data);
  return s.finish();
}

/** Binary: NUL, many control characters, or mostly 8-bit bytes that are not UTF-8. */
export function looksBinary(s: BodyStats): boolean {
  if (s.nul > 0) return true;
  if (s.control > s.size / 100) return true;
  if (!s.validUtf8 && s.eightBit > s.size * 0.3) return true;
  return false;
}

function fits7bit(s: BodyStats): boolean {
  return s.eightBit === 0 && s.nul === 0 && s.bareCR === 0 && s.bareLF === 0 && s.longestLine <= 998;
}

/**
 * `--encoding auto`: 7bit when the body is plain ASCII lines of at most 998
 * octets (and holds no delimiter line), quoted-printable for text, base64 for
 * anything binary.
 */
export function chooseEncoding(s: BodyStats, opts: { mustEndWithCRLF?: boolean } = {}): TransferEncoding {
  // a message body that does not end in CRLF is written as quoted-printable, whose
  // final soft break gives every line its CRLF without changing the content
  const endOk = s.endsWithCRLF || !opts.mustEndWithCRLF;
  if (fits7bit(s) && s.control === 0 && !s.boundaryLine && endOk) return '7bit';
  return looksBinary(s) ? 'base64' : 'quoted-printable';
}

/**
 * The identity encoding a body needs (RFC 2045 §6.2): for message/* parts,
 * which RFC 2046 §5.2.1 never lets be base64 or quoted-printable.
 */
export function identityEncoding(s: BodyStats): TransferEncoding {
  return s.nul || s.bareCR || s.bareLF || s.longestLine > 998 ? 'binary' : s.eightBit ? '8bit' : '7bit';
}

/** ENC when it carries this body unchanged, else `unsafe` and why (RFC 2045 §2.7-2.9, RFC 2046 §5.1.1). */
export function checkEncoding(enc: TransferEncoding, s: BodyStats): Result<TransferEncoding, 'unsafe'> {
  if (enc === 'base64' || enc === 'quoted-printable') return ok(enc);
  if (s.boundaryLine) return err('unsafe', `the content holds a line that is the multipart delimiter; use base64 or quoted-printable`);
  if (enc === 'binary') return ok(enc);
  const where = s.firstBad7bitLine ? ` (line ${s.firstBad7bitLine})` : '';
  if (s.nul) return err('unsafe', `${enc} cannot carry NUL bytes${where}`);
  if (s.bareCR || s.bareLF) return err('unsafe', `${enc} cannot carry a bare CR or LF${where}`);
  if (s.longestLine > 998) return err('unsafe', `${enc} cannot carry a line of ${s.longestLine} octets (998 at most)${where}`);
  if (enc === '7bit' && s.eightBit) return err('unsafe', `7bit cannot carry 8-bit bytes${where}`);
  return ok(enc);
}
