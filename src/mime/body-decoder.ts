// The body decoder a Content-Transfer-Encoding calls for (RFC 2045 §6):
// base64, quoted-printable, or the identity for 7bit, 8bit and binary. An
// unknown encoding is read as binary and said so (`known: false`).
import { Base64Decoder } from './base64-decoder.ts';
import { QuotedPrintableDecoder } from './qp-decoder.ts';
import { lex } from './lexer.ts';

/**
 * The mechanism of a Content-Transfer-Encoding value, lower case: a token
 * with the CFWS around it removed (RFC 2045 §5.1 allows comments in MIME
 * fields: `base64 (encoded)` is base64), a quoted token unquoted (lenient);
 * `7bit` when the value is absent or empty (RFC 2045 §6.1).
 */
export function transferEncodingOf(value: string | undefined): string {
  if (value === undefined) return '7bit';
  const words = lex(value).tokens.map((t) => t.value);
  return words.join(' ').trim().toLowerCase() || '7bit';
}

export interface BodyDecoder {
  push(chunk: Buffer): Buffer;
  finish(): Buffer;
  /** Invalid sequences skipped or kept literally so far. */
  readonly invalid: number;
}

class IdentityDecoder implements BodyDecoder {
  readonly invalid = 0;
  push(chunk: Buffer): Buffer {
    return chunk;
  }
  finish(): Buffer {
    return Buffer.alloc(0);
  }
}

export function bodyDecoder(encoding: string): { decoder: BodyDecoder; known: boolean } {
  switch (encoding.trim().toLowerCase()) {
    case 'base64':
      return { decoder: new Base64Decoder(), known: true };
    case 'quoted-printable':
      return { decoder: new QuotedPrintableDecoder(), known: true };
    case '7bit':
    case '8bit':
    case 'binary':
    case '':
      return { decoder: new IdentityDecoder(), known: true };
    default:
      return { decoder: new IdentityDecoder(), known: false };
  }
}
