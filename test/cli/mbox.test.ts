// blaze mbox list / split / make, run as a user would. The expected messages
// are written out by hand from the fixture (fixtures/mbox/three.mboxrd) and
// the mboxrd rules: one > removed from every /^>+From / line.
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { mkdtemp, readdir, readFile, writeFile, mkdir, access } from 'node:fs/promises';
import { openArchive, parseOidHex } from '../../src/pack/index.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BLAZE = fileURLToPath(new URL('../../bin/blaze', import.meta.url));
const THREE = fileURLToPath(new URL('../../fixtures/mbox/three.mboxrd', import.meta.url));

const blaze = (args: string[], opts: Record<string, unknown> = {}) =>
  execa(BLAZE, args, { reject: false, stripFinalNewline: false, ...opts });
const tmp = () => mkdtemp(join(tmpdir(), 'blaze-cli-mbox-'));

const M1 =
  'From: Alice <alice@example.org>\nTo: bob@example.net\nSubject: Lunch on Thursday?\nDate: Thu, 30 Mar 2017 15:00:00 +0200\n' +
  'Message-ID: <lunch@example.org>\nStatus: RO\nX-Status: AF\n\nShall we meet at noon?\nFrom the office, I mean.\n>From the second floor.\n';
const M2 = 'From: Bob <bob@example.net>\nTo: alice@example.org\nSubject: =?utf-8?q?R=C3=A9union?=\nDate: Fri, 31 Mar 2017 10:30:00 +0200\nStatus: O\n\nFrom here on, fine.\n>From\n';
const M3 = 'From: postmaster@example.org\nSubject: no date field\n\nnew, unread\n';

describe('blaze mbox list', () => {
  it('prints offset, size, date, from and subject, one line per message', async () => {
    const text = await readFile(THREE, 'latin1');
    const o2 = text.indexOf('From bob@');
    const o3 = text.indexOf('From MAILER-DAEMON');
    const r = await blaze(['mbox', 'list', THREE]);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(
      `0\t${M1.length}\t2017-03-30 15:00:00 +02:00\tAlice <alice@example.org>\tLunch on Thursday?\n` +
        `${o2}\t${M2.length}\t2017-03-31 10:30:00 +02:00\tBob <bob@example.net>\tRéunion\n` +
        // No Date field: the From_ line's date (UTC).
        `${o3}\t${M3.length}\t2017-04-01 00:00:00 +00:00\tpostmaster@example.org\tno date field\n`,
    );
    // The same from a pipe.
    expect((await blaze(['mbox', 'list'], { inputFile: THREE })).stdout).toBe(r.stdout);
  });

  it('--json gives offsets, the From_ line, the decoded fields and the state', async () => {
    const text = await readFile(THREE, 'latin1');
    const r = await blaze(['mbox', 'list', '--json', THREE]);
    expect(r.exitCode).toBe(0);
    const recs = JSON.parse(r.stdout);
    expect(recs).toHaveLength(3);
    expect(recs[0]).toEqual({
      number: 1,
      offset: 0,
      headerOffset: text.indexOf('From: Alice'),
      bodyOffset: text.indexOf('Shall we'),
      end: text.indexOf('From bob@') - 1,
      size: M1.length,
      fromLine: 'From alice@example.org Thu Mar 30 13:00:00 2017',
      sender: 'alice@example.org',
      date: '2017-03-30 15:00:00 +02:00',
      timestamp: '2017-03-30T13:00:00.000Z',
      from: 'Alice <alice@example.org>',
      subject: 'Lunch on Thursday?',
      status: 'FRS',
      contentLength: null,
    });
    expect(recs[1]).toMatchObject({ subject: 'Réunion', status: '', sender: 'bob@example.net' });
    expect(recs[2]).toMatchObject({ date: '2017-04-01 00:00:00 +00:00', timestamp: '2017-04-01T00:00:00.000Z', status: null, sender: 'MAILER-DAEMON' });
    expect(JSON.parse((await blaze(['mbox', 'list', '--json'], { input: '' })).stdout)).toEqual([]);
  });

  it('refuses what is not an mbox, in one line, exit 2', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'm.eml'), 'Subject: x\n\nbody\n');
    const r = await blaze(['mbox', 'list', join(dir, 'm.eml')]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe(`blaze: mbox: ${join(dir, 'm.eml')}: not an mbox: offset 0 is not a From_ line\n`);
    expect(r.stdout).toBe('');
    const missing = await blaze(['mbox', 'list', join(dir, 'nope')]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toBe(`blaze: mbox: ${join(dir, 'nope')}: no such file or directory\n`);
  });

  it('--format mboxcl2 keeps a From_ line inside a body that Content-Length covers', async () => {
    const body = 'see:\n\nFrom 3f2a Mon Sep 17 00:00:00 2001\nFrom: Dev <dev@example.org>\n\n>From quoted stays\n';
    const msg = `Subject: patch\nContent-Length: ${Buffer.byteLength(body)}\n\n${body}`;
    const box = `From a@x Thu Jan  1 00:00:00 2026\n${msg}\nFrom b@x Thu Jan  1 00:00:00 2026\nSubject: two\n\nz\n`;
    const dir = await tmp();
    await writeFile(join(dir, 'box'), box);
    const cl2 = await blaze(['mbox', 'split', '--format', 'mboxcl2', join(dir, 'out'), join(dir, 'box')]);
    expect(cl2.exitCode).toBe(0);
    expect(await readdir(join(dir, 'out'))).toEqual(['000001.eml', '000002.eml']);
    expect(await readFile(join(dir, 'out', '000001.eml'), 'utf8')).toBe(msg);
    const rd = await blaze(['mbox', 'list', '--format', 'mboxrd', join(dir, 'box')]);
    expect(rd.stdout.trim().split('\n')).toHaveLength(3);
  });
});

describe('blaze mbox split', () => {
  it('writes each message to DIR/NNNNNN.eml, quoting removed, and prints the paths', async () => {
    const dir = join(await tmp(), 'out');
    const r = await blaze(['mbox', 'split', dir, THREE]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(['000001.eml', '000002.eml', '000003.eml'].map((f) => join(dir, f) + '\n').join(''));
    expect(await readFile(join(dir, '000001.eml'), 'utf8')).toBe(M1);
    expect(await readFile(join(dir, '000002.eml'), 'utf8')).toBe(M2);
    expect(await readFile(join(dir, '000003.eml'), 'utf8')).toBe(M3);
    // Never overwrites.
    const again = await blaze(['mbox', 'split', dir, THREE]);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toBe(`blaze: mbox: ${join(dir, '000001.eml')}: already exists\n`);
  });

  it('--newline crlf writes wire form', async () => {
    const dir = join(await tmp(), 'out');
    expect((await blaze(['mbox', 'split', '--newline', 'crlf', dir, THREE])).exitCode).toBe(0);
    expect(await readFile(join(dir, '000003.eml'), 'utf8')).toBe(M3.replace(/\n/g, '\r\n'));
  });

  it('--maildir: Status/X-Status give the folder and the flags', async () => {
    const md = join(await tmp(), 'Maildir');
    const r = await blaze(['mbox', 'split', '--maildir', md, THREE]);
    expect(r.exitCode).toBe(0);
    const cur = (await readdir(join(md, 'cur'))).sort();
    const fresh = await readdir(join(md, 'new'));
    expect(await readdir(join(md, 'tmp'))).toEqual([]);
    expect(cur).toHaveLength(2);
    expect(fresh).toHaveLength(1);
    const byBody = new Map<string, string>();
    for (const f of cur) byBody.set(await readFile(join(md, 'cur', f), 'utf8'), f);
    expect(byBody.get(M1)).toMatch(/:2,FRS$/); // Status RO: seen; X-Status AF: replied, flagged
    expect(byBody.get(M2)).toMatch(/:2,$/); // Status O: old, no flag
    expect(await readFile(join(md, 'new', fresh[0]), 'utf8')).toBe(M3);
    const paths = r.stdout.trim().split('\n');
    expect(paths).toHaveLength(3);
    for (const p of paths) await access(p);
  });
});

describe('blaze mbox make', () => {
  it('Maildir -> mbox -> Maildir gives every message back byte for byte', async () => {
    const root = await tmp();
    expect((await blaze(['mbox', 'split', '--maildir', join(root, 'A'), THREE])).exitCode).toBe(0);
    const made = await blaze(['mbox', 'make', '-o', join(root, 'a.mbox'), join(root, 'A')]);
    expect(made.stderr).toBe('');
    expect(made.exitCode).toBe(0);
    expect((await blaze(['mbox', 'split', '--maildir', join(root, 'B'), join(root, 'a.mbox')])).exitCode).toBe(0);
    const contents = async (md: string) => {
      const out: string[] = [];
      for (const f of ['new', 'cur']) for (const n of await readdir(join(md, f))) out.push(`${f}:${n.includes(':2,') ? n.replace(/^.*:2,/, '') : '-'}:${await readFile(join(md, f, n), 'utf8')}`);
      return out.sort();
    };
    expect(await contents(join(root, 'B'))).toEqual(await contents(join(root, 'A')));
  });

  it('writes the From_ line from Return-Path (or From) and Date, quotes From lines, converts CRLF', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'a.eml'), 'Return-Path: <bounce@example.org>\r\nFrom: A <a@example.org>\r\nDate: Thu, 30 Mar 2017 15:00:00 +0200\r\n\r\nFrom me\r\n>From you\r\nno final newline');
    await writeFile(join(dir, 'b.eml'), 'From: "B b" <b@example.org>\nDate: Mon, 1 Jan 2024 00:00:00 -0000\n\nhi\n');
    const r = await blaze(['mbox', 'make', join(dir, 'a.eml'), join(dir, 'b.eml')]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(
      'From bounce@example.org Thu Mar 30 13:00:00 2017\n' +
        'Return-Path: <bounce@example.org>\nFrom: A <a@example.org>\nDate: Thu, 30 Mar 2017 15:00:00 +0200\n\n>From me\n>>From you\nno final newline\n\n' +
        'From b@example.org Mon Jan  1 00:00:00 2024\n' +
        'From: "B b" <b@example.org>\nDate: Mon, 1 Jan 2024 00:00:00 -0000\n\nhi\n\n',
    );
    // One message on stdin; names from --files-from.
    expect((await blaze(['mbox', 'make'], { inputFile: join(dir, 'b.eml') })).stdout).toBe(r.stdout.slice(r.stdout.indexOf('From b@')));
    await writeFile(join(dir, 'list'), `${join(dir, 'a.eml')}\0${join(dir, 'b.eml')}\0`);
    expect((await blaze(['mbox', 'make', '--files-from', join(dir, 'list'), '--null'])).stdout).toBe(r.stdout);
  });

  it('-S writes Status and X-Status from the Maildir flags, replacing old ones', async () => {
    const root = await tmp();
    expect((await blaze(['mbox', 'split', '--maildir', join(root, 'A'), THREE])).exitCode).toBe(0);
    const r = await blaze(['mbox', 'make', '-S', join(root, 'A')]);
    expect(r.exitCode).toBe(0);
    // Message 1 (cur, FRS): Status RO, X-Status AF, once each; message 3 (new/): neither.
    expect(r.stdout.match(/^Status: RO$/gm)).toHaveLength(1);
    expect(r.stdout.match(/^X-Status: AF$/gm)).toHaveLength(1);
    expect(r.stdout.match(/^Status: O$/gm)).toHaveLength(1);
    expect(r.stdout).toContain('Subject: no date field\n\nnew, unread\n');
    expect(r.stdout.match(/^Status:/gm)).toHaveLength(2);
  });

  it('--append adds to an existing mbox under its lock, taking over a stale lock', async () => {
    const dir = await tmp();
    const box = join(dir, 'box');
    await writeFile(box, (await readFile(THREE)).subarray(0, -1)); // no final blank line
    await writeFile(join(dir, 'c.eml'), 'From: c@example.org\nDate: Mon, 1 Jan 2024 00:00:00 +0000\nSubject: appended\n\nhello\n');
    await writeFile(`${box}.lock`, '999999999\n'); // a writer that died
    const r = await blaze(['mbox', 'make', '--append', box, join(dir, 'c.eml')]);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    await expect(access(`${box}.lock`)).rejects.toThrow();
    const l = await blaze(['mbox', 'list', box]);
    expect(l.stdout.trim().split('\n').map((x) => x.split('\t')[4])).toEqual(['Lunch on Thursday?', 'Réunion', 'no date field', 'appended']);
    const s = join(dir, 'split');
    await blaze(['mbox', 'split', s, box]);
    expect(await readFile(join(s, '000003.eml'), 'utf8')).toBe(M3);
  });

  it('a directory that is not a Maildir is refused', async () => {
    const dir = await tmp();
    await mkdir(join(dir, 'x'));
    const r = await blaze(['mbox', 'make', join(dir, 'x')]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe(`blaze: mbox: ${join(dir, 'x')}: a directory but not a Maildir (no tmp/, new/ and cur/)\n`);
  });
});

describe('blaze mbox MBOX -o PACK', () => {
  it('archives every message into a pack git accepts; each rebuilds byte for byte as split writes it', async () => {
    const dir = await tmp();
    const pack = join(dir, 'a.pack');
    const r = await blaze(['mbox', THREE, '-o', pack]);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => l.split(' '));
    expect(lines.map((l) => l[1])).toEqual(['1', '2', '3']);
    const verify = await execa('git', ['verify-pack', join(dir, 'a.idx')], { reject: false });
    expect(verify.exitCode).toBe(0);
    const opened = openArchive(pack);
    if (typeof opened === 'string') throw new Error(opened);
    try {
      const rebuilt = lines.map(([id]) => {
        const items = opened.archive.structure(parseOidHex(id)!);
        if (typeof items === 'string') throw new Error(items);
        return Buffer.concat([...opened.archive.message(items)]).toString('utf8');
      });
      expect(rebuilt).toEqual([M1, M2, M3]);
    } finally {
      opened.close();
    }
    // From stdin too; the same ids (content addressed).
    const piped = await blaze(['mbox', '-o', join(dir, 'b.pack')], { inputFile: THREE });
    expect(piped.stdout).toBe(r.stdout);
  });

  it('without -o, an unknown word is an unknown command', async () => {
    const r = await blaze(['mbox', 'lsit']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe("blaze: mbox: unknown command 'lsit' (see blaze mbox --help; MBOX -o PACK to archive)\n");
  });
});
