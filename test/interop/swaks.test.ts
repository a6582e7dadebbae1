// swaks (Debian) sends to `blaze srv`: plain, STARTTLS, AUTH PLAIN and LOGIN,
// PIPELINING. The stored message must be the bytes swaks sent plus our Received field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { rmSync } from 'node:fs';
import { maildirMessages, sampleMessage, splitReceived, startSrv, tempDir, writeTemp, type Srv } from '../smtp/support.ts';

const SWAKS = '/usr/bin/swaks';

describe('swaks -> blaze srv', () => {
  let srv: Srv;
  let work: string;
  beforeAll(async () => {
    work = tempDir();
    srv = await startSrv(['--tls', 'auto', '--auth', 'joe:s3cret pass', '--allow-insecure-auth', '-h', 'mx.blaze.test']);
  });
  afterAll(async () => {
    rmSync(work, { recursive: true, force: true });
    const r = await srv.stop();
    rmSync(srv.dir, { recursive: true, force: true });
    expect(r.exitCode).toBe(0);
  });

  const cases: Array<[string, string[]]> = [
    ['plain', []],
    ['pipelining', ['--pipeline']],
    ['starttls', ['--tls']],
    ['starttls-auth-plain', ['--tls', '--auth', 'PLAIN', '--auth-user', 'joe', '--auth-password', 's3cret pass']],
    ['starttls-auth-login-pipelining', ['--tls', '--auth', 'LOGIN', '--auth-user', 'joe', '--auth-password', 's3cret pass', '--pipeline']],
  ];
  for (const [tag, flags] of cases) {
    it(`stores the exact bytes (${tag})`, async () => {
      const msg = sampleMessage(`swaks-${tag}`);
      const file = writeTemp('msg.eml', msg, work);
      // Without AUTH, the server refuses MAIL (530): the plain cases authenticate in clear (allowed by --allow-insecure-auth).
      const auth = flags.includes('--auth') ? [] : ['--auth', 'PLAIN', '--auth-user', 'joe', '--auth-password', 's3cret pass'];
      const common = ['--from', 'alice@example.org', '--to', 'bob@example.net', '--data', '@' + file, '--helo', 'swaks.test'];
      // What swaks puts on the wire as DATA (dot-stuffed; it adds a final CRLF of its own), undone by hand:
      const dump = (await execa(SWAKS, [...common, '--dump-mail'], { encoding: 'buffer', timeout: 20_000 })).stdout as Uint8Array;
      // (--dump-mail shows the final CRLF swaks adds as a lone CR: complete it.)
      const dumped = Buffer.from(dump).toString('latin1').replace(/\r$/, '\r\n');
      const sent = Buffer.from(dumped.replace(/^\./, '').replace(/\r\n\./g, '\r\n'), 'latin1');
      expect(sent.subarray(0, msg.length).equals(msg)).toBe(true);
      const before = maildirMessages(srv.dir).length; // the server is shared: count from here, whatever ran before
      const r = await execa(SWAKS, ['--server', `127.0.0.1:${srv.port}`, ...common, ...auth, ...flags], { reject: false, timeout: 20_000 });
      expect(r.exitCode, r.stdout + r.stderr).toBe(0);
      if (flags.includes('--tls')) expect(r.stdout).toContain('<-  220 2.0.0 Ready to start TLS');
      if (flags.includes('--pipeline')) expect(r.stdout).toMatch(/[-~]> MAIL FROM:<alice@example.org>\n [-~]> RCPT TO:<bob@example.net>\n [-~]> DATA\n<[-~]  250/);
      const stored = maildirMessages(srv.dir);
      expect(stored.length).toBe(before + 1);
      const mine = stored.find((b) => b.includes(`swaks-${tag}@example.org`))!;
      const { received, rest } = splitReceived(mine);
      expect(rest.equals(sent)).toBe(true);
      expect(received).toMatch(/^Received: from swaks\.test \(\[127\.0\.0\.1\]\)\s+by mx\.blaze\.test\s+with ESMTPS?A\s+id [0-9a-f]+\s+for <bob@example\.net>;/);
      expect(received).toContain(flags.includes('--tls') ? 'with ESMTPSA' : 'with ESMTPA');
    });
  }

  it('AUTH with a wrong password is refused (535) and nothing is stored', async () => {
    const before = maildirMessages(srv.dir).length;
    const r = await execa(SWAKS, ['--server', `127.0.0.1:${srv.port}`, '--to', 'bob@example.net', '--tls', '--auth', 'PLAIN', '--auth-user', 'joe', '--auth-password', 'wrong'], { reject: false, timeout: 20_000 });
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toContain('535 5.7.8');
    expect(maildirMessages(srv.dir).length).toBe(before);
  });
});
