// Message-IDs and multipart boundaries: random by default, or derived from a
// seed so tests and reproducible builds get the same bytes every time.
import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567'; // base32, lower case

function base32(bytes: Uint8Array, length: number): string {
  let s = '';
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5 && s.length < length) {
      s += ALPHABET[(acc >> (bits - 5)) & 31];
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
  }
  return s;
}

/** A source of identifier material: random, or a deterministic stream from a seed. */
export class IdentifierSource {
  private counter = 0;
  constructor(private readonly seed?: string) {}

  bytes(purpose: string, n = 20): Buffer {
    if (this.seed === undefined) return randomBytes(n);
    return createHash('sha256').update(`${this.seed}\0${purpose}\0${this.counter++}`).digest().subarray(0, n);
  }

  /** `<id@host>` */
  messageId(host: string): string {
    return `<${base32(this.bytes('message-id'), 26)}@${host}>`;
  }

  /**
   * A boundary that cannot occur in quoted-printable or base64 content (`=_`
   * is impossible in both) and is unlikely anywhere else (130 random bits).
   */
  boundary(): string {
    return `=_${base32(this.bytes('boundary'), 26)}`;
  }
}
