// src/maildir/listing.ts: the records `mdir list` prints, one per message of
// new/ then cur/, each with its header values as raw unfolded bytes (RFC 5322
// §2.2.3), streamed one at a time or a batch at a time, and a message that
// vanishes while it is listed reported, not thrown.
import { describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readdir, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countMessages, initMaildir, summarizeMaildir, summarizeMaildirBatches, type MessageSummary } from '../../src/maildir/index.ts';

async function maildir(files: Record<string, string | Buffer>): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), 'blaze-listing-')), 'M');
  await initMaildir(dir);
  for (const [p, content] of Object.entries(files)) await writeFile(join(dir, p), content);
  return dir;
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const text = (b: Buffer | undefined) => b?.toString('latin1');

describe('summarizeMaildir', () => {
  it('gives new/ then cur/, each message with flags, size and its raw unfolded Date, From and Subject', async () => {
    const crlf = 'Date: Mon, 1 Jan 2024 10:00:00 +0000\r\nFrom: =?utf-8?q?J=C3=B6rg?= <j@example.org>\r\nSubject: a folded\r\n\tsubject\r\n\r\nbody\r\n';
    const lf = Buffer.concat([Buffer.from('Subject: caf'), Buffer.from([0xe9]), Buffer.from('\nFrom: b@example.org\n\nno date here\n')]);
    const dir = await maildir({ 'new/1.A.host': crlf, 'cur/2.B.host:2,SR': lf, 'cur/.hidden': 'not a message' });
    const all = await collect(summarizeMaildir(dir));
    expect(all.map((m) => [m.folder, m.file, m.name, m.flags])).toEqual([
      ['new', '1.A.host', '1.A.host', ''],
      ['cur', '2.B.host:2,SR', '2.B.host', 'RS'],
    ]);
    const [a, b] = all;
    expect(a).toMatchObject({ path: join(dir, 'new', '1.A.host'), size: Buffer.byteLength(crlf) });
    // Unfolding removes the line break, not the white space after it; encoded-words and 8-bit bytes stay as they are.
    expect([text(a.date), text(a.from), text(a.subject)]).toEqual(['Mon, 1 Jan 2024 10:00:00 +0000', '=?utf-8?q?J=C3=B6rg?= <j@example.org>', 'a folded\tsubject']);
    expect(b.size).toBe(lf.length);
    expect(b.date).toBeUndefined();
    expect(b.subject).toEqual(Buffer.from([0x63, 0x61, 0x66, 0xe9]));
    expect(a.error).toBeUndefined();
    expect(await collect(summarizeMaildir(dir, ['cur']))).toHaveLength(1);
  });

  it('a message removed while the listing runs is reported as vanished, and the listing goes on', async () => {
    const msg = (s: string) => `From: a@example.org\r\nSubject: ${s}\r\n\r\nx\r\n`;
    const dir = await maildir({ 'cur/1.a.h:2,': msg('one'), 'cur/2.b.h:2,': msg('two'), 'cur/3.c.h:2,': msg('three') });
    const seen: MessageSummary[] = [];
    let removed = '';
    for await (const m of summarizeMaildir(dir, ['cur'])) {
      seen.push(m);
      if (seen.length === 1) {
        // The folder was read ahead (opendir buffers entries): remove one that is still to come.
        removed = (await readdir(join(dir, 'cur'))).find((f) => f !== m.file)!;
        await unlink(join(dir, 'cur', removed));
      }
    }
    expect(seen).toHaveLength(3);
    const gone = seen.find((m) => m.file === removed)!;
    expect(gone).toMatchObject({ error: 'vanished while listing', size: 0 });
    expect(gone.subject).toBeUndefined();
    expect(seen.filter((m) => m.error === undefined)).toHaveLength(2);
  });
});

describe('summarizeMaildirBatches', () => {
  it('gives the same records as the one-by-one listing, at most 512 a batch', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 600; i++) files[`new/${i}.n.h`] = `From: n${i}@example.org\r\nSubject: new ${i}\r\n\r\nx\r\n`;
    for (let i = 0; i < 30; i++) files[`cur/${i}.c.h:2,S`] = `From: c${i}@example.org\r\nSubject: cur ${i}\r\n\r\nx\r\n`;
    const dir = await maildir(files);
    const batches = await collect(summarizeMaildirBatches(dir));
    expect(batches.map((b) => b.length)).toEqual([512, 88, 30]);
    const flat = batches.flat();
    expect(flat).toEqual(await collect(summarizeMaildir(dir)));
    expect(new Set(flat.map((m) => text(m.subject))).size).toBe(630);
    for (const m of flat.slice(0, 3)) expect(m.size).toBe((await stat(m.path)).size);
  });
});

describe('countMessages', () => {
  it('counts the messages of the folders asked for (dot files and directories are not messages)', async () => {
    const dir = await maildir({ 'new/1.x.h': 'a', 'new/2.x.h': 'b', 'cur/3.x.h:2,S': 'c', 'new/.4.x.h': 'dot file' });
    await mkdir(join(dir, 'cur', '5.x.h'));
    expect(await countMessages(dir)).toBe(3);
    expect(await countMessages(dir, ['new'])).toBe(2);
    expect(await countMessages(dir, ['cur'])).toBe(1);
  });
});
