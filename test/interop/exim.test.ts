// blaze submit delivers to exim4 (Debian's exim4-daemon-light) listening on a
// high port with STARTTLS, AUTH PLAIN/LOGIN (plaintext authenticator) and
// Maildir delivery. exim stores LF line ends and prepends its Received field:
// with those two undone the delivered bytes must be the message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa, execaSync, type ResultPromise } from 'execa';
import { chownSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { selfSignedCertificate } from '../../src/smtp/index.ts';
import { BLAZE, FIXTURES, tempDir, until } from '../smtp/support.ts';
import { startOnFreePort, tcpAccepts } from '../support/daemon-port.ts';

const MESSAGE = [
  'From: Alice <alice@example.org>',
  'To: bob@example.net',
  'Bcc: hidden@example.com',
  'Subject: submit to exim',
  'Date: Sun, 22 Nov 2026 14:00:00 +0000',
  'Message-ID: <exim-interop@example.org>',
  '',
  '.leading dot',
  '..',
  'Grüße',
  'end',
  '',
].join('\r\n');
const DELIVERED = MESSAGE.replace('Bcc: hidden@example.com\r\n', '');

describe('blaze submit -> exim4', () => {
  let dir: string;
  let port: number;
  let exim: ResultPromise;

  beforeAll(async () => {
    dir = tempDir('blaze-exim-');
    for (const d of ['spool', 'log', 'maildir']) mkdirSync(join(dir, d));
    const pair = await selfSignedCertificate('exim.blaze.test');
    writeFileSync(join(dir, 'cert.pem'), pair.cert);
    writeFileSync(join(dir, 'key.pem'), pair.key);
    writeFileSync(join(dir, 'msg.eml'), MESSAGE);
    writeFileSync(join(dir, 'pw'), 'pw secret\n');
    writeFileSync(join(dir, 'bad'), 'pw wrong\n');
    // exim's spool, log, maildir and key must belong to its user; the configuration to root.
    const uid = Number(execaSync('id', ['-u', 'Debian-exim']).stdout);
    const gid = Number(execaSync('id', ['-g', 'Debian-exim']).stdout);
    for (const f of ['', 'spool', 'log', 'maildir', 'cert.pem', 'key.pem']) chownSync(join(dir, f), uid, gid);
    // exim cannot listen on port 0 and tell us the port: test/support/daemon-port.ts
    // picks one and starts exim again on another if it finds it taken.
    const daemon = await startOnFreePort({
      what: 'exim',
      start: (p) => {
        const conf = readFileSync(join(FIXTURES, 'exim.conf.in'), 'utf8').replaceAll('@DIR@', dir).replaceAll('@PORT@', String(p));
        writeFileSync(join(dir, 'exim.conf'), conf, { mode: 0o644 });
        return execa('/usr/sbin/exim', ['-C', join(dir, 'exim.conf'), '-bdf'], { reject: false });
      },
      ready: tcpAccepts,
      inUse: /Address already in use/,
    });
    port = daemon.port;
    exim = daemon.proc;
  });
  afterAll(async () => {
    exim?.kill('SIGTERM');
    await exim;
    rmSync(dir, { recursive: true, force: true });
  });

  const stored = (): string[] => {
    const nd = join(dir, 'maildir', 'new');
    try {
      return readdirSync(nd).sort().map((f) => readFileSync(join(nd, f), 'latin1'));
    } catch {
      return [];
    }
  };
  const mainlog = (): string => {
    try {
      return readFileSync(join(dir, 'log', 'mainlog'), 'utf8');
    } catch {
      return '';
    }
  };
  const withoutReceived = (s: string): string => s.replace(/^Received:[^\n]*\n(?:[ \t][^\n]*\n)*/, '').replace(/\n/g, '\r\n');

  for (const mech of ['plain', 'login'] as const) {
    it(`STARTTLS + AUTH ${mech.toUpperCase()} + PIPELINING: delivered bytes match`, async () => {
      const before = stored().length; // one exim for every test: count from here, whatever ran before
      const r = await execa(BLAZE, ['submit', '-v', '--insecure', '--user', 'joe', '--password-file', join(dir, 'pw'), '--auth', mech, join(dir, 'msg.eml'), `127.0.0.1:${port}`], { reject: false });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^250 OK id=\S+$/);
      expect(r.stderr).toMatch(/C: STARTTLS\n/);
      expect(r.stderr).toMatch(/C: MAIL FROM:<alice@example\.org> SIZE=\d+ BODY=8BITMIME\nC: RCPT TO:<bob@example\.net>\nC: RCPT TO:<hidden@example\.com>\nC: DATA\n/);
      // One copy per recipient (bob and the Bcc one) lands in the same Maildir.
      await until(() => stored().length === before + 2, 10_000, 'exim delivery');
      for (const m of stored().slice(before)) {
        expect(m).toMatch(new RegExp(`^Received: from \\[127\\.0\\.0\\.1\\] \\(helo=\\S+\\)\\s+by exim\\.blaze\\.test with esmtpsa`));
        expect(withoutReceived(m)).toBe(Buffer.from(DELIVERED, 'utf8').toString('latin1'));
      }
      const log = readFileSync(join(dir, 'log', 'mainlog'), 'utf8');
      expect(log).toContain(`A=${mech}:joe`);
    });
  }

  it('a wrong password: 535, exit 1, nothing received', async () => {
    const before = stored().length;
    const received = () => mainlog().split('\n').filter((l) => / <= /.test(l)).length;
    const receivedBefore = received();
    const failures = () => mainlog().split('\n').filter((l) => /authenticator failed/.test(l)).length;
    const failuresBefore = failures();
    const r = await execa(BLAZE, ['submit', '--insecure', '--user', 'joe', '--password-file', join(dir, 'bad'), join(dir, 'msg.eml'), `127.0.0.1:${port}`], { reject: false });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/AUTH: 535/);
    // exim logs the refused AUTH; once that line is there, the session is over, and
    // no message arrival ('<=') may be logged for it: nothing to deliver, now or later.
    await until(() => failures() > failuresBefore, 10_000, 'exim to log the failed AUTH');
    expect(received()).toBe(receivedBefore);
    expect(stored().length).toBe(before);
  });

  it('without TLS, exim offers no AUTH: blaze refuses to send the password (exit 1)', async () => {
    const r = await execa(BLAZE, ['submit', '--tls', 'none', '--user', 'joe', '--password-file', join(dir, 'pw'), join(dir, 'msg.eml'), `127.0.0.1:${port}`], { reject: false });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/does not offer AUTH/);
  });
});
