import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';

const BLAZE = fileURLToPath(new URL('../../bin/blaze', import.meta.url));
const run = (args: string[], input?: string) => execa(BLAZE, args, { input, reject: false, stripFinalNewline: false });
const MSG = 'From: a@b.c\r\nSubject: s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\nbody\r\n';

describe('blaze wrap', () => {
  it('moves Content-* to the first part and adds MIME-Version and the multipart type', async () => {
    const r = await run(['wrap', '--boundary', 'frontier'], MSG);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(
      'From: a@b.c\r\nSubject: s\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=frontier\r\n\r\n' +
        '--frontier\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\nbody\r\n\r\n--frontier--\r\n',
    );
  });
  it('keeps an existing MIME-Version and supports --alternative, make wrap, and --seed', async () => {
    const a = await run(['make', 'wrap', '--alternative', '--seed', 'x'], 'MIME-Version: 1.0\r\n' + MSG);
    const b = await run(['wrap', '--alternative', '--seed', 'x'], 'MIME-Version: 1.0\r\n' + MSG);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout.match(/MIME-Version/g)).toHaveLength(1);
    expect(a.stdout).toMatch(/^Content-Type: multipart\/alternative; boundary="=_[a-z2-7]{26}"\r$/m);
  });
  it('adds -f fields to the inner part and -p parameters to the multipart', async () => {
    const r = await run(['wrap', '--signed', '--boundary', 'b', '-p', 'protocol=application/pgp-signature', '-f', 'Content-Description: the text'], MSG);
    expect(r.stdout).toContain('Content-Type: multipart/signed; boundary=b;\r\n protocol="application/pgp-signature"\r\n');
    expect(r.stdout).toContain('Content-Transfer-Encoding: 7bit\r\nContent-Description: the text\r\n\r\nbody');
  });
  it('-f with any other field writes it on the new outer header, as the original tool does', async () => {
    const r = await run(['wrap', '--boundary', 'b', '-f', 'X-Blaze: value', '-f', 'Content-Description: the text', '-f', 'Comments: from the outside'], MSG);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(
      'From: a@b.c\r\nSubject: s\r\nX-Blaze: value\r\nComments: from the outside\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n' +
        '--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\nContent-Description: the text\r\n\r\nbody\r\n\r\n--b--\r\n',
    );
    const mv = await run(['wrap', '-f', 'MIME-Version: 1.0'], MSG);
    expect(mv.exitCode).toBe(2);
    expect(mv.stderr).toContain('MIME-Version');
  });
  it('a digest part without Content-Type gets an explicit text/plain (its default would be message/rfc822)', async () => {
    const r = await run(['wrap', '--digest', '--boundary', 'd'], 'Subject: s\r\n\r\nhi\r\n');
    expect(r.stdout).toBe('Subject: s\r\nMIME-Version: 1.0\r\nContent-Type: multipart/digest; boundary=d\r\n\r\n--d\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nhi\r\n\r\n--d--\r\n');
  });
  it('writes LF line ends with --newline lf', async () => {
    const r = await run(['wrap', '--boundary', 'x', '--newline', 'lf'], 'Subject: s\n\nhi\n');
    expect(r.stdout).toBe('Subject: s\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=x\n\n--x\n\nhi\n\n--x--\n');
  });
  it('rejects two subtypes, a bad boundary, and a boundary found in the body', async () => {
    expect((await run(['wrap', '--mixed', '--digest'], MSG)).exitCode).toBe(2);
    expect((await run(['wrap', '--boundary', 'x'.repeat(71)], MSG)).exitCode).toBe(2);
    const r = await run(['wrap', '--boundary', 'body'], 'Subject: s\r\n\r\n--body\r\n');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('the boundary "body" occurs in the message');
  });
});
