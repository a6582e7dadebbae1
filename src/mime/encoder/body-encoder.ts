// The body transform of a Content-Transfer-Encoding: base64 and
// quoted-printable encode; 7bit, 8bit and binary are the identity.
import { Base64Encoder } from './base64-encoder.ts';
import { QuotedPrintableEncoder } from './qp-encoder.ts';
import type { TransferEncoding } from './encoding-choice.ts';

export interface BodyTransform {
  push(chunk: Buffer): Buffer;
  finish(): Buffer;
}

/**
 * The encoder for ENC, or undefined for an identity encoding. `text`: line
 * ends are CRLF line breaks (quoted-printable keeps them); `finalNewline`:
 * the encoded body ends with a line break (a whole message body does, a
 * part before its delimiter does not).
 */
export function bodyEncoder(enc: TransferEncoding, text: boolean, finalNewline: boolean): BodyTransform | undefined {
  if (enc === 'base64') return new Base64Encoder({ finalNewline });
  if (enc === 'quoted-printable') return new QuotedPrintableEncoder({ text, finalNewline });
  return undefined;
}
