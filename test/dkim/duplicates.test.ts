// src/dkim/duplicates.ts: which instances of once-only fields (RFC 5322 §3.6)
// a signature leaves unsigned beside a signed one (RFC 6376 §8.15). The
// selection rule is §5.4.2's: h= takes instances from the bottom up.
import { describe, expect, it } from 'vitest';
import { HeaderDecoder, type RawField } from '../../src/mime/header-decoder.ts';
import { ONCE_ONLY_FIELDS, unsignedDuplicates, unsignedDuplicatesReason } from '../../src/dkim/index.ts';

function fields(header: string): RawField[] {
  const d = new HeaderDecoder();
  return [...d.push(Buffer.from(`${header.replace(/\n/g, '\r\n')}\r\n`)), ...d.finish()].flatMap((e) => (e.type === 'field' ? [e.field] : []));
}

describe('unsignedDuplicates', () => {
  it('the eleven fields of RFC 5322 §3.6 with a maximum of one', () => {
    expect([...ONCE_ONLY_FIELDS].sort()).toEqual(['bcc', 'cc', 'date', 'from', 'in-reply-to', 'message-id', 'references', 'reply-to', 'sender', 'subject', 'to']);
  });
  it('a From on top of the signed one is unsigned; the bottom one is the signed one', () => {
    const f = fields('From: evil@example.net\nFrom: alice@example.org\nSubject: hi\n');
    expect(unsignedDuplicates(f, ['from', 'subject'])).toEqual([{ name: 'From', line: 1 }]);
  });
  it('h= naming a field twice covers two instances (over-signing): nothing unsigned', () => {
    const f = fields('Subject: a\nSubject: b\n');
    expect(unsignedDuplicates(f, ['subject', 'subject'])).toEqual([]);
    expect(unsignedDuplicates(f, ['subject'])).toEqual([{ name: 'Subject', line: 1 }]);
  });
  it('a field the signature does not sign, or one that may repeat, is not its concern', () => {
    const f = fields('Cc: a@example.org\nCc: b@example.org\nReceived: x\nReceived: y\nFrom: a@example.org\n');
    expect(unsignedDuplicates(f, ['from', 'received'])).toEqual([]);
  });
  it('names match in any case; the reason lists at most five and counts the rest', () => {
    const f = fields('TO: x@example.net\nto: y@example.net\nTo: z@example.net\n');
    expect(unsignedDuplicates(f, ['To'])).toEqual([{ name: 'TO', line: 1 }, { name: 'to', line: 2 }]);
    const many = Array.from({ length: 7 }, (_, i) => ({ name: 'Subject', line: i + 1 }));
    expect(unsignedDuplicatesReason(many)).toBe('unsigned duplicate of a signed field: Subject at line 1, Subject at line 2, Subject at line 3, Subject at line 4, Subject at line 5, 2 more (RFC 6376 §8.15)');
  });
});
