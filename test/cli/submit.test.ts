// blaze submit as a shell sees it: the dry run (exact client side of the
// dialogue), envelope choice, usage errors and exit codes.
import { afterAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BLAZE, tempDir } from '../smtp/support.ts';
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
