import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';

const BLAZE = fileURLToPath(new URL('../../bin/blaze', import.meta.url));
const run = async (args: string[], input?: string | Buffer) => {
  const r = await execa(BLAZE, args, { input, reject: false, encoding: 'buffer', stripFinalNewline: false });
  return { exitCode: r.exitCode, stdout: Buffer.from(r.stdout), stderr: Buffer.from(r.stderr) };
};
const FIXED = ['--now', '2017-03-30T13:00:00Z', '--zone', '+0200', '--message-id', 'none'];

describe('blaze make', () => {
  it('writes a single-part message: fields, MIME-Version before Content-*, body in wire form', async () => {
    const r = await run(['make', '--from', 'din@osau.re', '--to', 'John D. <john@doe.org>', '--subject', 'A simple mail', ...FIXED], 'Hello World!\n');
    expect(r.exitCode).toBe(0);
    expect(r.stdout.toString()).toBe(
      'Date: Thu, 30 Mar 2017 15:00:00 +0200\r\nFrom: din@osau.re\r\nTo: "John D." <john@doe.org>\r\nSubject: A simple mail\r\n' +
        'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\nHello World!\r\n',
    );
  });
  it('writes the quoted-printable of the Serbian sample and encoded-words in the Subject', async () => {
    const r = await run(['make', '--subject', 'Волим слани краставац.', '--date', 'none', '--message-id', 'none'], 'Волим слани краставац.\n');
    expect(r.stdout.toString()).toBe(
      'Subject: =?utf-8?B?0JLQvtC70LjQvCDRgdC70LDQvdC4INC60YDQsNGB0YLQsNCy0LDRhi4=?=\r\n' +
        'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n' +
        '=D0=92=D0=BE=D0=BB=D0=B8=D0=BC =D1=81=D0=BB=D0=B0=D0=BD=D0=B8 =D0=BA=D1=80=\r\n=D0=B0=D1=81=D1=82=D0=B0=D0=B2=D0=B0=D1=86.\r\n',
    );
  });
  it('keeps raw UTF-8 with --utf8, adds Sender for several From mailboxes, -f splits at the first colon', async () => {
    const r = await run(['make', '--utf8', '--from', 'Jöhn <j@x.org>, b@y.org', '--subject', 'Волим', '-f', 'X-Time: 12:30:00', ...FIXED], 'x\n');
    const h = r.stdout.toString();
    expect(h).toContain('From: Jöhn <j@x.org>, b@y.org\r\nSender: Jöhn <j@x.org>\r\n');
    expect(h).toContain('Subject: Волим\r\n');
    expect(h).toContain('X-Time: 12:30:00\r\n');
  });
  it('generates a Message-ID, reproducible with --seed', async () => {
    const a = await run(['make', '--seed', 'abc', '--now', '2017-03-30T13:00:00Z'], 'x\n');
    const b = await run(['make', '--seed', 'abc', '--now', '2017-03-30T13:00:00Z'], 'x\n');
    expect(a.stdout.toString()).toMatch(/^Message-ID: <[a-z2-7]{26}@[^>]+>\r$/m);
    expect(a.stdout.equals(b.stdout)).toBe(true);
  });
  it('uses base64 for a binary body and folds long fields', async () => {
    const to = Array.from({ length: 12 }, (_, i) => `person${i}@example.org`).join(', ');
    const r = await run(['make', '--type', 'application/octet-stream', '--to', to, ...FIXED], Buffer.from([0, 1, 2, 255, 254, 0]));
    const s = r.stdout.toString();
    expect(s).toContain('Content-Transfer-Encoding: base64\r\n\r\nAAEC//4A\r\n');
    for (const l of s.split('\r\n')) expect(l.length).toBeLessThanOrEqual(78);
  });
  it('add-field prepends fields and copies the message', async () => {
    const r = await run(['make', 'add-field', '--subject', 'Hi', '-f', 'X-A: b'], 'From: a@b.c\r\n\r\nbody\r\n');
    expect(r.stdout.toString()).toBe('Subject: Hi\r\nX-A: b\r\nFrom: a@b.c\r\n\r\nbody\r\n');
  });
  it('add-field with a missing input writes nothing', async () => {
    const r = await run(['make', 'add-field', '--subject', 'Hi', '/nonexistent/msg.eml']);
    expect(r.exitCode).toBe(2);
    expect(r.stdout.length).toBe(0);
    expect(r.stderr.toString()).toBe('blaze: make: /nonexistent/msg.eml: no such file or directory\n');
  });
  it('reads a large body from a pipe (spooled past 1 MiB) and writes it exactly', async () => {
    const big = Buffer.from(('x'.repeat(100) + '\r\n').repeat(30000));
    const r = await run(['make', ...FIXED], big);
    expect(r.exitCode).toBe(0);
    const s = r.stdout.toString();
    expect(s).toContain('Content-Transfer-Encoding: 7bit\r\n\r\n');
    expect(r.stdout.subarray(r.stdout.indexOf('\r\n\r\n') + 4).equals(big)).toBe(true);
  });
  it.each([
    [['--encoding', 'rot13'], 'unknown encoding "rot13"'],
    [['--encoding', '7bit'], '7bit cannot carry 8-bit bytes (line 1)'],
    [['-f', 'X-Bad: a\rb'], 'X-Bad: value holds a bare CR'],
    [['--subject', 'a\nb'], '--subject: value holds a bare LF'],
    [['--to', 'a@b, <broken'], '--to: expected'],
    [['/nonexistent/body.txt'], '/nonexistent/body.txt: no such file or directory'],
    [['--date', 'yesterday'], '--date "yesterday"'],
    [['--type', 'multipart/mixed'], 'make writes single-part messages'],
    [['--type', 'message/rfc822', '--encoding', 'base64'], 'cannot be base64-encoded'],
  ])('bad input %j: exit 2 with one line', async (args, msg) => {
    const r = await run(['make', ...args], 'Волим\n');
    expect(r.exitCode).toBe(2);
    const err = r.stderr.toString();
    expect(err).toContain(msg);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(r.stdout.length).toBe(0);
  });
});
