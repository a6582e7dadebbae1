import { describe, expect, it, beforeAll } from 'vitest';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BLAZE = fileURLToPath(new URL('../../bin/blaze', import.meta.url));
const run = (args: string[], input?: string) => execa(BLAZE, args, { input, reject: false, stripFinalNewline: false });
const MP = 'Subject: s\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="B"\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\none\r\n--B--\r\n';
let dir = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'blaze-put-'));
  writeFileSync(join(dir, 'image.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
  writeFileSync(join(dir, 'notes'), 'plain words\n');
  writeFileSync(join(dir, 'Волим.txt'), 'Волим слани краставац.\n');
  writeFileSync(join(dir, 'msg.eml'), MP);
  writeFileSync(join(dir, 'fwd.eml'), 'Subject: Волим\n\nhi\n');
  writeFileSync(join(dir, 'delim.txt'), 'before\n--B--\nafter\n');
});

describe('blaze put', () => {
  it('appends a part before the close delimiter, type from the name, base64 for binary', async () => {
    const r = await run(['put', join(dir, 'image.png')], MP);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(
      MP.slice(0, MP.indexOf('\r\n--B--')) +
        '\r\n--B\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=image.png\r\n\r\n' +
        'iVBORw0KGgoAAAAN\r\n--B--\r\n',
    );
  });
  it('guesses text from the content, disposition inline, RFC 2231 filename for non-ASCII', async () => {
    const a = await run(['put', join(dir, 'notes')], MP);
    expect(a.stdout).toContain('Content-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\nContent-Disposition: inline; filename=notes\r\n\r\nplain words\r\n\r\n--B--');
    const b = await run(['put', join(dir, 'Волим.txt'), '--disposition', 'attachment', '--id', 'x@y'], MP);
    expect(b.stdout).toContain(`Content-Disposition: attachment;\r\n filename*=utf-8''%D0%92%D0%BE%D0%BB%D0%B8%D0%BC.txt\r\nContent-ID: <x@y>\r\n`);
    expect(b.stdout).toContain('Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable');
  });
  it('accepts both argument orders and make put', async () => {
    const a = await run(['put', join(dir, 'notes'), join(dir, 'msg.eml')]);
    const b = await run(['put', join(dir, 'msg.eml'), join(dir, 'notes')]);
    const c = await run(['make', 'put', join(dir, 'notes')], MP);
    expect(a.exitCode).toBe(0);
    expect(b.stdout).toBe(a.stdout);
    expect(c.stdout).toBe(a.stdout);
  });
  it('content holding the delimiter line: auto writes quoted-printable, explicit 7bit is refused', async () => {
    const auto = await run(['put', join(dir, 'delim.txt')], MP);
    expect(auto.exitCode).toBe(0);
    expect(auto.stdout).toContain('Content-Transfer-Encoding: quoted-printable\r\nContent-Disposition: inline; filename=delim.txt\r\n\r\nbefore\r\n=2D-B--\r\nafter\r\n\r\n--B--\r\n');
    const seven = await run(['put', '--encoding', '7bit', join(dir, 'delim.txt')], MP);
    expect(seven.exitCode).toBe(2);
    expect(seven.stderr).toContain('the content holds a line that is the multipart delimiter');
  });
  it('attaches a message as message/rfc822 in wire form, never base64 (RFC 2046 §5.2)', async () => {
    const r = await run(['put', join(dir, 'fwd.eml')], MP);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('Content-Type: message/rfc822\r\nContent-Transfer-Encoding: 8bit\r\nContent-Disposition: attachment; filename=fwd.eml\r\n\r\nSubject: Волим\r\n\r\nhi\r\n\r\n--B--\r\n');
    expect((await run(['put', '--encoding', 'base64', join(dir, 'fwd.eml')], MP)).exitCode).toBe(2);
  });
  it('-o FILE: written on success, not created on failure', async () => {
    const ok = await run(['put', '-o', join(dir, 'out.eml'), join(dir, 'notes')], MP);
    expect(ok.exitCode).toBe(0);
    expect(readFileSync(join(dir, 'out.eml'), 'utf8')).toContain('filename=notes');
    const bad = await run(['put', '-o', join(dir, 'never.eml'), join(dir, 'notes')], 'Subject: s\r\n\r\nx\r\n');
    expect(bad.exitCode).toBe(2);
    expect(existsSync(join(dir, 'never.eml'))).toBe(false);
  });
  it('in multipart/form-data the part is form-data with a name', async () => {
    const fd = MP.replace('multipart/mixed', 'multipart/form-data');
    const r = await run(['put', join(dir, 'notes')], fd);
    expect(r.stdout).toContain('Content-Disposition: form-data; name=notes; filename=notes\r\n');
  });
  it('takes the content from stdin with FILE -, the message from a file', async () => {
    const r = await run(['put', '--type', 'application/octet-stream', '--name', 'data.bin', '-', join(dir, 'msg.eml')], 'abc\0def');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=data.bin\r\n\r\nYWJjAGRlZg==\r\n--B--\r\n');
    expect((await run(['put', '-'], MP)).stderr).toContain('FILE and the message cannot both be stdin');
  });
  it('wraps a message that is not multipart with --wrap', async () => {
    const r = await run(['put', '--wrap', '--boundary', 'W', join(dir, 'notes')], 'Subject: s\r\n\r\nhello\r\n');
    expect(r.stdout).toBe(
      'Subject: s\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=W\r\n\r\n--W\r\n\r\nhello\r\n' +
        '\r\n--W\r\nContent-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\nContent-Disposition: inline; filename=notes\r\n\r\nplain words\r\n\r\n--W--\r\n',
    );
  });
  it('text parts always carry their charset: us-ascii, utf-8 or as given, whatever the encoding', async () => {
    for (const enc of ['auto', 'base64', 'quoted-printable', '8bit']) {
      const ascii = await run(['put', '--encoding', enc, join(dir, 'notes')], MP);
      expect(ascii.stdout).toContain(`Content-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: ${enc === 'auto' ? '7bit' : enc}\r\n`);
      const utf8 = await run(['put', '--encoding', enc, join(dir, 'Волим.txt')], MP);
      expect(utf8.stdout).toContain(`Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: ${enc === 'auto' ? 'quoted-printable' : enc}\r\n`);
    }
    const given = await run(['put', '--encoding', 'base64', '-p', 'charset=koi8-r', join(dir, 'notes')], MP);
    expect(given.stdout).toContain('Content-Type: text/plain; charset=koi8-r\r\n');
    // 8-bit text that is not UTF-8: RFC 1428's unknown-8bit, and a warning saying how to name it
    const latin = await execa(BLAZE, ['put', '--type', 'text/plain', '--name', 'l.txt', '-', join(dir, 'msg.eml')], { input: Buffer.from('caf\xe9\n', 'latin1'), reject: false });
    expect(latin.exitCode).toBe(0);
    expect(latin.stdout).toContain('Content-Type: text/plain; charset=unknown-8bit\r\n');
    expect(latin.stderr).toContain('-p charset=NAME');
  });
  it('inside multipart/alternative or related: no filename, no disposition unless asked', async () => {
    writeFileSync(join(dir, 'body.html'), '<p>hi</p>\n');
    for (const sub of ['alternative', 'related']) {
      const m = MP.replace('multipart/mixed', `multipart/${sub}`);
      const r = await run(['put', join(dir, 'body.html')], m);
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toContain('\r\n--B\r\nContent-Type: text/html; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\n\r\n<p>hi</p>\r\n\r\n--B--\r\n');
      expect(r.stdout).not.toContain('Content-Disposition');
      const asked = await run(['put', '--disposition', 'inline', '--id', 'logo@x', join(dir, 'image.png')], m);
      expect(asked.stdout).toContain('Content-Type: image/png\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: inline\r\nContent-ID: <logo@x>\r\n');
      const named = await run(['put', '--name', 'logo.png', join(dir, 'image.png')], m);
      expect(named.stdout).toContain('Content-Disposition: inline; filename=logo.png\r\n');
    }
  });
  it('--disposition none and --no-name anywhere', async () => {
    const none = await run(['put', '--disposition', 'none', join(dir, 'image.png')], MP);
    expect(none.stdout).toContain('Content-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgoAAAAN\r\n');
    expect(none.stdout).not.toContain('Content-Disposition');
    const noName = await run(['put', '--no-name', join(dir, 'image.png')], MP);
    expect(noName.stdout).toContain('Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment\r\n\r\n');
    const both = await run(['put', '--disposition', 'none', '--name', 'x.png', join(dir, 'image.png')], MP);
    expect(both.exitCode).toBe(2);
    expect(both.stderr).toContain('--name');
    const fd = await run(['put', '--no-name', join(dir, 'notes')], MP.replace('multipart/mixed', 'multipart/form-data'));
    expect(fd.stdout).toContain('Content-Disposition: form-data; name=notes\r\n');
  });
  it('put --wrap -f: the fields go on the new part only, not on the wrapped one', async () => {
    const r = await run(['put', '--wrap', '--boundary', 'W', '-f', 'Content-Description: notes', join(dir, 'notes')], 'Subject: s\r\n\r\nhello\r\n');
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split('Content-Description: notes')).toHaveLength(2);
    expect(r.stdout).toContain('Content-Disposition: inline; filename=notes\r\nContent-Description: notes\r\n');
  });
  it.each([
    [['put', 'NOTES'], 'Subject: s\r\n\r\nhello\r\n', 'the message is not multipart (no Content-Type (text/plain)); use --wrap'],
    [['put', '/nonexistent/file.bin'], MP, '/nonexistent/file.bin: no such file or directory'],
    [['put', '--encoding', 'uuencode', 'NOTES'], MP, 'unknown encoding "uuencode"'],
    [['put', '--encoding', '7bit', 'VOLIM'], MP, '7bit cannot carry 8-bit bytes'],
    [['put', '-f', 'X-A: a\rb', 'NOTES'], MP, 'value holds a bare CR'],
    [['put', 'NOTES'], 'Subject: s\r\nContent-Type: multipart/mixed\r\n\r\nx\r\n', 'multipart/mixed without a boundary parameter'],
  ])('bad input %j: exit 2 with one line, nothing on stdout', async (args, input, msg) => {
    const r = await run(args.map((a) => (a === 'NOTES' ? join(dir, 'notes') : a === 'VOLIM' ? join(dir, 'Волим.txt') : a)), input);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(msg);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toBe('');
  });
});
