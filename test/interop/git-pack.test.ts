// Interop with git (Debian git): the packs blaze writes are packs git reads,
// and blaze reads the packs git writes.
// - `git verify-pack -v` accepts blaze's pack and sees its OFS_DELTA chains;
// - `git index-pack` on blaze's .pack writes a byte-identical .idx;
// - in a bare repository holding the pack, `git cat-file` prints each object
//   as blaze stored it and `git fsck` finds every object sound;
// - blaze's reader resolves git's own packs (OFS_DELTA and REF_DELTA).
// A missing git is a failure, not a skip.
import { beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { mkdtempSync, readFileSync, copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PackFileWriter, PackReader, IdxReader, RangeFile, scanPack, objectId } from '../../src/pack/index.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));
const git = (args: string[], opts: Record<string, unknown> = {}) => execa('git', args, { reject: false, ...opts });

function fixtureMessages(dir = FIXTURES): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? fixtureMessages(join(dir, d.name)) : d.name.endsWith('.eml') ? [join(dir, d.name)] : []));
}

/** A pack of the fixtures plus 40 similar generated messages (so that there are deltas). */
function blazePack(d: string): { path: string; idx: string } {
  const path = join(d, 'archive.pack');
  const w = PackFileWriter.create(path);
  for (const f of fixtureMessages()) w.addMessageBytes(readFileSync(f));
  for (let i = 0; i < 40; i++) {
    w.addMessageBytes(Buffer.from(
      `Received: from relay${i % 3}.example.org (relay${i % 3}.example.org [192.0.2.${i}]) by mx.example.net with ESMTPS id ${1000 + i}; Tue, 2 Jan 2024 10:${String(i).padStart(2, '0')}:00 +0000\r\n` +
      `From: Sender ${i % 5} <s${i % 5}@example.org>\r\nTo: list@example.net\r\nSubject: weekly report ${i}\r\nMessage-ID: <r${i}@example.org>\r\nDate: Tue, 2 Jan 2024 10:${String(i).padStart(2, '0')}:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n` +
      `Report ${i}\r\n` + 'The numbers for this week are in the table below, as usual.\r\n'.repeat(8),
    ));
  }
  w.close();
  return { path, idx: join(d, 'archive.idx') };
}

beforeAll(async () => {
  const v = await git(['--version']);
  expect(v.exitCode, 'git is needed (Debian git)').toBe(0);
});

describe('blaze pack -> git', () => {
  it('git verify-pack -v accepts the pack and sees OFS_DELTA chains', async () => {
    const d = mkdtempSync(join(tmpdir(), 'blaze-git-'));
    const { idx } = blazePack(d);
    const r = await git(['verify-pack', '-v', idx]);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/archive\.pack: ok$/m);
    expect(r.stdout).toMatch(/^chain length = 1: \d+ objects?$/m);
  });

  it('git index-pack on the .pack writes a byte-identical .idx', async () => {
    const d = mkdtempSync(join(tmpdir(), 'blaze-git-'));
    const { path, idx } = blazePack(d);
    copyFileSync(path, join(d, 'copy.pack'));
    const r = await git(['index-pack', '-o', join(d, 'copy.idx'), join(d, 'copy.pack')]);
    expect(r.exitCode).toBe(0);
    expect(readFileSync(join(d, 'copy.idx')).equals(readFileSync(idx))).toBe(true);
  });

  it('git cat-file prints every object as blaze stored it; git fsck finds them sound', async () => {
    const d = mkdtempSync(join(tmpdir(), 'blaze-git-'));
    const { path, idx } = blazePack(d);
    const repo = join(d, 'repo.git');
    expect((await git(['init', '-q', '--bare', repo])).exitCode).toBe(0);
    mkdirSync(join(repo, 'objects', 'pack'), { recursive: true });
    copyFileSync(path, join(repo, 'objects', 'pack', 'pack-blaze.pack'));
    copyFileSync(idx, join(repo, 'objects', 'pack', 'pack-blaze.idx'));
    const f = RangeFile.open(path);
    const reader = PackReader.open(f.read, f.size) as PackReader;
    const ours = new Map<string, Buffer>();
    for (const s of scanPack(reader)) {
      if (!s.ok) throw new Error(s.error);
      ours.set(s.object.oid.toString('hex'), Buffer.from(s.object.data));
    }
    f.close();
    expect(ours.size).toBeGreaterThan(50);
    // cat-file --batch: "<oid> <type> <size>\n<bytes>\n" per object
    const ids = [...ours.keys()];
    const out = (await execa('git', ['-C', repo, 'cat-file', '--batch'], { input: ids.join('\n') + '\n', encoding: 'buffer' })).stdout as unknown as Uint8Array;
    const buf = Buffer.from(out);
    let pos = 0;
    for (const id of ids) {
      const nl = buf.indexOf(0x0a, pos);
      const [oid, type, size] = buf.toString('latin1', pos, nl).split(' ');
      expect([oid, type]).toEqual([id, 'blob']);
      const body = buf.subarray(nl + 1, nl + 1 + Number(size));
      expect(body.equals(ours.get(id)!), id).toBe(true);
      pos = nl + 1 + Number(size) + 1;
    }
    // cat-file -p of one message's structure shows its pieces
    const structure = ids.find((id) => ours.get(id)!.subarray(0, 15).toString() === 'blaze-message 1')!;
    const p = await git(['-C', repo, 'cat-file', '-p', structure]);
    expect(p.stdout).toMatch(/^blaze-message 1\nh [0-9a-f]{40} \d+$/m);
    const fsck = await git(['-C', repo, 'fsck', '--no-dangling', '--strict']);
    // (only notices about the empty repository's missing HEAD)
    expect(fsck.stderr.split('\n').filter((l) => l && !l.startsWith('notice:'))).toEqual([]);
    expect(fsck.exitCode).toBe(0);
  });
});

describe('git pack -> blaze reader', () => {
  it('reads every object of packs written by git pack-objects (OFS_DELTA and REF_DELTA)', async () => {
    const d = mkdtempSync(join(tmpdir(), 'blaze-git-'));
    const repo = join(d, 'repo');
    expect((await git(['init', '-q', repo])).exitCode).toBe(0);
    const files: string[] = [];
    for (let i = 0; i < 20; i++) {
      const f = join(repo, `m${i}.txt`);
      writeFileSync(f, `version ${i}\n` + 'a line that stays the same in every version of the file\n'.repeat(30) + `tail ${i * i}\n`);
      files.push(f);
    }
    const oids = (await git(['-C', repo, 'hash-object', '-w', ...files])).stdout.trim().split('\n');
    for (const flags of [['--delta-base-offset'], []]) {
      const base = join(d, `out${flags.length}`);
      const sha = (await execa('git', ['-C', repo, 'pack-objects', ...flags, base], { input: oids.join('\n') + '\n' })).stdout.trim();
      const pf = RangeFile.open(`${base}-${sha}.pack`);
      const xf = RangeFile.open(`${base}-${sha}.idx`);
      const idx = IdxReader.open(xf.read, xf.size) as IdxReader;
      const reader = PackReader.open(pf.read, pf.size, { findOid: (o) => { const k = idx.find(o); return k < 0 ? undefined : idx.offsetAt(k); } }) as PackReader;
      const verify = await git(['verify-pack', '-v', `${base}-${sha}.idx`]);
      expect(verify.stdout).toMatch(/chain length = 1/); // git did make deltas
      for (const [i, oid] of oids.entries()) {
        const k = idx.find(Buffer.from(oid, 'hex'));
        const o = reader.objectAt(idx.offsetAt(k));
        expect(o.ok && o.data.equals(readFileSync(files[i])), `${oid} (${flags.join(' ') || 'REF_DELTA'})`).toBe(true);
        if (o.ok) expect(objectId(o.type, o.data).toString('hex')).toBe(oid);
      }
      pf.close();
      xf.close();
    }
  });
});
