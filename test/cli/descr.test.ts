// blaze descr, run as built (./bin/blaze), output compared byte for byte.
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { mkdtemp, mkdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { corpusPath } from '../support/corpus.ts';

const BLAZE = fileURLToPath(new URL('../../bin/blaze', import.meta.url));
const REPORT = fileURLToPath(new URL('../../fixtures/messages/report.eml', import.meta.url));
const blaze = (args: string[], opts: Record<string, unknown> = {}) =>
  execa(BLAZE, args, { reject: false, stripFinalNewline: false, encoding: 'buffer', ...opts });
const text = (b: unknown) => Buffer.from(b as Uint8Array).toString('utf8');

// Sizes are of the decoded bodies in wire form (CRLF): "Voilà le rapport, avec le graphique."
// is 37 UTF-8 bytes, the PNG 96 base64 characters with "==" (70 bytes), the CSV two lines.
const ASCII_TREE = [
  '.-- mixed',
  '|   |-- related',
  '|   |   |-- alternative',
  '|   |   |   |-- text/plain (utf-8, quoted-printable, 37 bytes)',
  '|   |   |   `-- text/html (utf-8, quoted-printable, 59 bytes)',
  '|   |   `-- image/png (base64, 70 bytes) chart.png',
  '|   `-- text/csv (iso-8859-1, 8bit, 20 bytes) données.csv',
  '',
].join('\n');

describe('blaze descr', () => {
  it('prints the tree in the original layout (--ascii) and with UTF-8 glyphs', async () => {
    const a = await blaze(['descr', '--ascii', REPORT]);
    expect(a.exitCode).toBe(0);
    expect(text(a.stdout)).toBe(ASCII_TREE);
    expect(text(a.stderr)).toBe('');
    const u = await blaze(['descr', REPORT]);
    expect(text(u.stdout).split('\n')[0]).toBe('.── mixed');
    expect(text(u.stdout)).toContain('│   │   └── image/png (base64, 70 bytes) chart.png');
    const env = await blaze(['descr', REPORT], { env: { BLAZE_UTF_8: 'false' } });
    expect(text(env.stdout)).toBe(ASCII_TREE);
  });

  it('reads stdin, LF or CRLF alike', async () => {
    const lf = await readFile(REPORT);
    const crlf = Buffer.from(lf.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
    for (const input of [lf, crlf]) {
      const r = await blaze(['descr', '--ascii'], { input });
      expect(text(r.stdout)).toBe(ASCII_TREE);
    }
  });

  it('--json gives the documented shape', async () => {
    const r = await blaze(['descr', '--json', REPORT]);
    const j = JSON.parse(text(r.stdout));
    expect(j.input).toBe(REPORT);
    expect(j.warnings).toEqual([]);
    expect(j.tree).toMatchObject({ part: '', kind: 'multipart', type: 'multipart/mixed', params: { boundary: 'outer' } });
    const png = j.tree.children[0].children[1];
    expect(png).toMatchObject({ part: '1.2', kind: 'leaf', type: 'image/png', encoding: 'base64', disposition: 'inline', filename: 'chart.png', id: 'chart@example.org', size: 70 });
    const csv = j.tree.children[1];
    expect(csv).toMatchObject({ part: '2', charset: 'iso-8859-1', filename: 'données.csv', size: 20, encodedSize: 20 });
  });

  it('a DSN: the returned message without a header keeps its first line; a comment in Content-Transfer-Encoding is read past', async () => {
    const dsn = [
      'From: mailer-daemon@example.org',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary=R',
      '',
      '--R',
      'Content-Type: message/rfc822',
      '',
      'This is the first line of the returned text.',
      'And the second.',
      '--R',
      'Content-Type: text/plain',
      'Content-Transfer-Encoding: base64 (RFC 2045 allows a comment here)',
      '',
      'aGVsbG8gd29ybGQK',
      '--R--',
      '',
    ].join('\n');
    const r = await blaze(['descr', '--json', '-'], { input: dsn });
    expect(r.exitCode).toBe(0);
    expect(text(r.stderr)).toBe('');
    const j = JSON.parse(text(r.stdout));
    expect(j.warnings).toEqual([]);
    // "This is the first line of the returned text." (44) CRLF (2) "And the second." (15); the last CRLF is the delimiter's
    expect(j.tree.children[0].children[0]).toMatchObject({ part: '1.1', kind: 'leaf', type: 'text/plain', size: 61 });
    // "hello world\n" decoded, not the 16 characters of base64
    expect(j.tree.children[1]).toMatchObject({ part: '2', encoding: 'base64', size: 12, encodedSize: 16 });
  });

  it('charset tables as documented: Shift_JIS is read as CP932, iso-8859-1 as windows-1252', async () => {
    const msg = (cs: string, bytes: string) =>
      `MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename*=${cs}''${bytes}.txt\n\nx\n--b--\n`;
    // 0x81 0x60 is WAVE DASH U+301C in JIS X 0208, FULLWIDTH TILDE U+FF5E in CP932
    const sjis = await blaze(['descr', '--json', '-'], { input: msg('shift_jis', '%81%60') });
    expect(JSON.parse(text(sjis.stdout)).tree.children[0].filename).toBe('\uff5e.txt');
    // 0x80 is a C1 control in ISO 8859-1, the euro sign in windows-1252
    const latin1 = await blaze(['descr', '--json', '-'], { input: msg('iso-8859-1', '%80') });
    expect(JSON.parse(text(latin1.stdout)).tree.children[0].filename).toBe('\u20ac.txt');
  });

  it('describes make | wrap | put output as built', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'blaze-descr-'));
    const file = join(dir, 'photo.png');
    const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(5000)]);
    await (await import('node:fs/promises')).writeFile(file, png);
    const made = await blaze(['make', '--from', 'a@example.org', '--to', 'b@example.org', '--subject', 'x'], { input: 'hello\n' });
    const wrapped = await blaze(['wrap', '--mixed', '--seed', 'AAAA'], { input: made.stdout });
    const put = await blaze(['put', file], { input: wrapped.stdout });
    expect(put.exitCode).toBe(0);
    const r = await blaze(['descr', '--ascii'], { input: put.stdout });
    expect(text(r.stdout)).toBe(['.-- mixed', '|   |-- text/plain (utf-8, 7bit, 7 bytes)', '|   `-- image/png (base64, 5008 bytes) photo.png', ''].join('\n'));
  });

  it('warns about a truncated multipart on stderr and exits 1, tree still printed', async () => {
    const whole = await readFile(REPORT, 'latin1');
    const at = whole.search(/--outer\r?\nContent-Type: text\/csv/);
    expect(at).toBeGreaterThan(0);
    const cut = whole.slice(0, at);
    const r = await blaze(['descr', '--ascii'], { input: Buffer.from(cut, 'latin1') });
    expect(r.exitCode).toBe(1);
    expect(text(r.stdout)).toBe(ASCII_TREE.split('\n').slice(0, 6).join('\n').replace('|   |-- related', '|   `-- related').replace(/^\|   \|   /gm, '|       ') + '\n');
    expect(text(r.stderr)).toBe('blaze: descr: stdin: message: no close delimiter "--outer--" (the input ended first)\n');
    const quiet = await blaze(['descr', '-q'], { input: Buffer.from(cut, 'latin1') });
    expect(quiet.exitCode).toBe(1);
    expect(text(quiet.stdout) + text(quiet.stderr)).toBe('');
  });

  it('rejects binary garbage and names a missing or unreadable file, exit 2, one line', async () => {
    let x = 7;
    const junk = Buffer.alloc(3 << 20);
    for (let i = 0; i < junk.length; i++) {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      junk[i] = (x >> 16) & 0xff;
      if (junk[i] === 0x3a || junk[i] === 0x0a) junk[i] = 0x41; // no colon, no line: never a field
    }
    const g = await blaze(['descr'], { input: junk });
    expect(g.exitCode).toBe(2);
    expect(text(g.stderr)).toBe('blaze: descr: stdin: no header field (not a message?)\n');
    const dir = await mkdtemp(join(tmpdir(), 'blaze-descr-'));
    const missing = await blaze(['descr', join(dir, 'nope.eml')]);
    expect(missing.exitCode).toBe(2);
    expect(text(missing.stderr)).toBe(`blaze: descr: ${join(dir, 'nope.eml')}: no such file or directory\n`);
    await mkdir(join(dir, 'd'));
    const isDir = await blaze(['descr', join(dir, 'd')]);
    expect(isDir.exitCode).toBe(2);
    expect(text(isDir.stderr)).toBe(`blaze: descr: ${join(dir, 'd')}: is a directory\n`);
  });

  const corpus = corpusPath('MIME', 'mime/');
  it.skipIf(corpus === undefined)('reads conformance messages of every corpus (torture tests, malformed, 8-bit, digests; needs BLAZE_CORPUS)', async () => {
    const files = [
      'torture/crispin-torture-test.eml', 'torture/finnie-mimetorture.eml', 'torture/uw-last-torture-test.eml',
      'stalwart-mail-parser/eml/malformed/000.eml', 'stalwart-mail-parser/eml/thirdparty/015.eml', 'stalwart-mail-parser/eml/legacy/052.eml',
      'cpython-email/msg_02.txt', 'mimekit/messages/stack-overflow.txt', 'nodemailer-mailparser/large_text.eml', 'postal-mime/bounce.eml',
    ].map((f) => join(corpus!, f));
    const runs = await Promise.all(files.map((f) => blaze(['descr', '--ascii', f])));
    runs.forEach((r, i) => {
      expect([0, 1], `${files[i]}: ${text(r.stderr)}`).toContain(r.exitCode);
      expect(text(r.stdout), files[i]).toMatch(/^\.-- /);
      expect(text(r.stderr)).not.toMatch(/internal error|\n\s+at /);
    });
    // the torture test as Python's email walks it: 52 parts, 10 of them message/rfc822
    expect(text(runs[0].stdout).trimEnd().split('\n')).toHaveLength(52);
    expect(text(runs[0].stdout).match(/message\/rfc822/g)).toHaveLength(10);
  });
});
