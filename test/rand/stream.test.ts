import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { SeededStream, decodeSeed, systemRandom } from '../../src/rand/index.ts';

describe('SeededStream', () => {
  it('is the AES-256-CTR keystream under SHA-256(seed), as openssl computes it', () => {
    const seed = Buffer.from('seed for blaze');
    const key = createHash('sha256').update(seed).digest('hex');
    const expected = execFileSync('openssl', ['enc', '-aes-256-ctr', '-K', key, '-iv', '0'.repeat(32)], { input: Buffer.alloc(100) });
    expect(new SeededStream(seed).read(100).equals(expected)).toBe(true);
  });
  it('reads continue the same stream whatever the read sizes', () => {
    const a = new SeededStream(Buffer.from([1, 2, 3]));
    const b = new SeededStream(Buffer.from([1, 2, 3]));
    const parts = Buffer.concat([a.read(1), a.read(15), a.read(17), a.read(0), a.read(31)]);
    expect(parts.equals(b.read(64))).toBe(true);
    expect(new SeededStream(Buffer.from([1, 2, 4])).read(64).equals(parts)).toBe(false);
  });
  it('systemRandom gives fresh bytes', () => {
    expect(systemRandom.read(32).equals(systemRandom.read(32))).toBe(false);
  });
  it('decodeSeed accepts base64 and base64url, rejects the rest', () => {
    expect(decodeSeed('foo=')).toEqual(Buffer.from([0x7e, 0x8a]));
    expect(decodeSeed('foo')).toEqual(Buffer.from([0x7e, 0x8a]));
    expect(decodeSeed('-_8=')).toEqual(Buffer.from([0xfb, 0xff]));
    expect(decodeSeed('x!')).toBeUndefined();
    expect(decodeSeed('abcde')).toBeUndefined();
  });
});
