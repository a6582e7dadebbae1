// commands/_lib/message-check.ts (srv --verify, once commands/_srv-verify.ts):
// the message is spooled whole whatever the checker does; a checker that
// stops early or throws never holds the writer up; abort leaves nothing on
// disk. Verdicts follow RFC 7208 (SPF of the session) and RFC 7489 (DMARC).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageCheck } from '../../commands/_lib/message-check.ts';
import { memoryResolver, type Resolver } from '../../src/dns/index.ts';

const SESSION = { ip: '192.0.2.10', from: 'alice@example.org', helo: 'mail.example.org' };
const resolver = memoryResolver({
  'example.org': { TXT: ['v=spf1 ip4:192.0.2.10 -all'] },
  '_dmarc.example.org': { TXT: ['v=DMARC1; p=reject'] },
});
const POLICY = { sample: 0, now: new Date('2024-01-02T00:00:00Z') };

async function all(it: AsyncIterable<Buffer>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const b of it) out.push(b);
  return Buffer.concat(out);
}

/** A message of about `size` bytes in wire form, From example.org. */
function message(size: number, header = 'From: Alice <alice@example.org>\r\nTo: bob@example.net\r\nSubject: hi\r\n'): Buffer {
  const line = 'x'.repeat(76) + '\r\n';
  return Buffer.from(header + '\r\n' + line.repeat(Math.ceil(size / line.length)));
}

// Spools past 1 MiB go to a temporary directory: this file's own, to see what is left there.
let spoolRoot: string;
const savedTmp = process.env.TMPDIR;
beforeAll(() => {
  spoolRoot = mkdtempSync(join(tmpdir(), 'blaze-message-check-'));
  process.env.TMPDIR = spoolRoot;
});
afterAll(() => {
  process.env.TMPDIR = savedTmp;
  rmSync(spoolRoot, { recursive: true, force: true });
});

describe('MessageCheck', () => {
  it('checks while it spools: the Authentication-Results field, then the message byte for byte', async () => {
    const before = new Set(readdirSync(spoolRoot));
    const msg = message(3 << 20); // past the in-memory threshold: spooled to a file
    const check = new MessageCheck(POLICY, resolver, SESSION, 'mx.test');
    for (let i = 0; i < msg.length; i += 4096) await check.write(msg.subarray(i, i + 4096));
    const done = await check.finish();
    expect(done.error).toBeUndefined();
    // RFC 7208: 192.0.2.10 is listed for example.org; RFC 7489: SPF aligned with From, p=reject.
    expect(done.field).toMatch(/^Authentication-Results: mx\.test;/);
    expect(done.field).toMatch(/\bspf=pass smtp\.mailfrom=alice@example\.org\b/);
    expect(done.field).toMatch(/\bdkim=none\b/);
    expect(done.field).toMatch(/\bdmarc=pass\b.*\bheader\.from=example\.org\r\n$/);
    expect((await all(done.message)).equals(msg)).toBe(true);
    const mine = readdirSync(spoolRoot).filter((d) => !before.has(d));
    expect(mine).toHaveLength(1); // the spool of this message, until disposed
    await check.dispose();
    expect(readdirSync(spoolRoot)).not.toContain(mine[0]);
  });

  it('a malformed header: no field, the reason with its line, and the message still whole', async () => {
    const msg = message(200_000, 'From: alice@example.org\r\nthis line has no colon\r\n');
    const check = new MessageCheck(POLICY, resolver, SESSION, 'mx.test');
    for (let i = 0; i < msg.length; i += 1000) await check.write(msg.subarray(i, i + 1000));
    const done = await check.finish();
    expect(done.field).toBeUndefined();
    expect(done.error).toMatch(/^line 2: /);
    expect((await all(done.message)).equals(msg)).toBe(true);
    await check.dispose();
  });

  it('a checker that throws does not hold the writer up: every chunk is taken and kept', async () => {
    const exploding: Resolver = { resolve: () => Promise.reject(new Error('resolver exploded')) };
    const msg = message(400_000);
    const check = new MessageCheck(POLICY, exploding, SESSION, 'mx.test');
    // Far more chunks than the channel queues (16) before a writer waits for the checker.
    for (let i = 0; i < msg.length; i += 512) await check.write(msg.subarray(i, i + 512));
    const done = await check.finish();
    expect(done).toMatchObject({ error: 'resolver exploded' });
    expect(done.field).toBeUndefined();
    expect((await all(done.message)).equals(msg)).toBe(true);
    await check.dispose();
  });

  it('abort (the client went away): the check ends and the spool file is gone', async () => {
    const before = new Set(readdirSync(spoolRoot));
    const msg = message(2 << 20);
    const check = new MessageCheck(POLICY, resolver, SESSION, 'mx.test');
    for (let i = 0; i < msg.length; i += 65536) await check.write(msg.subarray(i, i + 65536));
    const mine = readdirSync(spoolRoot).filter((d) => !before.has(d));
    expect(mine).toHaveLength(1);
    await check.abort();
    expect(readdirSync(spoolRoot)).not.toContain(mine[0]);
  });

  it('a MAIL FROM SPF cannot take and no HELO: no SPF check (RFC 7208 §2.3, §2.4), DMARC from DKIM alone', async () => {
    const check = new MessageCheck(POLICY, resolver, { ip: '192.0.2.10', from: 'not an address', helo: '' }, 'mx.test');
    await check.write(message(1000));
    const done = await check.finish();
    expect(done.field).not.toMatch(/\bspf=pass\b/);
    expect(done.field).toMatch(/\bdmarc=fail\b/);
    await check.dispose();
  });
});
