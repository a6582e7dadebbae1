import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { mkdtemp, readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BLAZE = fileURLToPath(new URL('../../bin/blaze', import.meta.url));
const SIMPLE = fileURLToPath(new URL('../../fixtures/maildir/simple.eml', import.meta.url));
const NAME_RE = /^\d+\.M\d+P\d+Q\d+R[0-9a-f]{16}\.[^/:]+$/;

const blaze = (args: string[], opts: Record<string, unknown> = {}) =>
  execa(BLAZE, args, { reject: false, stripFinalNewline: false, env: { BLAZE_MDIR: '' }, ...opts });

async function fresh(): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), 'blaze-cli-mdir-')), 'Maildir');
  const r = await blaze(['mdir', 'init', '-D', dir]);
  expect(r.exitCode).toBe(0);
  expect(r.stdout).toBe('');
  return dir;
}

describe('blaze mdir', () => {
  it('init creates tmp/ new/ cur/', async () => {
    const dir = await fresh();
    expect((await readdir(dir)).sort()).toEqual(['cur', 'new', 'tmp']);
  });

  it('put delivers into new/ in wire form and prints the unique name', async () => {
    const dir = await fresh();
    const r = await blaze(['mdir', 'put', '-D', dir, SIMPLE]);
    expect(r.exitCode).toBe(0);
    const name = r.stdout.trimEnd();
    expect(r.stdout).toBe(`${name}\n`);
    expect(name).toMatch(NAME_RE);
    expect(await readdir(join(dir, 'new'))).toEqual([name]);
    expect(await readdir(join(dir, 'tmp'))).toEqual([]);
    const stored = await readFile(join(dir, 'new', name), 'utf8');
    expect(stored).toBe((await readFile(SIMPLE, 'utf8')).replace(/\n/g, '\r\n'));
  });

  it('put reads stdin and takes the maildir from BLAZE_MDIR', async () => {
    const dir = await fresh();
    const r = await blaze(['mdir', 'put', '-h', 'host/with:odd'], { input: 'Subject: x\r\n\r\ny\r\n', env: { BLAZE_MDIR: dir } });
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trimEnd().endsWith('.host\\057with\\072odd')).toBe(true);
    expect(await readFile(join(dir, 'new', r.stdout.trimEnd()), 'utf8')).toBe('Subject: x\r\n\r\ny\r\n');
  });

  it('new, list, commit, flag, get and rm', async () => {
    const dir = await fresh();
    const name = (await blaze(['mdir', 'put', '-D', dir, SIMPLE])).stdout.trimEnd();
    expect((await blaze(['mdir', 'new', '-D', dir])).stdout).toBe(`${name}\n`);
    const l1 = await blaze(['mdir', 'list', '-D', dir]);
    expect(l1.exitCode).toBe(0);
    expect(l1.stdout).toMatch(new RegExp(`^${name.replace(/[.\\]/g, '\\$&')}\\tN\\t`));
    expect(l1.stdout.split('\t').slice(2)).toEqual(['2017-03-30 15:00:00 +02:00', 'Alice <alice@example.org>', 'Lunch on Thursday?\n']);

    const c = await blaze(['mdir', 'commit', '-D', dir, name, '--seen', '--replied']);
    expect(c.exitCode).toBe(0);
    expect(c.stdout).toBe(`${name}:2,RS\n`);
    expect(await readdir(join(dir, 'new'))).toEqual([]);
    expect(await readdir(join(dir, 'cur'))).toEqual([`${name}:2,RS`]);
    expect((await blaze(['mdir', 'new', '-D', dir])).stdout).toBe('');

    const f = await blaze(['mdir', 'flag', '-D', dir, name, '+FT', '-R']);
    expect(f.stdout).toBe(`${name}:2,FST\n`);
    expect(f.exitCode).toBe(0);
    const l2 = await blaze(['mdir', 'list', '-D', dir, '--cur']);
    expect(l2.stdout.split('\t')[1]).toBe('FST');
    expect((await blaze(['mdir', 'list', '-D', dir, '--new'])).stdout).toBe('');

    const g = await blaze(['mdir', 'get', '-D', dir, name], { encoding: 'buffer' });
    expect(Buffer.from(g.stdout as unknown as Uint8Array).toString()).toBe((await readFile(SIMPLE, 'utf8')).replace(/\n/g, '\r\n'));
    const glf = await blaze(['mdir', 'get', '-D', dir, '--newline', 'lf', `${name}:2,S`]);
    expect(glf.stdout).toBe(await readFile(SIMPLE, 'utf8'));

    const rm = await blaze(['mdir', 'rm', '-D', dir, name]);
    expect(rm.exitCode).toBe(0);
    expect(await readdir(join(dir, 'cur'))).toEqual([]);
  });

  it('list --json streams one JSON document', async () => {
    const dir = await fresh();
    const name = (await blaze(['mdir', 'put', '-D', dir, SIMPLE])).stdout.trimEnd();
    const r = await blaze(['mdir', 'list', '-D', dir, '--json']);
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toHaveLength(1);
    expect(doc[0]).toMatchObject({
      name, folder: 'new', file: name, flags: '', from: 'Alice <alice@example.org>', subject: 'Lunch on Thursday?',
      date: '2017-03-30 15:00:00 +02:00', timestamp: '2017-03-30T13:00:00.000Z',
    });
    expect(doc[0].size).toBe((await readFile(SIMPLE)).length + 7);
    const empty = await fresh();
    expect(JSON.parse((await blaze(['mdir', 'list', '-D', empty, '--json'])).stdout)).toEqual([]);
  });

  it('lists messages written by others (LF, :2, in new/, unknown flags)', async () => {
    const dir = await fresh();
    await writeFile(join(dir, 'new', '1.M1P1.other:2,S'), 'Subject: lf one\nFrom: x@y\n\nbody\n');
    await writeFile(join(dir, 'cur', '2.M2P2.other:2,Sa'), 'Subject: with keyword\nDate: 1 Jan 2020 00:00 -0500\n\nbody\n');
    await mkdir(join(dir, 'cur', '.sub'));
    const r = await blaze(['mdir', 'list', '-D', dir]);
    const lines = r.stdout.split('\n').filter(Boolean).sort();
    expect(lines).toEqual(['1.M1P1.other\tNS\t-\tx@y\tlf one', '2.M2P2.other\tSa\t2020-01-01 00:00:00 -05:00\t-\twith keyword']);
    const g = await blaze(['mdir', 'get', '-D', dir, '1.M1P1.other']);
    expect(g.stdout).toBe('Subject: lf one\r\nFrom: x@y\r\n\r\nbody\r\n');
  });

  it('list decodes encoded-words and 8-bit header text', async () => {
    const dir = await fresh();
    await writeFile(join(dir, 'cur', '1.a:2,S'), 'From: =?utf-8?q?Andr=C3=A9?= <a@example.org>\r\nSubject: =?iso-8859-1?q?caf=E9?= and\r\n =?utf-8?b?w6k=?=\r\nDate: Thu, 30 Mar 2017 15:00:00 +0200\r\n\r\nbody\r\n');
    await writeFile(join(dir, 'cur', '2.b:2,'), Buffer.concat([Buffer.from('Subject: caf'), Buffer.from([0xe9]), Buffer.from(' latin\n\nx\n')]));
    const r = await blaze(['mdir', 'list', '-D', dir]);
    expect(r.stdout.split('\n').filter(Boolean).sort()).toEqual([
      '1.a\tS\t2017-03-30 15:00:00 +02:00\tAndré <a@example.org>\tcafé and é',
      '2.b\t-\t-\t-\tcafé latin',
    ]);
    const doc = JSON.parse((await blaze(['mdir', 'list', '--json', '-D', dir])).stdout);
    expect(doc.find((m: { name: string }) => m.name === '1.a')).toMatchObject({ from: 'André <a@example.org>', subject: 'café and é', timestamp: '2017-03-30T13:00:00.000Z' });
  });

  it('fails with exit 2 and one line', async () => {
    const dir = await fresh();
    const cases: Array<[string[], string]> = [
      [['mdir', 'get', '-D', dir, 'nope'], `blaze: mdir: ${dir}: no message 'nope'\n`],
      [['mdir', 'list', '-D', tmpdir()], `blaze: mdir: ${tmpdir()}: not a maildir (no tmp/, new/ and cur/; see blaze mdir init)\n`],
      [['mdir', 'list'], 'blaze: mdir: no maildir given (use -D DIR or set BLAZE_MDIR)\n'],
      [['mdir'], 'blaze: mdir: missing command: init, put, new, list, get, commit, flag or rm (see blaze mdir --help)\n'],
      [['mdir', 'frob'], "blaze: mdir: unknown command 'frob' (see blaze mdir --help)\n"],
      [['mdir', 'rm', '-D', dir, 'nope'], `blaze: mdir: ${dir}: no message 'nope'\n`],
      [['mdir', 'put', '-D', dir, join(dir, 'missing.eml')], `blaze: mdir: ${join(dir, 'missing.eml')}: no such file or directory\n`],
    ];
    for (const [args, err] of cases) {
      const r = await blaze(args);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stderr).toBe(err);
      expect(r.stdout).toBe('');
    }
    const name = (await blaze(['mdir', 'put', '-D', dir, SIMPLE])).stdout.trimEnd();
    const bad = await blaze(['mdir', 'flag', '-D', dir, name, 'S']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toBe("blaze: mdir: bad flag change 'S' (expected +LETTERS or -LETTERS, e.g. +S -T)\n");
    // a failed put leaves nothing in tmp/ or new/
    expect(await readdir(join(dir, 'tmp'))).toEqual([]);
    expect(await readdir(join(dir, 'new'))).toEqual([name]);
  });

  it('20 parallel puts deliver 20 distinct complete messages', async () => {
    const dir = await fresh();
    const bodies = Array.from({ length: 20 }, (_, i) => `Subject: parallel ${i}\r\n\r\n${`line ${i}\r\n`.repeat(2000)}`);
    const results = await Promise.all(bodies.map((b) => blaze(['mdir', 'put', '-D', dir], { input: b })));
    expect(results.map((r) => r.exitCode)).toEqual(Array(20).fill(0));
    const names = results.map((r) => r.stdout.trimEnd());
    expect(new Set(names).size).toBe(20);
    expect((await readdir(join(dir, 'new'))).sort()).toEqual([...names].sort());
    expect(await readdir(join(dir, 'tmp'))).toEqual([]);
    const contents = await Promise.all(names.map((n) => readFile(join(dir, 'new', n), 'utf8')));
    expect(contents.sort()).toEqual([...bodies].sort());
  });

  it('prints no progress bar when stderr is not a TTY', async () => {
    const dir = await fresh();
    for (let i = 0; i < 3; i++) await blaze(['mdir', 'put', '-D', dir, SIMPLE]);
    const r = await blaze(['mdir', 'list', '-D', dir]);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(3);
  });

  it('draws a progress bar on stderr when it is a terminal (script(1) gives a pty)', async () => {
    const dir = await fresh();
    for (let i = 0; i < 3; i++) await blaze(['mdir', 'put', '-D', dir, SIMPLE]);
    const r = await execa('script', ['-qec', `${BLAZE} mdir list -D ${dir} > /dev/null`, '/dev/null'], { reject: false });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('] 3/3');
    expect(r.stdout).toMatch(/^\r\[#+ *\] \d\/3/);
    expect(r.stdout.endsWith('\r\x1b[K')).toBe(true);
  });
});
