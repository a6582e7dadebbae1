import { describe, expect, it } from 'vitest';
import {
  bodyEncoder, encodeAddressList, encodeParameter, encodeUnstructured, foldField, identityEncoding, MessageWrapper, MultipartAppender, parseAddressInput, parseMediaTypeLite,
  parseRfc3339, scanBody, sniffType,
} from '../../src/mime/encoder/index.ts';

function run(a: MultipartAppender, input: string, part: string): string {
  const out: string[] = [];
  for (const evs of [a.push(Buffer.from(input)), a.finish()]) {
    for (const ev of evs) {
      if (ev.type === 'data') out.push(ev.data.toString());
      else if (ev.type === 'insert') out.push(part);
      else if (ev.type === 'error') out.push(`ERROR ${ev.error}`);
    }
  }
  return out.join('');
}

describe('address input', () => {
  it('reads routes, domain literals, quoted local parts and obs-phrase dots', () => {
    expect(parseAddressInput('J.R.R. Tolkien <@a.org,@b.org:"j r"@[192.0.2.1]>')).toEqual({
      ok: true,
      value: [{ name: 'J.R.R. Tolkien', route: ['a.org', 'b.org'], local: 'j r', domain: '[192.0.2.1]' }],
    });
  });
  it('names where it went wrong', () => {
    expect(parseAddressInput('"unclosed <a@b>')).toEqual({ ok: false, error: 'syntax', message: 'unclosed quoted-string at offset 0' });
    expect(parseAddressInput('a@b c@d')).toEqual({ ok: false, error: 'syntax', message: 'expected "," at offset 4' });
    expect(parseAddressInput('Team: a@b')).toEqual({ ok: false, error: 'syntax', message: 'group "Team" without its closing ";"' });
  });
  it('writes what it read: route, literal, quoted local part', () => {
    const r = parseAddressInput('J.R.R. Tolkien <@a.org,@b.org:"j r"@[192.0.2.1]>');
    expect(r.ok && encodeAddressList(r.value)).toEqual({ ok: true, value: '"J.R.R. Tolkien" <@a.org,@b.org:"j r"@[192.0.2.1]>' });
  });
  it('turns a non-ASCII domain into A-labels, or keeps it with utf8', () => {
    expect(encodeAddressList([{ local: 'a', domain: 'bücher.example' }])).toEqual({ ok: true, value: 'a@xn--bcher-kva.example' });
    expect(encodeAddressList([{ local: 'a', domain: 'bücher.example' }], { utf8: true })).toEqual({ ok: true, value: 'a@bücher.example' });
  });
});

describe('parameters and media types', () => {
  it('uses RFC 2231 for long ASCII values and for control characters', () => {
    const segs = encodeParameter('filename', 'a'.repeat(100) + '.txt');
    expect(segs.length).toBeGreaterThan(1);
    expect(segs.map((s) => s.replace(/^filename\*\d+\*=(utf-8'')?/, '')).join('')).toBe('a'.repeat(100) + '.txt');
    expect(encodeParameter('name', 'a\tb')).toEqual([`name*=utf-8''a%09b`]);
  });
  it('reads the boundary of a Content-Type with comments and quotes', () => {
    const mt = parseMediaTypeLite('Multipart/Mixed (comment); charset=x; boundary="a \\"b\\" c"');
    expect(mt?.type).toBe('multipart');
    expect(mt?.params.get('boundary')).toBe('a "b" c');
  });
});

describe('unstructured values', () => {
  it('keeps runs of white space, tabs included, between plain and encoded words', () => {
    expect(encodeUnstructured('a  \tb')).toBe('a  \tb');
    expect(encodeUnstructured('é  x')).toBe('=?utf-8?B?w6k=?=  x');
    // two encoded words side by side: the space between them goes inside the encoding
    expect(encodeUnstructured('é é')).toMatch(/^=\?utf-8\?[BQ]\?[^ ]*\?=$/);
  });
  it('folds an empty value to the bare name', () => {
    expect(foldField('X-Empty', '')).toEqual({ ok: true, value: 'X-Empty:\r\n' });
  });
});

describe('wrap and put edge cases', () => {
  it('wrap reports a malformed header line', () => {
    const w = new MessageWrapper({ subtype: 'mixed', boundary: 'b' });
    w.push(Buffer.from('Subject: s\r\nnot a field\r\n\r\nbody\r\n'));
    expect(w.finish()).toMatchObject({ ok: false, error: 'malformed', message: 'line 2: header field without a colon', line: 2 });
  });
  it('put closes a multipart that has no close delimiter', () => {
    const out = run(new MultipartAppender(), 'Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\none\r\n', 'NEW');
    expect(out).toBe('Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\none\r\nNEW\r\n--b--\r\n');
  });
  it('put finds the close delimiter at the very start of the body', () => {
    const out = run(new MultipartAppender(), 'Content-Type: multipart/mixed; boundary=b\r\n\r\n--b--\r\n', 'NEW');
    expect(out).toBe('Content-Type: multipart/mixed; boundary=b\r\n\r\nNEW\r\n--b--\r\n');
  });
  it('put ignores an inner multipart close delimiter with another boundary', () => {
    const msg = 'Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: multipart/alternative; boundary=bb\r\n\r\n--bb\r\n\r\nx\r\n--bb--\r\n--b--\r\n';
    expect(run(new MultipartAppender(), msg, '[NEW]')).toBe(msg.replace('\r\n--b--\r\n', '[NEW]\r\n--b--\r\n'));
  });
  it('put refuses a multipart without a boundary and a message without a header', () => {
    expect(run(new MultipartAppender(), 'Content-Type: multipart/mixed\r\n\r\nx', '')).toContain('ERROR multipart/mixed without a boundary parameter');
    expect(run(new MultipartAppender(), '', '')).toContain('ERROR the message is not multipart');
  });
});

describe('moved out of the commands: sniffing, body encoders, identity encodings', () => {
  it('sniffType: magic numbers, then text or binary', () => {
    expect(sniffType(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe('image/png');
    expect(sniffType(Buffer.from('%PDF-1.7\n'))).toBe('application/pdf');
    expect(sniffType(Buffer.from('%!PS-Adobe-3.0\n'))).toBe('application/postscript');
    expect(sniffType(Buffer.from('plain words\nand lines\n'))).toBe('text/plain');
    expect(sniffType(Buffer.from([0, 1, 2, 3, 0xff, 0xfe, 0]))).toBe('application/octet-stream');
    expect(sniffType(Buffer.alloc(0))).toBe('text/plain');
  });
  it('bodyEncoder: base64 (RFC 2045 §6.8) and quoted-printable (§6.7); identity for 7bit, 8bit, binary', () => {
    const b64 = bodyEncoder('base64', false, true)!;
    expect(Buffer.concat([b64.push(Buffer.from('hello')), b64.finish()]).toString()).toBe('aGVsbG8=\r\n');
    const qp = bodyEncoder('quoted-printable', true, true)!;
    expect(Buffer.concat([qp.push(Buffer.from('caf\xc3\xa9\r\n', 'latin1')), qp.finish()]).toString()).toBe('caf=C3=A9\r\n');
    expect(bodyEncoder('7bit', true, true)).toBeUndefined();
    expect(bodyEncoder('binary', false, false)).toBeUndefined();
  });
  it('identityEncoding: the narrowest of 7bit, 8bit, binary a message/* part can carry (RFC 2046 §5.2.1)', () => {
    expect(identityEncoding(scanBody(Buffer.from('a\r\nb\r\n')))).toBe('7bit');
    expect(identityEncoding(scanBody(Buffer.from('caf\xc3\xa9\r\n', 'latin1')))).toBe('8bit');
    expect(identityEncoding(scanBody(Buffer.from('a\nb\r\n')))).toBe('binary');
    expect(identityEncoding(scanBody(Buffer.from(`${'x'.repeat(999)}\r\n`)))).toBe('binary');
  });
  it('parseRfc3339 checks the calendar: no 30 February, no hour 24', () => {
    expect(parseRfc3339('2024-02-30T00:00:00Z')).toBeUndefined();
    expect(parseRfc3339('2023-02-29T00:00:00Z')).toBeUndefined();
    expect(parseRfc3339('2024-02-29T00:00:00Z')).toEqual({ date: new Date('2024-02-29T00:00:00Z'), offsetMinutes: 0 });
    expect(parseRfc3339('2024-01-01T24:00:00Z')).toBeUndefined();
    expect(parseRfc3339('2016-12-31T23:59:60Z')).toEqual({ date: new Date('2017-01-01T00:00:00Z'), offsetMinutes: 0 });
  });
});
