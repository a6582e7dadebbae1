// blaze submit as a shell sees it: the dry run (exact client side of the
// dialogue), envelope choice, usage errors and exit codes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BLAZE, maildirMessages, startSrv, tempDir, type Srv } from '../smtp/support.ts';
import { refusingPort } from '../support/daemon-port.ts';

const dir = tempDir();
const MSG = 'From: Alice <alice@example.org>\nTo: bob@example.net, "Doe, J" <j@example.net>\nCc: carol@example.net\nBcc: secret@example.com\nSubject: hi\n\n.dot\nbody\n';
const file = join(dir, 'msg.eml');
writeFileSync(file, MSG);
const size = Buffer.byteLength(MSG);
afterAll(async () => (await import('node:fs')).rmSync(dir, { recursive: true, force: true }));

describe('blaze submit', () => {
  it('dry run: the client side of the dialogue, STARTTLS by default, Bcc stripped, dot-stuffed', async () => {
    const r = await execa(BLAZE, ['submit', '-h', 'client.example', file, '-'], { stripFinalNewline: false });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(
      [
        'EHLO client.example',
        'STARTTLS',
        'EHLO client.example',
        `MAIL FROM:<alice@example.org> SIZE=${size} BODY=8BITMIME`,
        'RCPT TO:<bob@example.net>',
        'RCPT TO:<j@example.net>',
        'RCPT TO:<carol@example.net>',
        'RCPT TO:<secret@example.com>',
        'DATA',
        'From: Alice <alice@example.org>',
        'To: bob@example.net, "Doe, J" <j@example.net>',
        'Cc: carol@example.net',
        'Subject: hi',
        '',
        '..dot',
        'body',
        '.',
        'QUIT',
        '',
      ].join('\r\n'),
    );
    expect(r.stderr).toBe('');
  });

  it('dry run from stdin with --tls none, --sender, -r and --user (credentials never printed)', async () => {
    const r = await execa(BLAZE, ['submit', '--tls', 'none', '-h', 'c', '--sender', 'bounces@example.org', '-r', 'x@example.net', '-r', 'y@example.net', '--user', 'alice', '-'], {
      input: MSG,
      env: { BLAZE_PASSWORD: 'hunter2' },
    });
    const lines = r.stdout.split('\r\n');
    expect(lines.slice(0, 6)).toEqual(['EHLO c', 'AUTH PLAIN <credentials>', 'MAIL FROM:<bounces@example.org> BODY=8BITMIME', 'RCPT TO:<x@example.net>', 'RCPT TO:<y@example.net>', 'DATA']);
    expect(r.stdout).not.toContain(Buffer.from('\0alice\0hunter2').toString('base64'));
    expect(r.stdout).not.toContain('Bcc:');
  });

  it('dry run of a message ending without a line end adds the CRLF before the dot', async () => {
    const r = await execa(BLAZE, ['submit', '--tls', 'none', '-h', 'c', '-'], { input: 'From: a@b.example\nTo: c@d.example\n\nno newline' });
    expect(r.stdout.endsWith('\r\nno newline\r\n.\r\nQUIT')).toBe(true);
  });

  it('-p works but warns', async () => {
    const r = await execa(BLAZE, ['submit', '-p', 'pw', '--tls', 'none', file, '-']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/warning: a password on the command line is visible/);
    expect(r.stdout).toContain('AUTH PLAIN <credentials>');
  });

  it('usage errors exit 2 with one line', async () => {
    const noServer = await execa(BLAZE, ['submit'], { reject: false, input: '' });
    expect(noServer.exitCode).toBe(2);
    expect(noServer.stderr).toBe('blaze: submit: missing SERVER (HOST[:PORT], or - for a dry run)');
    const noFrom = await execa(BLAZE, ['submit', '-'], { reject: false, input: 'To: x@y.example\n\nhi\n' });
    expect(noFrom.exitCode).toBe(2);
    expect(noFrom.stderr).toBe('blaze: submit: no sender: the message has no From field (use --sender)');
    const noTo = await execa(BLAZE, ['submit', '-'], { reject: false, input: 'From: x@y.example\n\nhi\n' });
    expect(noTo.exitCode).toBe(2);
    expect(noTo.stderr).toBe('blaze: submit: no recipient: the message has no To, Cc or Bcc (use -r)');
    const badPort = await execa(BLAZE, ['submit', file, 'host:99999'], { reject: false });
    expect(badPort.exitCode).toBe(2);
    expect(badPort.stderr).toBe('blaze: submit: host:99999: expected HOST[:PORT]');
    const missing = await execa(BLAZE, ['submit', join(dir, 'nope.eml'), '-'], { reject: false });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toBe(`blaze: submit: ${join(dir, 'nope.eml')}: no such file or directory`);
    const badTls = await execa(BLAZE, ['submit', '--tls', 'maybe', file, '-'], { reject: false });
    expect(badTls.exitCode).toBe(2);
  });

  it('a refused connection is a temporary failure (exit 75), one line', async () => {
    const { port, release } = await refusingPort();
    try {
      const r = await execa(BLAZE, ['submit', '--tls', 'none', file, `127.0.0.1:${port}`], { reject: false });
      expect(r.exitCode).toBe(75);
      expect(r.stderr).toBe(`blaze: submit: 127.0.0.1:${port}: connection refused`);
      const quiet = await execa(BLAZE, ['submit', '-q', '--tls', 'none', file, `127.0.0.1:${port}`], { reject: false });
      expect([quiet.exitCode, quiet.stdout, quiet.stderr]).toEqual([75, '', '']);
    } finally {
      await release();
    }
  });
});

describe('blaze submit progress', () => {
  it('draws a progress bar on a terminal for a large message, nothing when stderr is not one', async () => {
    const { startSrv } = await import('../smtp/support.ts');
    const s = await startSrv([]);
    const big = join(dir, 'big.eml');
    writeFileSync(big, 'From: a@b.example\r\nTo: c@d.example\r\n\r\n' + ('y'.repeat(78) + '\r\n').repeat(40_000));
    // script(1) gives the command a pseudo-terminal.
    const r = await execa('script', ['-qfec', `${BLAZE} submit --tls none ${big} 127.0.0.1:${s.port}`, '/dev/null'], { reject: false });
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/\r\[#+ *\] \d+% \d+\.\d MB \/ 3\.1 MB/);
    const plain = await execa(BLAZE, ['submit', '--tls', 'none', big, `127.0.0.1:${s.port}`], { reject: false });
    expect(plain.exitCode).toBe(0);
    expect(plain.stderr).toBe('');
    await s.stop();
    (await import('node:fs')).rmSync(s.dir, { recursive: true, force: true });
  });
});

// The password prompt needs a terminal: Python's pty module gives blaze one
// (its controlling terminal, so /dev/tty is the pty), types at the prompt and
// reports everything the terminal showed, and blaze's exit status.
const PTY_TYPE = `
import os, pty, sys, json, time
argv = json.loads(sys.argv[1]); keys = sys.argv[2].encode('latin1')
pid, fd = pty.fork()
if pid == 0:
    os.execv(argv[0], argv)
seen = b''
typed = False
deadline = time.time() + 30
while time.time() < deadline:
    try:
        chunk = os.read(fd, 1024)
    except OSError:
        break
    if not chunk:
        break
    seen += chunk
    if not typed and b'Password: ' in seen:
        os.write(fd, keys)
        typed = True
_, status = os.waitpid(pid, 0)
print(json.dumps({'screen': seen.decode('latin1'), 'status': os.waitstatus_to_exitcode(status), 'typed': typed}))
`;

async function onTerminal(args: string[], keys: string): Promise<{ screen: string; status: number; typed: boolean }> {
  const r = await execa('/usr/bin/python3', ['-c', PTY_TYPE, JSON.stringify([BLAZE, ...args]), keys], { reject: false, timeout: 40_000 });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout);
}

describe('blaze submit: the password prompt and IPv6 servers', () => {
  let srv: Srv;
  beforeAll(async () => {
    srv = await startSrv(['--auth', 'joe:p455 wörd', '--allow-insecure-auth']);
  });
  afterAll(async () => {
    await srv.stop();
    (await import('node:fs')).rmSync(srv.dir, { recursive: true, force: true });
  });

  it('asks on the terminal when --user has no password source; what is typed is not shown, DEL erases', async () => {
    const before = maildirMessages(srv.dir).length;
    // 'p45x', DEL, then '5 wörd' and Enter: the password is 'p455 wörd' (UTF-8 from the terminal).
    const keys = Buffer.from('p45x\x7f5 wörd\r', 'utf8').toString('latin1');
    const t = await onTerminal(['submit', '--tls', 'none', '--user', 'joe', file, `127.0.0.1:${srv.port}`], keys);
    expect(t.typed).toBe(true);
    expect(t.status).toBe(0);
    expect(t.screen).toMatch(/^Password: \r?\n/);
    expect(t.screen).not.toContain('p45');
    expect(t.screen).toMatch(/250 2\.0\.0 Ok: queued as \S+/);
    expect(maildirMessages(srv.dir).length).toBe(before + 1);
  });

  it('a wrong password typed at the prompt: 535, exit 1; Ctrl-C at the prompt: cancelled, exit 2, nothing sent', async () => {
    const before = maildirMessages(srv.dir).length;
    const wrong = await onTerminal(['submit', '--tls', 'none', '--user', 'joe', file, `127.0.0.1:${srv.port}`], 'guess\r');
    expect(wrong.status).toBe(1);
    expect(wrong.screen).toMatch(/blaze: submit: 127\.0\.0\.1:\d+: AUTH: 535 /);
    const cancelled = await onTerminal(['submit', '--tls', 'none', '--user', 'joe', file, `127.0.0.1:${srv.port}`], '\x03');
    expect(cancelled.status).toBe(2);
    expect(cancelled.screen).toMatch(/blaze: submit: cancelled\r?\n$/);
    expect(maildirMessages(srv.dir).length).toBe(before);
  });

  it('without a terminal to ask on: one line, exit 2, nothing sent', async () => {
    // setsid: a new session without a controlling terminal, so /dev/tty cannot be opened.
    const r = await execa('setsid', ['-w', BLAZE, 'submit', '--tls', 'none', '--user', 'joe', file, `127.0.0.1:${srv.port}`], { reject: false, stdin: 'ignore' });
    expect([r.exitCode, r.stdout, r.stderr]).toEqual([2, '', 'blaze: submit: no password: use --password-file FILE or BLAZE_PASSWORD (no terminal to ask on)']);
  });

  it('delivers to a server given as [::1]:PORT, and names it so in errors', async () => {
    const v6 = execa(BLAZE, ['srv', '[::1]:0', '-o', tempDir(), '--auth', 'joe:pw', '--allow-insecure-auth'], { reject: false, stdin: 'ignore' });
    try {
      let said = '';
      const port = await new Promise<number>((resolve, reject) => {
        v6.stderr!.on('data', (d: Buffer) => {
          said += d.toString();
          const m = /listening on \[::1\]:(\d+)/.exec(said);
          if (m) resolve(Number(m[1]));
        });
        v6.then(() => reject(new Error(`blaze srv on [::1] exited: ${said}`)));
      });
      const ok = await execa(BLAZE, ['submit', '--tls', 'none', '--user', 'joe', file, `[::1]:${port}`], { reject: false, env: { BLAZE_PASSWORD: 'pw' } });
      expect(ok.stderr).toBe('');
      expect(ok.stdout).toMatch(/^250 2\.0\.0 Ok: queued as \S+$/);
      expect(ok.exitCode).toBe(0);
      const bad = await execa(BLAZE, ['submit', '--tls', 'none', '--user', 'joe', file, `[::1]:${port}`], { reject: false, env: { BLAZE_PASSWORD: 'nope' } });
      expect(bad.exitCode).toBe(1);
      expect(bad.stderr).toMatch(new RegExp(`^blaze: submit: \\[::1\\]:${port}: AUTH: 535 `));
    } finally {
      v6.kill();
      await v6;
    }
    const badPort = await execa(BLAZE, ['submit', file, '[::1]:70000'], { reject: false });
    expect([badPort.exitCode, badPort.stderr]).toEqual([2, 'blaze: submit: [::1]:70000: expected HOST[:PORT]']);
    const unclosed = await execa(BLAZE, ['submit', file, '[::1:25'], { reject: false });
    expect([unclosed.exitCode, unclosed.stderr]).toEqual([2, 'blaze: submit: [::1:25: expected HOST[:PORT]']);
  });
});
