// Python's smtplib (/usr/bin/python3) sends to `blaze srv`: plain, STARTTLS,
// AUTH PLAIN and LOGIN, and a pipelined MAIL/RCPT/DATA batch. The stored
// message is byte-identical to what was sent plus our Received field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, PYTHON, maildirMessages, sampleMessage, splitReceived, startSrv, tempDir, writeTemp, type Srv } from '../smtp/support.ts';

const SCRIPT = join(FIXTURES, 'smtplib_send.py');

describe('smtplib -> blaze srv', () => {
  let open: Srv;
  let authed: Srv;
  let work: string;
  beforeAll(async () => {
    work = tempDir();
    [open, authed] = await Promise.all([
      startSrv(['--tls', 'auto', '-h', 'mx.blaze.test']),
      startSrv(['--tls', 'auto', '--auth', 'joe:p455 word', '-h', 'mx.blaze.test']),
    ]);
  });
  afterAll(async () => {
    rmSync(work, { recursive: true, force: true });
    for (const s of [open, authed]) {
      const r = await s.stop();
      rmSync(s.dir, { recursive: true, force: true });
      expect(r.exitCode).toBe(0);
    }
  });

  const cases: Array<[string, string, 'none' | 'PLAIN' | 'LOGIN']> = [
    ['plain', 'plain', 'none'],
    ['starttls', 'starttls', 'none'],
    ['pipelining', 'pipelining', 'none'],
    ['starttls-plain', 'starttls', 'PLAIN'],
    ['starttls-login', 'starttls', 'LOGIN'],
    ['starttls-login-pipelining', 'starttls,pipelining', 'LOGIN'],
  ];
  for (const [tag, mode, auth] of cases) {
    it(`stores the exact bytes (${tag})`, async () => {
      const srv = auth === 'none' ? open : authed;
      const before = maildirMessages(srv.dir).length;
      const msg = sampleMessage(`smtplib-${tag}`);
      const file = writeTemp('msg.eml', msg, work);
      const args = [SCRIPT, '127.0.0.1', String(srv.port), mode, auth, file, 'alice@example.org', 'bob@example.net'];
      if (auth !== 'none') args.push('joe', 'p455 word');
      const r = await execa(PYTHON, args, { reject: false, timeout: 20_000 });
      expect(r.exitCode, r.stdout + r.stderr).toBe(0);
      if (auth !== 'none') expect(r.stdout).toContain('AUTH 235');
      if (mode.includes('pipelining')) expect(r.stdout).toContain('PIPELINED 250 250 354');
      const stored = maildirMessages(srv.dir);
      expect(stored.length).toBe(before + 1);
      const mine = stored.find((b) => b.includes(`smtplib-${tag}@example.org`))!;
      const { received, rest } = splitReceived(mine);
      expect(rest.equals(msg)).toBe(true);
      expect(received).toMatch(new RegExp(`^Received: from smtplib\\.test \\(\\[127\\.0\\.0\\.1\\]\\)\\s+by mx\\.blaze\\.test\\s+with ESMTP${mode.includes('starttls') ? 'S' : ''}${auth !== 'none' ? 'A' : ''}\\s`));
    });
  }

  it('AUTH before STARTTLS is refused with 538', async () => {
    const file = writeTemp('msg.eml', sampleMessage('x'), work);
    const r = await execa(PYTHON, [SCRIPT, '127.0.0.1', String(authed.port), 'plain', 'PLAIN', file, 'a@b.test', 'c@d.test', 'joe', 'p455 word'], { reject: false, timeout: 20_000 });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/538|No suitable authentication method|not supported/);
  });
});
