// Charset conversion of a body that arrives in chunks: the same contract as
// decodeCharset (UTF-8 out, bad bytes as U+FFFD, never throws, unknown
// charsets read as UTF-8) without holding the body. A chunk may end inside a
// multi-byte character: stateful decoders (TextDecoder with stream, iconv-lite's
// getDecoder) carry the partial bytes; charsets decodeCharset converts by hand
// (ISO-2022-JP, UTF-16 with its BOM rule) are cut at line ends, where RFC 1468
// says ISO-2022-JP is back in ASCII.
import iconv from 'iconv-lite';
import { decodeCharset, isKnownCharset, normalizeCharsetName } from './charset.ts';

export interface TextStreamDecoder {
  push(chunk: Uint8Array): string;
  finish(): string;
}

/** Bound on the bytes held while waiting for a line end (hand-converted charsets). */
const MAX_HELD = 64 * 1024;

const ALIAS_TARGETS: Record<string, string> = { 'us-ascii': 'windows-1252', ascii: 'windows-1252', 'iso-8859-1': 'windows-1252', latin1: 'windows-1252' };

export function textStreamDecoder(charset: string | undefined): TextStreamDecoder {
  const name = normalizeCharsetName(charset);
  if (name === '' || name === 'utf-8' || name === 'utf8' || !isKnownCharset(name)) {
    const td = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
    return { push: (c) => td.decode(c, { stream: true }), finish: () => td.decode() };
  }
  const target = ALIAS_TARGETS[name] ?? name;
  const byHand = name.startsWith('iso-2022-jp') || name === 'csiso2022jp' || name === 'utf-16' || name === 'utf16' || name === 'ucs-2' || name === 'unicode';
  if (!byHand && iconv.encodingExists(target)) {
    try {
      const d = iconv.getDecoder(target, { stripBOM: true });
      return { push: (c) => d.write(Buffer.from(c.buffer, c.byteOffset, c.byteLength)), finish: () => d.end() ?? '' };
    } catch {
      /* fall through to whole-line decoding */
    }
  }
  return new LineBatchDecoder(name);
}

/** Decodes whole lines with decodeCharset (UTF-16: whole 2-byte units after the first chunk's BOM). */
class LineBatchDecoder implements TextStreamDecoder {
  private held: Buffer[] = [];
  private heldSize = 0;
  private readonly utf16: boolean;
  private started = false;
  private utf16Charset = 'utf-16';

  constructor(private readonly charset: string) {
    this.utf16 = !charset.startsWith('iso-2022') && charset !== 'csiso2022jp';
  }

  push(chunk: Uint8Array): string {
    const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.held.push(Buffer.from(buf));
    this.heldSize += buf.length;
    const all = Buffer.concat(this.held);
    let cut: number;
    if (this.utf16) cut = all.length - (all.length % 2);
    else {
      cut = all.lastIndexOf(0x0a) + 1;
      if (cut === 0 && all.length > MAX_HELD) cut = all.length;
    }
    this.held = cut < all.length ? [all.subarray(cut)] : [];
    this.heldSize = all.length - cut;
    return this.decode(all.subarray(0, cut));
  }

  finish(): string {
    const rest = Buffer.concat(this.held);
    this.held = [];
    return rest.length ? this.decode(rest) : '';
  }

  private decode(bytes: Buffer): string {
    if (!bytes.length) return '';
    if (!this.utf16) return decodeCharset(bytes, this.charset);
    if (!this.started) {
      this.started = true;
      // The BOM, when there is one, is in the first bytes; later pieces keep its byte order.
      if (bytes[0] === 0xff && bytes[1] === 0xfe) this.utf16Charset = 'utf-16le';
      else if (bytes[0] === 0xfe && bytes[1] === 0xff) this.utf16Charset = 'utf-16be';
      else this.utf16Charset = 'utf-16be';
      const body = bytes[0] === 0xff || bytes[0] === 0xfe ? bytes.subarray(2) : bytes;
      return iconv.decode(body, this.utf16Charset);
    }
    return iconv.decode(bytes, this.utf16Charset);
  }
}
