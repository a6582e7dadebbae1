import { describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beginDelivery, initMaildir, isMaildir, uniqueName, escapeMaildirHost, syncDirShared } from '../../src/maildir/index.ts';

async function tempMaildir(): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), 'blaze-mdir-')), 'Maildir');
  await initMaildir(dir);
  return dir;
}

describe('unique names', () => {
  it('follow <seconds>.M<usec>P<pid>Q<counter>R<random>.<host>', () => {
    const n = uniqueName({ hostname: 'mx.example.org', now: 1_700_000_000_123.456, pid: 4242 });
    expect(n).toMatch(/^1700000000\.M123456P4242Q\d+R[0-9a-f]{16}\.mx\.example\.org$/);
  });
  it('escape / and : in the host name', () => {
    expect(escapeMaildirHost('a/b:c')).toBe('a\\057b\\072c');
    const n = uniqueName({ hostname: 'weird/host:name' });
    expect(n.endsWith('.weird\\057host\\072name')).toBe(true);
    expect(n).not.toContain('/');
    expect(n).not.toContain(':');
  });
  it('differ from one call to the next in the same microsecond', () => {
    const names = new Set(Array.from({ length: 1000 }, () => uniqueName({ now: 1e12, pid: 1 })));
    expect(names.size).toBe(1000);
  });
});

describe('delivery', () => {
  it('creates tmp, new and cur', async () => {
    const dir = await tempMaildir();
    expect((await readdir(dir)).sort()).toEqual(['cur', 'new', 'tmp']);
    expect(await isMaildir(dir)).toBe(true);
    expect(await isMaildir(join(dir, 'new'))).toBe(false);
    await initMaildir(dir); // idempotent
  });
  it('writes to tmp/ and moves to new/ on commit', async () => {
    const dir = await tempMaildir();
    const d = await beginDelivery(dir, { hostname: 'test.host' });
    await d.write(Buffer.from('Subject: hi\r\n\r\n'));
    expect(await readdir(join(dir, 'tmp'))).toEqual([d.name]);
    expect(await readdir(join(dir, 'new'))).toEqual([]);
    await d.write(Buffer.from('body\r\n'));
    const name = await d.commit();
    expect(name).toBe(d.name);
    expect(name.endsWith('.test.host')).toBe(true);
    expect(await readdir(join(dir, 'tmp'))).toEqual([]);
    expect(await readdir(join(dir, 'new'))).toEqual([name]);
    expect(await readFile(join(dir, 'new', name), 'utf8')).toBe('Subject: hi\r\n\r\nbody\r\n');
  });
  it('abort leaves nothing behind', async () => {
    const dir = await tempMaildir();
    const d = await beginDelivery(dir);
    await d.write(Buffer.from('partial'));
    await d.abort();
    expect(await readdir(join(dir, 'tmp'))).toEqual([]);
    expect(await readdir(join(dir, 'new'))).toEqual([]);
    await d.abort(); // twice is harmless
    await expect(d.write(Buffer.from('x'))).rejects.toThrow();
  });
  it('many deliveries in parallel get distinct names', async () => {
    const dir = await tempMaildir();
    const names = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const d = await beginDelivery(dir);
        await d.write(Buffer.from(`Subject: ${i}\r\n\r\n`));
        return d.commit();
      }),
    );
    expect(new Set(names).size).toBe(50);
    expect((await readdir(join(dir, 'new'))).length).toBe(50);
  });
  it('fails when the directory is not a maildir', async () => {
    const base = await mkdtemp(join(tmpdir(), 'blaze-mdir-'));
    await expect(beginDelivery(join(base, 'nope'))).rejects.toMatchObject({ code: 'ENOENT' });
    await writeFile(join(base, 'file'), 'x');
    await rm(base, { recursive: true });
  });
});

describe('syncDirShared (group commit of directory fsyncs)', () => {
  it('serves callers that arrive during a sync with one more sync, and every caller resolves', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'blaze-sync-'));
    const first = syncDirShared(dir);
    const joined = Array.from({ length: 20 }, () => syncDirShared(dir));
    // the 20 late callers share one promise: the sync that starts after the first
    expect(new Set(joined).size).toBe(1);
    expect(joined[0]).not.toBe(first);
    await Promise.all([first, ...joined]);
    // idle again: a new caller starts a fresh sync
    const later = syncDirShared(dir);
    expect(later).not.toBe(joined[0]);
    await later;
  });
});
