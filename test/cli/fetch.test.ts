// blaze fetch against a tiny scripted POP3 server in the test process
// (127.0.0.1, port 0): a server that drops the connection in the middle of a
// message (nothing partial stored, no DELE for it, the next fetch gets it),
// one that never answers (--timeout), where the password comes from, and
// usage errors.
import { afterEach, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';

const BLAZE = fileURLToPath(new URL('../../bin/blaze', import.meta.url));
const tmp = () => mkdtemp(join(tmpdir(), 'blaze-cli-fetch-'));
const fetch = (args: string[], env: Record<string, string> = {}) =>
  execa(BLAZE, ['fetch', ...args], { reject: false, env: { BLAZE_PASSWORD: 'pw', BLAZE_MDIR: '', ...env } });

const MESSAGES = [
  { uid: 'uid-1', text: 'Subject: one\r\n\r\nfirst\r\n' },
  { uid: 'uid-2', text: 'Subject: two\r\n\r\n' + 'second message, long enough to be cut\r\n'.repeat(50) },
];

interface FakeOptions {
  /** Cut the connection after sending this many bytes of message 2. */
  dropInMessage2?: number;
  /** Never answer at all. */
  silent?: boolean;
}

/** A POP3 server that follows a script; records the commands it got. */
async function fakeServer(opts: FakeOptions) {
  const commands: string[] = [];
  const server = net.createServer((sock) => {
    if (opts.silent) return;
    sock.write('+OK fake ready\r\n');
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      for (let i = buf.indexOf('\r\n'); i >= 0; i = buf.indexOf('\r\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        commands.push(line);
        const [verb, arg] = line.split(' ');
        const m = MESSAGES[Number(arg) - 1];
        if (verb === 'CAPA') sock.write('+OK\r\nUSER\r\nUIDL\r\n.\r\n');
        else if (verb === 'USER') sock.write('+OK\r\n');
        else if (verb === 'PASS') sock.write(arg === 'pw' ? '+OK in\r\n' : '-ERR [AUTH] no\r\n');
        else if (verb === 'UIDL') sock.write('+OK\r\n' + MESSAGES.map((x, j) => `${j + 1} ${x.uid}\r\n`).join('') + '.\r\n');
        else if (verb === 'LIST') sock.write('+OK\r\n' + MESSAGES.map((x, j) => `${j + 1} ${x.text.length}\r\n`).join('') + '.\r\n');
        else if (verb === 'RETR' && m) {
          const whole = `+OK\r\n${m.text}.\r\n`;
          if (Number(arg) === 2 && opts.dropInMessage2 !== undefined) {
            sock.write(whole.slice(0, opts.dropInMessage2), () => sock.destroy());
            return;
          }
          sock.write(whole);
        } else if (verb === 'DELE') sock.write('+OK\r\n');
        else if (verb === 'QUIT') sock.end('+OK bye\r\n');
        else sock.write('-ERR what\r\n');
      }
    });
    sock.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  servers.push(server);
  return { port, commands, url: `pop3://alice@127.0.0.1:${port}` };
}

const servers: net.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

describe('blaze fetch (scripted server)', () => {
  it('a connection dropped in the middle of a message: nothing partial stored, no DELE; the next fetch gets it', async () => {
    const work = await tmp();
    const md = join(work, 'md');
    const state = join(work, 'state');
    const bad = await fakeServer({ dropInMessage2: 200 });
    const r = await fetch([bad.url, '--tls', 'none', '-o', md, '--state', state, '--delete']);
    expect(r.exitCode).toBe(75);
    expect(r.stdout).toMatch(/^uid-1\t.*\/new\/[^\n]+$/);
    expect(r.stderr).toBe(
      `blaze: fetch: alice@127.0.0.1:${bad.port}: 1 new message stored (0.0 KB), 0 deleted\nblaze: fetch: alice@127.0.0.1:${bad.port}: connection closed by the server`,
    );
    // DELE 1 was sent after message 1 was stored, nothing for message 2; the
    // session never reached QUIT, so the server deletes nothing (RFC 1939 §6).
    expect(bad.commands).toEqual(['CAPA', 'USER alice', 'PASS pw', 'UIDL', 'LIST', 'RETR 1', 'DELE 1', 'RETR 2']);
    expect(await readdir(join(md, 'new'))).toHaveLength(1);
    expect(await readdir(join(md, 'tmp'))).toEqual([]);
    expect(await readFile(join(md, 'new', (await readdir(join(md, 'new')))[0]), 'utf8')).toBe(MESSAGES[0].text);

    const good = await fakeServer({});
    const again = await fetch([good.url, '--tls', 'none', '-o', md, '--state', state]);
    expect(again.exitCode).toBe(0);
    expect(good.commands).toEqual(['CAPA', 'USER alice', 'PASS pw', 'UIDL', 'LIST', 'RETR 2', 'QUIT']);
    const files = await readdir(join(md, 'new'));
    expect(files).toHaveLength(2);
    const texts = await Promise.all(files.map((f) => readFile(join(md, 'new', f), 'utf8')));
    expect(texts.sort()).toEqual([MESSAGES[0].text, MESSAGES[1].text].sort());
  });

  it('the same with --mbox: the mbox is cut back, and with -f: no file appears', async () => {
    const work = await tmp();
    const bad = await fakeServer({ dropInMessage2: 300 });
    const r = await fetch([bad.url, '--tls', 'none', '--mbox', join(work, 'box'), '--state', join(work, 's1')]);
    expect(r.exitCode).toBe(75);
    const box = await readFile(join(work, 'box'), 'utf8');
    expect(box).toMatch(/^From MAILER-DAEMON .*\nSubject: one\n\nfirst\n\n$/);
    const f = await fetch([bad.url, '--tls', 'none', '-f', join(work, 'files/%n-%u.eml'), '--state', join(work, 's2')]);
    expect(f.exitCode).toBe(75);
    expect(await readdir(join(work, 'files'))).toEqual(['1-uid-1.eml']);
  });

  it('a server that never answers: exit 75 after --timeout', async () => {
    const work = await tmp();
    const silent = await fakeServer({ silent: true });
    const r = await fetch([silent.url, '--tls', 'none', '--timeout', '1s', '-o', join(work, 'md'), '--state', join(work, 'state')]);
    expect(r.exitCode).toBe(75);
    expect(r.stderr).toBe(`blaze: fetch: alice@127.0.0.1:${silent.port}: no answer for 1 s`);
  });

  it('the password from --password-file or --password-command, never required on the command line', async () => {
    const work = await tmp();
    const srv = await fakeServer({});
    await writeFile(join(work, 'pw'), 'pw\nignored second line\n');
    const byFile = await fetch([srv.url, '--tls', 'none', '-q', '--password-file', join(work, 'pw'), '-o', join(work, 'a'), '--state', join(work, 's1')], { BLAZE_PASSWORD: 'wrong' });
    expect(byFile.exitCode).toBe(0);
    const byCmd = await fetch([srv.url, '--tls', 'none', '-q', '--password-command', 'echo pw', '-o', join(work, 'b'), '--state', join(work, 's2')], { BLAZE_PASSWORD: 'wrong' });
    expect(byCmd.exitCode).toBe(0);
    const wrong = await fetch([srv.url, '--tls', 'none', '-o', join(work, 'c'), '--state', join(work, 's3')], { BLAZE_PASSWORD: 'nope' });
    expect(wrong.exitCode).toBe(1);
    const failing = await fetch([srv.url, '--tls', 'none', '--password-command', 'exit 3', '-o', join(work, 'c'), '--state', join(work, 's3')]);
    expect(failing.exitCode).toBe(2);
    expect(failing.stderr).toBe('blaze: fetch: --password-command exited with status 3');
    const noPw = await execa(BLAZE, ['fetch', srv.url, '-o', join(work, 'c'), '--state', join(work, 's3')], { reject: false, env: { BLAZE_PASSWORD: undefined } as never, stdin: 'ignore', detached: true });
    expect(noPw.exitCode).toBe(2);
    expect(noPw.stderr).toMatch(/no password: use --password-file FILE, --password-command CMD or BLAZE_PASSWORD/);
  });

  it('refuses a plain-text login unless asked (--tls none) and bad arguments, in one line, exit 2', async () => {
    const work = await tmp();
    const srv = await fakeServer({});
    const r = await fetch([srv.url, '-o', join(work, 'md'), '--state', join(work, 's')]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe(`blaze: fetch: alice@127.0.0.1:${srv.port}: the server does not offer STLS (RFC 2595): --tls none would send the password unencrypted`);
    expect(srv.commands).toEqual(['CAPA', 'QUIT']);
    const cases: Array<[string[], string]> = [
      [['imap://x@y', '-o', 'd'], 'blaze: fetch: imap://x@y: not a POP3 URL (pop3s://user@host[:port] or pop3://user@host[:port])'],
      [['pop3s://host'], 'blaze: fetch: no user: give it in the URL (pop3s://user@host) or with --user'],
      [['pop3s://a@host'], 'blaze: fetch: no destination: -o MAILDIR, --mbox FILE or -f FORMAT (or set BLAZE_MDIR)'],
      [['pop3s://a@host', '-o', 'x', '--mbox', 'y'], 'blaze: fetch: -o, --mbox and -f exclude each other'],
      [['pop3s://a@host', '-f', 'same.eml', '--state', join(work, 's9')], 'blaze: fetch: -f same.eml: the name needs %u, %n or %i, or every message would get the same file'],
      [['pop3s://a@host', '-o', 'x', '--timeout', 'soon'], "blaze: fetch: --timeout: bad duration 'soon' (expected e.g. 300ms, 5s, 2m, 1h, 7d)"],
    ];
    for (const [args, err] of cases) {
      const x = await fetch(args);
      expect(x.stderr, args.join(' ')).toBe(err);
      expect(x.exitCode).toBe(2);
    }
  });
});
