// No byte lost through `put -`: a real PNG, a PDF and random bytes piped into
// put come out of Python's email package byte-identical, with the type sniffed
// from the content; text from stdin is still taken to CRLF and labelled with
// its charset. A missing /usr/bin/python3 fails the test.
import { describe, expect, it, beforeAll } from 'vitest';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makePdf, makePng, pseudoRandomBytes } from '../support/binary-files.ts';

const BLAZE = fileURLToPath(new URL('../../bin/blaze', import.meta.url));
const PYTREE = fileURLToPath(new URL('../../fixtures/crafting/pytree.py', import.meta.url));

interface PyNode {
  type: string;
  filename: string | null;
  headers: [string, string][];
  defects: string[];
  body?: string;
  children?: PyNode[];
}

const MP = 'From: a@example.org\r\nSubject: s\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="B"\r\n\r\n--B\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\none\r\n--B--\r\n';
let dir = '';

async function putStdin(content: Buffer, args: string[] = []): Promise<{ message: Buffer; stderr: string; exitCode?: number }> {
  const r = await execa(BLAZE, ['put', ...args, '-', join(dir, 'msg.eml')], { input: content, encoding: 'buffer', reject: false, stripFinalNewline: false });
  return { message: Buffer.from(r.stdout), stderr: Buffer.from(r.stderr).toString(), exitCode: r.exitCode };
}

async function pythonParts(message: Buffer): Promise<PyNode[]> {
  const r = await execa('/usr/bin/python3', [PYTREE], { input: message });
  const t = JSON.parse(r.stdout) as PyNode;
  expect(t.defects).toEqual([]);
  expect(t.type).toBe('multipart/mixed');
  return t.children!;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'blaze-put-bin-'));
  writeFileSync(join(dir, 'msg.eml'), MP);
});

describe('put - : binary from stdin is sniffed and kept byte for byte (Python email decodes it back)', () => {
  const cases: Array<[string, () => Buffer, string]> = [
    ['a real PNG', () => makePng(), 'image/png'],
    ['a PDF', () => makePdf(), 'application/pdf'],
    ['100 kB of random bytes', () => pseudoRandomBytes(100_000, 7), 'application/octet-stream'],
  ];
  for (const [what, make, type] of cases) {
    it(what, async () => {
      const bytes = make();
      // every one holds bare LF and CR: a newline conversion would show
      expect(bytes.includes(0x0a) && bytes.includes(0x0d)).toBe(true);
      const r = await putStdin(bytes);
      expect(r.exitCode).toBe(0);
      const parts = await pythonParts(r.message);
      expect(parts).toHaveLength(2);
      expect(parts[1].type).toBe(type);
      expect(parts[1].defects).toEqual([]);
      expect(Buffer.from(parts[1].body!, 'base64').equals(bytes)).toBe(true);
      expect(r.message.toString('latin1')).toContain(`Content-Type: ${type}\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment\r\n\r\n`);
    });
  }

  it('text for 4 kB, then a NUL: not text after all, so octet-stream and untouched', async () => {
    const bytes = Buffer.concat([Buffer.from('line of text\n'.repeat(400)), Buffer.from([0, 1, 2, 0x0a, 0x0d])]);
    const r = await putStdin(bytes);
    const parts = await pythonParts(r.message);
    expect(parts[1].type).toBe('application/octet-stream');
    expect(Buffer.from(parts[1].body!, 'base64').equals(bytes)).toBe(true);
  });

  it('text from stdin is taken to CRLF (RFC 2046 §4.1.1) and carries its charset', async () => {
    const r = await putStdin(Buffer.from('Grüße\naus Köln\n'));
    const parts = await pythonParts(r.message);
    expect(parts[1].type).toBe('text/plain');
    expect(r.message.toString('latin1')).toContain('Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n');
    expect(Buffer.from(parts[1].body!, 'base64').toString('utf8')).toBe('Grüße\r\naus Köln\r\n');
  });

  it('--encoding base64 on UTF-8 text: the charset is written, Python reads the text', async () => {
    const r = await putStdin(Buffer.from('Волим слани краставац.\n'), ['--encoding', 'base64']);
    expect(r.message.toString('latin1')).toContain('Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n');
    const check = await execa('/usr/bin/python3', ['-c', 'import email,email.policy,sys; m=email.message_from_bytes(sys.stdin.buffer.read(), policy=email.policy.default); print(list(m.iter_parts())[1].get_content(), end="")'], { input: r.message, stripFinalNewline: false });
    expect(check.stdout).toBe('Волим слани краставац.\r\n');
  });
});
