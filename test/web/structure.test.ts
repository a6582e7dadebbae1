// The part tree of the web inbox is drawn as `blaze descr` draws it: compared
// with the real command's output on the fixtures; attachments, text and HTML
// parts picked as a mail reader does.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { MimeDecoder } from '../../src/mime/multipart.ts';
import { NewlineNormalizer } from '../../src/mime/newline.ts';
import { StructureBuilder, drawTree, ASCII_TREE } from '../../src/web/structure.ts';
import { BLAZE } from '../smtp/support.ts';

const DIR = fileURLToPath(new URL('../../fixtures/messages/', import.meta.url));

function structure(bytes: Buffer) {
  const norm = new NewlineNormalizer('auto');
  const dec = new MimeDecoder();
  const b = new StructureBuilder();
  b.push(dec.push(norm.push(bytes)));
  b.push(dec.push(norm.finish()));
  b.push(dec.finish());
  return b.result;
}

describe('drawTree', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.eml'));
  it('has fixtures to compare', () => expect(files.length).toBeGreaterThan(0));
  for (const f of files) {
    it(`draws ${f} as blaze descr does`, () => {
      const s = structure(readFileSync(join(DIR, f)));
      const descr = execFileSync(BLAZE, ['descr', '--color', 'never', join(DIR, f)], { encoding: 'utf8' });
      expect(drawTree(s.root!, s.omitted)).toBe(descr);
      const ascii = execFileSync(BLAZE, ['descr', '--ascii', '--color', 'never', join(DIR, f)], { encoding: 'utf8' });
      expect(drawTree(s.root!, s.omitted, ASCII_TREE)).toBe(ascii);
    });
  }
});

describe('StructureBuilder', () => {
  it('picks the text and HTML to show and counts attachments, not inline images or enclosed parts', () => {
    const m = [
      'From: a@example.org', 'Content-Type: multipart/mixed; boundary=o', '',
      '--o', 'Content-Type: multipart/related; boundary=r', '',
      '--r', 'Content-Type: multipart/alternative; boundary=a', '',
      '--a', 'Content-Type: text/plain', '', 'plain', '--a', 'Content-Type: text/html', '', '<p>html</p>', '--a--',
      '--r', 'Content-Type: image/png', 'Content-ID: <logo@x>', 'Content-Transfer-Encoding: base64', '', 'iVBORw0KGgo=', '--r--',
      '--o', 'Content-Type: application/pdf; name="a.pdf"', 'Content-Transfer-Encoding: base64', '', 'JVBERi0=',
      '--o', 'Content-Type: message/rfc822', '', 'Subject: inner', 'Content-Type: text/plain', '', 'inner text',
      '--o', 'Content-Type: text/plain', 'Content-Disposition: attachment; filename=notes.txt', '', 'notes',
      '--o--', '',
    ].join('\r\n');
    const s = structure(Buffer.from(m));
    expect(s.text).toBe('1.1.1');
    expect(s.html).toBe('1.1.2');
    expect(s.attachments).toBe(3); // a.pdf, the message/rfc822, notes.txt
    const png = s.root!.children[0].children[1];
    expect(png).toMatchObject({ id: '1.2', contentId: 'logo@x', attachment: false, size: 8 });
    expect(s.root!.children[2].children[0]).toMatchObject({ id: '3.1', enclosed: true, attachment: false });
  });
});
