// The pipeline of the SPEC introduction (make | wrap | put | put), read back by
// Python's standard email package: same tree, filenames, decoded bodies and
// header values. A missing /usr/bin/python3 fails the test. The same pipeline is
// also read by mblaze (mshow, mhdr): a missing mblaze fails too.
import { describe, expect, it, beforeAll } from 'vitest';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BLAZE = fileURLToPath(new URL('../../bin/blaze', import.meta.url));
const PYTREE = fileURLToPath(new URL('../../fixtures/crafting/pytree.py', import.meta.url));

interface PyNode {
  type: string;
  filename: string | null;
  headers: [string, unknown][];
  defects: string[];
  body?: string;
  children?: PyNode[];
}

async function pythonTree(message: string | Buffer): Promise<PyNode> {
  const r = await execa('/usr/bin/python3', [PYTREE], { input: message });
  return JSON.parse(r.stdout) as PyNode;
}

const header = (n: PyNode, name: string) => n.headers.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
const body = (n: PyNode) => Buffer.from(n.body ?? '', 'base64');

let dir = '';
const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from(Array.from({ length: 70000 }, (_, i) => (i * 31) % 256))]);
const report = 'Quarterly figures\r\nВолим слани краставац.\r\n' + 'long line '.repeat(150) + '\r\n';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'blaze-py-'));
  writeFileSync(join(dir, 'body.txt'), 'Hello World!\nSecond line.\n');
  writeFileSync(join(dir, 'chart.png'), png);
  writeFileSync(join(dir, 'Отчёт за квартал — очень длинное имя файла.txt'), report);
});

describe('Python email reads what the crafting pipeline writes', () => {
  it('make | wrap --mixed | put --type image/png | put: same tree, filenames, bodies, fields', async () => {
    const script =
      `${BLAZE} make --from 'Ďin <din@osau.re>' --to 'you@example.net, Team: a@b.org, "Doe, J." <j@d.org>;' ` +
      `--subject 'Report — Волим слани краставац.' --now 2026-11-22T14:00:00Z --seed s < body.txt ` +
      `| ${BLAZE} wrap --mixed --seed s ` +
      `| ${BLAZE} put --type image/png chart.png ` +
      `| ${BLAZE} put 'Отчёт за квартал — очень длинное имя файла.txt'`;
    const r = await execa('sh', ['-c', script], { cwd: dir, encoding: 'buffer', stripFinalNewline: false });
    const msg = Buffer.from(r.stdout);
    for (const line of msg.toString('latin1').split('\r\n')) expect(line.length).toBeLessThanOrEqual(998);
    expect(msg.toString('latin1')).not.toMatch(/[^\r]\n/);
    const t = await pythonTree(msg);
    expect(t.defects).toEqual([]);
    expect(t.type).toBe('multipart/mixed');
    expect(header(t, 'Subject')).toBe('Report — Волим слани краставац.');
    expect(header(t, 'From')).toEqual([{ group: null, mailboxes: [{ name: 'Ďin', local: 'din', domain: 'osau.re' }] }]);
    expect(header(t, 'To')).toEqual([
      { group: null, mailboxes: [{ name: '', local: 'you', domain: 'example.net' }] },
      { group: 'Team', mailboxes: [{ name: '', local: 'a', domain: 'b.org' }, { name: 'Doe, J.', local: 'j', domain: 'd.org' }] },
    ]);
    expect(header(t, 'MIME-Version')).toBe('1.0');
    expect(header(t, 'Date')).toBe('Sun, 22 Nov 2026 14:00:00 +0000');
    expect(t.children!.map((c) => [c.type, c.filename])).toEqual([
      ['text/plain', null],
      ['image/png', 'chart.png'],
      ['text/plain', 'Отчёт за квартал — очень длинное имя файла.txt'],
    ]);
    for (const c of t.children!) expect(c.defects).toEqual([]);
    expect(body(t.children![0]).toString()).toBe('Hello World!\r\nSecond line.\r\n');
    expect(body(t.children![1]).equals(png)).toBe(true);
    expect(body(t.children![2]).toString()).toBe(report);
  });

  it('put --wrap of a make with --utf8 (RFC 6532 raw UTF-8 headers)', async () => {
    const script =
      `${BLAZE} make --utf8 --from 'Jöhn Dœ <john@example.org>' --subject 'Ünïcödé subject' --message-id none --date none < body.txt ` +
      `| ${BLAZE} put --wrap --name 'résumé.bin' chart.png`;
    const r = await execa('sh', ['-c', script], { cwd: dir, encoding: 'buffer' });
    const t = await pythonTree(Buffer.from(r.stdout));
    expect(header(t, 'Subject')).toBe('Ünïcödé subject');
    expect(header(t, 'From')).toEqual([{ group: null, mailboxes: [{ name: 'Jöhn Dœ', local: 'john', domain: 'example.org' }] }]);
    expect(t.children!.map((c) => [c.type, c.filename])).toEqual([['text/plain', null], ['image/png', 'résumé.bin']]);
    expect(body(t.children![1]).equals(png)).toBe(true);
  });
});

// A second, independent reader in C: mblaze's mshow/mhdr (Debian package mblaze).
describe('mblaze reads what the crafting pipeline writes', () => {
  it('mshow -t lists the tree and names, mhdr -d decodes the fields, mshow -x extracts the bytes', async () => {
    const mb = mkdtempSync(join(tmpdir(), 'blaze-mblaze-'));
    writeFileSync(join(mb, 'seq'), '');
    const env = { MBLAZE: mb };
    const script =
      `${BLAZE} make --from 'Ďin <din@osau.re>' --subject 'Report — Волим слани краставац. and more words to fold the line' --seed s < body.txt ` +
      `| ${BLAZE} wrap --seed s | ${BLAZE} put --type image/png chart.png ` +
      `| ${BLAZE} put 'Отчёт за квартал — очень длинное имя файла.txt' > ${join(mb, 'p.eml')}`;
    await execa('sh', ['-c', script], { cwd: dir });
    const tree = await execa('mshow', ['-t', join(mb, 'p.eml')], { env });
    expect(tree.stdout.split('\n').slice(1).map((l) => l.trim().replace(/ size=\d+/, ''))).toEqual([
      '1: multipart/mixed',
      '2: text/plain',
      '3: image/png name="chart.png"',
      '4: text/plain name="Отчёт за квартал — очень длинное имя файла.txt"',
    ]);
    const hdr = await execa('mhdr', ['-d', '-h', 'subject:from', join(mb, 'p.eml')], { env });
    expect(hdr.stdout).toBe('Report — Волим слани краставац. and more words to fold the line\nĎin <din@osau.re>');
    const out = join(mb, 'x');
    mkdirSync(out);
    await execa('mshow', ['-x', join(mb, 'p.eml')], { env, cwd: out });
    expect(readFileSync(join(out, 'chart.png')).equals(png)).toBe(true);
    expect(readFileSync(join(out, 'Отчёт за квартал — очень длинное имя файла.txt'), 'utf8')).toBe(report);
  });
});
