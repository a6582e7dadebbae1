// The search index reads a message's header only (unless it is a multipart),
// decodes encoded-words and 8-bit text, and reads LF files like CRLF ones.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanIndex } from '../../src/web/scan.ts';

const dir = mkdtempSync(join(tmpdir(), 'blaze-scan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string | Buffer): string => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

describe('scanIndex', () => {
  it('decodes and lower-cases From, To with Cc, Subject; reads the Date', () => {
    const p = file('a', 'From: =?iso-8859-1?q?Andr=E9?= <andre@example.org>\nTo: Bob <bob@example.net>\nCc: carol@example.com\nSubject: =?utf-8?b?w4dhIHZh?=\n  folded\nDate: Thu, 05 Nov 2026 12:00:00 +0100\n\nbody\n');
    expect(scanIndex(p)).toEqual({
      from: 'andré <andre@example.org>',
      to: 'bob <bob@example.net> carol@example.com',
      subject: 'ça va folded',
      attachments: 0,
      dateMs: Date.UTC(2026, 10, 5, 11),
    });
  });
  it('reads a multipart through to count its attachments; a message without fields has empty ones', () => {
    const p = file('b', ['Subject: m', 'Content-Type: multipart/mixed; boundary=x', '', '--x', 'Content-Type: text/plain', '', 'hi', '--x', 'Content-Type: application/pdf; name=a.pdf', '', '%PDF', '--x', 'Content-Disposition: attachment; filename=b.txt', '', 'b', '--x--', ''].join('\r\n'));
    expect(scanIndex(p)).toMatchObject({ subject: 'm', attachments: 2 });
    expect(scanIndex(file('c', Buffer.from([0, 0xff, 0x0a])))).toEqual({ from: '', to: '', subject: '', attachments: 0 });
  });
});
