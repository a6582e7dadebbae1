// Random bytes, and the deterministic stream behind `--seed`: AES-256-CTR with
// key SHA-256(seed) and an all-zero initial counter, i.e. the AES keystream
// E(k, 0), E(k, 1), ... The same seed always gives the same bytes, which is what
// `rand --seed`, `dkim gen --seed`, `dkim sign --seed` and `arc sign --seed`
// derive their keys from (src/dkim/keys.ts).
import { createCipheriv, createHash, randomBytes, type Cipher } from 'node:crypto';

export interface ByteSource {
  /** The next n bytes of the stream. */
  read(n: number): Buffer;
}

/** A deterministic generator keyed by SHA-256(seed). */
export class SeededStream implements ByteSource {
  private readonly cipher: Cipher;

  constructor(seed: Uint8Array) {
    const key = createHash('sha256').update(seed).digest();
    this.cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  }

  read(n: number): Buffer {
    return this.cipher.update(Buffer.alloc(n));
  }
}

/** The operating system's generator (node:crypto randomBytes). */
export const systemRandom: ByteSource = { read: (n) => randomBytes(n) };

/**
 * Decodes a `--seed` argument: standard or URL-safe base64, padding optional.
 * Returns undefined when the text is not base64.
 */
export function decodeSeed(text: string): Buffer | undefined {
  const t = text.trim();
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(t)) return undefined;
  const body = t.replace(/=+$/, '');
  if (body.length % 4 === 1) return undefined;
  return Buffer.from(body.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}
