// blaze fetch against a real POP3 server: Debian's Dovecot, started by the
// test on 127.0.0.1 with a self-signed certificate (test/support/dovecot.ts).
// pop3s and STLS, each login method, incremental fetches, --delete,
// --exclude, a wrong password, certificate checks, and the three kinds of
// destination read back by their peers (mblaze, Python's mailbox).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { mkdtemp, readdir, readFile, access } from 'node:fs/promises';
import { constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDovecot, type Dovecot } from '../support/dovecot.ts';

const BLAZE = fileURLToPath(new URL('../../bin/blaze', import.meta.url));
let dv: Dovecot;

const tmp = () => mkdtemp(join(tmpdir(), 'blaze-fetch-'));
const fetch = (args: string[], env: Record<string, string> = { BLAZE_PASSWORD: 'secret' }) =>
  execa(BLAZE, ['fetch', ...args], { reject: false, env: { ...env, BLAZE_MDIR: '' } });
const pop3s = () => `pop3s://alice@example.org@127.0.0.1:${dv.pop3sPort}`;
const pop3 = () => `pop3://alice@example.org@localhost:${dv.pop3Port}`;

const msg = (n: number, extra = '') => `From: sender${n}@example.net\nTo: alice@example.org\nSubject: message ${n}\n\nline one\n.leading dot\nFrom a body line\n${extra}`;
/** What a POP3 server sends for a message stored with LF line ends: CRLF. */
const wire = (s: string) => s.replace(/\n/g, '\r\n');

beforeAll(async () => {
  for (const peer of ['/usr/sbin/dovecot', '/usr/bin/openssl', '/usr/bin/mlist', '/usr/bin/python3']) await access(peer, constants.X_OK);
  dv = await startDovecot();
});
afterAll(async () => {
  await dv?.stop();
});

async function newFiles(md: string): Promise<string[]> {
  return (await readdir(join(md, 'new'))).sort();
}

describe('blaze fetch with Dovecot', () => {
  it('pop3s: stores every message into a Maildir, byte for byte as sent; a second fetch gets only new mail', async () => {
    const work = await tmp();
    const md = join(work, 'Maildir');
    const state = join(work, 'state');
    await dv.deliver('1000.a', msg(1));
    await dv.deliver('1001.b', msg(2));
    const r = await fetch([pop3s(), '--ca', dv.cert, '-o', md, '--state', state]);
    expect(r.stderr).toBe(`blaze: fetch: alice@example.org@127.0.0.1:${dv.pop3sPort}: 2 new messages stored (${((wire(msg(1)).length + wire(msg(2)).length) / 1024).toFixed(1)} KB)`);
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toHaveLength(2);
    const files = await newFiles(md);
    expect(files).toHaveLength(2);
    const bodies = await Promise.all(files.map((f) => readFile(join(md, 'new', f), 'utf8')));
    expect(bodies.sort()).toEqual([wire(msg(1)), wire(msg(2))]);
    expect((await readdir(join(md, 'tmp')))).toEqual([]);
    // mblaze reads what was stored.
    expect((await execa('mlist', [md])).stdout.split('\n')).toHaveLength(2);

    await dv.deliver('1002.c', msg(3));
    const again = await fetch([pop3s(), '--ca', dv.cert, '-o', md, '--state', state]);
    expect(again.exitCode).toBe(0);
    expect(again.stdout.split('\n')).toHaveLength(1);
    expect(again.stderr).toMatch(/: 1 new message stored \(.*\), 2 fetched before$/);
    expect(await newFiles(md)).toHaveLength(3);
    const nothing = await fetch([pop3s(), '--ca', dv.cert, '-o', md, '--state', state]);
    expect(nothing.stdout).toBe('');
    expect(nothing.stderr).toMatch(/: 0 new messages stored \(0\.0 KB\), 3 fetched before$/);
  });

  it('pop3:// upgrades with STLS; USER/PASS and APOP work as well as SASL PLAIN', async () => {
    for (const auth of ['plain', 'user', 'apop']) {
      const work = await tmp();
      const r = await fetch(['-v', pop3(), '--ca', dv.cert, '--auth', auth, '-o', join(work, 'md'), '--state', join(work, 'state')]);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stderr).toContain('C: STLS');
      expect(r.stderr).toMatch(/\* TLS established/);
      const login = { plain: 'C: AUTH PLAIN <credentials>', user: 'C: PASS <password>', apop: 'C: APOP alice@example.org <digest>' }[auth]!;
      expect(r.stderr).toContain(login);
      expect(r.stderr).not.toContain('secret');
      expect((await newFiles(join(work, 'md'))).length).toBeGreaterThan(0);
    }
  });

  it('a wrong password: exit 1, a clear message, nothing stored', async () => {
    const work = await tmp();
    const r = await fetch([pop3s(), '--ca', dv.cert, '-o', join(work, 'md'), '--state', join(work, 'state')], { BLAZE_PASSWORD: 'wrong' });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe(
      `blaze: fetch: alice@example.org@127.0.0.1:${dv.pop3sPort}: login: -ERR [AUTH] Authentication failed. (wrong user or password?)`,
    );
    expect(r.stdout).toBe('');
    expect(await newFiles(join(work, 'md'))).toEqual([]);
  });

  it('checks the certificate: refused without --ca (exit 2), accepted with --insecure', async () => {
    const work = await tmp();
    const r = await fetch([pop3s(), '-o', join(work, 'md'), '--state', join(work, 'state')]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe(`blaze: fetch: alice@example.org@127.0.0.1:${dv.pop3sPort}: self-signed certificate (--ca FILE to trust its CA, or --insecure)`);
    const ok = await fetch([pop3s(), '--insecure', '-q', '-o', join(work, 'md'), '--state', join(work, 'state')]);
    expect(ok.exitCode).toBe(0);
    expect(ok.stdout + ok.stderr).toBe('');
  });

  it('--exclude skips a unique id; --mbox and -f store elsewhere, readable by Python', async () => {
    const work = await tmp();
    const list = await fetch([pop3s(), '--ca', dv.cert, '-f', join(work, 'files/%u.eml'), '--state', join(work, 's1')]);
    expect(list.exitCode).toBe(0);
    const uids = list.stdout.split('\n').map((l) => l.split('\t')[0]);
    expect(uids.length).toBeGreaterThanOrEqual(3);
    expect((await readdir(join(work, 'files'))).sort()).toEqual(uids.map((u) => `${u}.eml`).sort());
    const r = await fetch([pop3s(), '--ca', dv.cert, '--mbox', join(work, 'box'), '--exclude', uids[0], '--state', join(work, 's2')]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/, 1 excluded$/);
    const py = await execa('/usr/bin/python3', [
      '-c',
      'import mailbox,sys,json; print(json.dumps([m["subject"] for m in mailbox.mbox(sys.argv[1])]))',
      join(work, 'box'),
    ]);
    const subjects = JSON.parse(py.stdout) as string[];
    expect(subjects).toHaveLength(uids.length - 1);
    expect(subjects.every((s) => /^message \d+$/.test(s))).toBe(true);
    // Python sees mboxrd's quoting of the body line "From a body line".
    expect(await readFile(join(work, 'box'), 'utf8')).toContain('\n>From a body line\n');
  });

  it('--delete removes each message from the server once stored; the state forgets them next time', async () => {
    const work = await tmp();
    const md = join(work, 'md');
    const state = join(work, 'state');
    const before = (await dv.stored()).length;
    expect(before).toBeGreaterThan(0);
    const r = await fetch([pop3s(), '--ca', dv.cert, '-o', md, '--state', state, '--delete']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`: ${before} new messages stored \\(.*\\), ${before} deleted$`));
    expect(await newFiles(md)).toHaveLength(before);
    expect(await dv.stored()).toEqual([]);
    expect((await readFile(state, 'utf8')).trim().split('\n')).toHaveLength(before + 1); // header line + ids
    await dv.deliver('2000.z', msg(9));
    const next = await fetch([pop3s(), '--ca', dv.cert, '-o', md, '--state', state]);
    expect(next.exitCode).toBe(0);
    expect(next.stdout.split('\n')).toHaveLength(1);
    // Only the id still on the server is remembered.
    expect((await readFile(state, 'utf8')).trim().split('\n')).toHaveLength(2);
  });
});
