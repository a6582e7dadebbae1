import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtemp, readdir, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  initMaildir, listMaildir, findMessage, commitMessage, changeFlags, removeMessage, parseFileName,
  applyFlagChanges, normalizeFlags, readHeaderSummary,
} from '../../src/maildir/index.ts';

async function maildir(files: Record<string, string>): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), 'blaze-store-')), 'M');
  await initMaildir(dir);
  for (const [p, content] of Object.entries(files)) await writeFile(join(dir, p), content);
  return dir;
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('info', () => {
  it('splits unique part and flags', () => {
    expect(parseFileName('123.M1P2.h:2,SF')).toEqual({ unique: '123.M1P2.h', info: '2,SF', flags: 'FS' });
    expect(parseFileName('123.M1P2.h')).toEqual({ unique: '123.M1P2.h', flags: '' });
    expect(parseFileName('123.h:1,xyz')).toEqual({ unique: '123.h', info: '1,xyz', flags: '' });
  });
  it('sorts flags in ASCII order and keeps unknown ones', () => {
    expect(normalizeFlags('TSRPFD')).toBe('DFPRST');
    expect(normalizeFlags('Sab')).toBe('Sab');
    expect(normalizeFlags('SS')).toBe('S');
  });
  it('keeps flags sorted and unique whatever the changes', () => {
    const letters = fc.constantFrom('D', 'F', 'P', 'R', 'S', 'T', 'a', 'b');
    fc.assert(
      fc.property(fc.array(letters), fc.array(fc.tuple(fc.constantFrom('+', '-'), fc.array(letters, { minLength: 1, maxLength: 3 }))), (start, changes) => {
        const r = applyFlagChanges(start.join(''), changes.map(([sign, ls]) => sign + ls.join('')));
        if (!r.ok) throw new Error(r.message);
        expect(r.value).toBe([...new Set(r.value)].sort().join(''));
        const last = new Map<string, string>();
        for (const [sign, ls] of changes) for (const l of ls) last.set(l, sign);
        for (const [l, sign] of last) expect(r.value.includes(l)).toBe(sign === '+');
        for (const l of start) if (!last.has(l)) expect(r.value.includes(l)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
  it('applies +X -X changes', () => {
    expect(applyFlagChanges('ST', ['+F', '-T'])).toEqual({ ok: true, value: 'FS' });
    expect(applyFlagChanges('', ['+RS'])).toEqual({ ok: true, value: 'RS' });
    expect(applyFlagChanges('S', ['S'])).toMatchObject({ ok: false, error: 'syntax' });
    expect(applyFlagChanges('S', ['+:'])).toMatchObject({ ok: false });
  });
});

describe('store', () => {
  it('lists new/ and cur/, skipping dot files and directories', async () => {
    const dir = await maildir({ 'new/a.h': 'x', 'new/b.h:2,S': 'x', 'cur/c.h:2,RS': 'x', 'cur/.hidden': 'x' });
    const all = await collect(listMaildir(dir));
    expect(all.map((e) => `${e.folder}/${e.name}/${e.flags}`).sort()).toEqual(['cur/c.h/RS', 'new/a.h/', 'new/b.h/S']);
    expect((await collect(listMaildir(dir, ['cur']))).length).toBe(1);
  });
  it('finds a message by unique name, file name or path', async () => {
    const dir = await maildir({ 'new/a.h': 'x', 'cur/c.h:2,RS': 'y' });
    expect(await findMessage(dir, 'a.h')).toMatchObject({ ok: true, value: { folder: 'new', file: 'a.h' } });
    expect(await findMessage(dir, 'c.h')).toMatchObject({ ok: true, value: { folder: 'cur', file: 'c.h:2,RS' } });
    expect(await findMessage(dir, 'c.h:2,S')).toMatchObject({ ok: true, value: { file: 'c.h:2,RS' } });
    expect(await findMessage(dir, `${dir}/cur/c.h:2,RS`)).toMatchObject({ ok: true, value: { folder: 'cur' } });
    expect(await findMessage(dir, 'zzz')).toEqual({ ok: false, error: 'not-found', message: "no message 'zzz'" });
    expect(await findMessage(dir, '..')).toMatchObject({ ok: false });
  });
  it('commits new/ -> cur/ with flags, changes flags, removes', async () => {
    const dir = await maildir({ 'new/a.h': 'x' });
    const found = await findMessage(dir, 'a.h');
    if (!found.ok) throw new Error(found.message);
    const c = await commitMessage(dir, found.value, 'S');
    expect(c).toMatchObject({ folder: 'cur', file: 'a.h:2,S' });
    expect(await readdir(join(dir, 'new'))).toEqual([]);
    const f = await changeFlags(dir, c, ['+T', '+F', '-S']);
    expect(f).toMatchObject({ ok: true, value: { file: 'a.h:2,FT' } });
    expect(await readdir(join(dir, 'cur'))).toEqual(['a.h:2,FT']);
    if (!f.ok) throw new Error();
    await removeMessage(f.value);
    expect(await readdir(join(dir, 'cur'))).toEqual([]);
  });
  it('commits a file without info to cur/ with an empty info', async () => {
    const dir = await maildir({ 'new/a.h': 'x' });
    const found = await findMessage(dir, 'a.h');
    if (!found.ok) throw new Error(found.message);
    expect(await commitMessage(dir, found.value)).toMatchObject({ file: 'a.h:2,' });
  });
});

describe('readHeaderSummary', () => {
  it('reads the wanted fields of LF and CRLF files without the body', async () => {
    const folded = 'Subject: a\r\n b\r\nFrom: x@y\r\nDate: Thu, 30 Mar 2017 15:00:00 +0200\r\nSubject: second\r\n\r\nFrom: not a header\r\n';
    const dir = await maildir({ 'new/crlf': folded, 'new/lf': folded.replace(/\r\n/g, '\n') });
    for (const f of ['crlf', 'lf']) {
      const s = await readHeaderSummary(join(dir, 'new', f), ['subject', 'from', 'date']);
      expect(s.fields.get('subject')?.toString()).toBe('a b');
      expect(s.fields.get('from')?.toString()).toBe('x@y');
      expect(s.truncated).toBe(false);
    }
  });
  it('reads a header split over many chunks', async () => {
    const long = 'X-Pad: ' + 'p'.repeat(40000) + '\r\nSubject: ' + 'word '.repeat(5000).trim() + '\r\n\r\nbody';
    const dir = await maildir({ 'new/big': long });
    const s = await readHeaderSummary(join(dir, 'new', 'big'), ['subject']);
    expect(s.fields.get('subject')?.toString()).toBe('word '.repeat(5000).trim());
    expect(s.size).toBe(Buffer.byteLength(long));
    expect((await readFile(join(dir, 'new', 'big'))).length).toBe(s.size);
  });
});
