import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';

const BLAZE = fileURLToPath(new URL('../../bin/blaze', import.meta.url));
const blaze = (args: string[]) => execa(BLAZE, args, { reject: false, stripFinalNewline: false, encoding: 'buffer' });

describe('blaze rand', () => {
  it('prints 32 random bytes in base64 by default, different each time', async () => {
    const a = await blaze(['rand']);
    const b = await blaze(['rand']);
    expect(a.exitCode).toBe(0);
    const text = Buffer.from(a.stdout).toString();
    expect(text).toMatch(/^[A-Za-z0-9+/]{43}=\n$/);
    expect(Buffer.from(text, 'base64').length).toBe(32);
    expect(text).not.toBe(Buffer.from(b.stdout).toString());
  });
  it('--seed is deterministic and equals the AES-256-CTR keystream (openssl)', async () => {
    const r = await blaze(['rand', '--seed', 'foo=', '16']);
    const key = createHash('sha256').update(Buffer.from([0x7e, 0x8a])).digest('hex');
    const expected = execFileSync('openssl', ['enc', '-aes-256-ctr', '-K', key, '-iv', '0'.repeat(32)], { input: Buffer.alloc(16) });
    expect(Buffer.from(r.stdout).toString()).toBe(expected.toString('base64') + '\n');
    const hex = await blaze(['rand', '--seed', 'foo=', '--hex', '16']);
    expect(Buffer.from(hex.stdout).toString()).toBe(expected.toString('hex') + '\n');
    const raw = await blaze(['rand', '--seed', 'foo=', '--raw', '16']);
    expect(Buffer.from(raw.stdout).equals(expected)).toBe(true);
  });
  it('a long stream is one base64 text, prefix-consistent with a short one', async () => {
    const long = Buffer.from((await blaze(['rand', '--seed', 'AAAA', '--raw', '1000000'])).stdout);
    const short = Buffer.from((await blaze(['rand', '--seed', 'AAAA', '--raw', '10'])).stdout);
    expect(long.length).toBe(1000000);
    expect(long.subarray(0, 10).equals(short)).toBe(true);
    const b64 = Buffer.from((await blaze(['rand', '--seed', 'AAAA', '1000000'])).stdout).toString();
    expect(Buffer.from(b64.trimEnd(), 'base64').equals(long)).toBe(true);
  });
  it('bad arguments exit 2 with one line', async () => {
    for (const args of [['rand', 'many'], ['rand', '--seed', 'x!'], ['rand', '--hex', '--raw']]) {
      const r = await blaze(args);
      expect(r.exitCode).toBe(2);
      expect(Buffer.from(r.stderr).toString()).toMatch(/^blaze: rand: [^\n]+\n$/);
    }
  });
});
