import { describe, expect, it } from 'vitest';
import {
  Base64Encoder, BodyScanner, checkFieldValue, encodeHeaderField, chooseEncoding, checkEncoding, DelimiterSearch, encodeAddressList, encodeContentValue, encodeParameter,
  encodePhrase, encodeQuotedPrintable, encodeUnstructured, encodeWords, foldField, formatRfc5322Date, IdentifierSource, MessageWrapper,
  MultipartAppender, parseAddressInput, parseRfc3339, QuotedPrintableEncoder, scanBody,
} from '../../src/mime/encoder/index.ts';

/** A reference quoted-printable decoder, written from RFC 2045 §6.7 for these tests. */
function qpDecode(s: string): Buffer {
  const out: number[] = [];
  const t = s.replace(/=\r\n/g, '');
  for (let i = 0; i < t.length; i++) {
    if (t[i] === '=') {
      out.push(parseInt(t.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(t.charCodeAt(i));
  }
  return Buffer.from(out);
}

function lines(s: string): string[] {
  return s.split('\r\n');
}

describe('quoted-printable encoder', () => {
  it('encodes the Serbian sample as Python quopri does (76 columns, soft break)', () => {
    const out = encodeQuotedPrintable(Buffer.from('Волим слани краставац.\r\n')).toString('latin1');
    expect(out).toBe('=D0=92=D0=BE=D0=BB=D0=B8=D0=BC =D1=81=D0=BB=D0=B0=D0=BD=D0=B8 =D0=BA=D1=80=\r\n=D0=B0=D1=81=D1=82=D0=B0=D0=B2=D0=B0=D1=86.\r\n');
  });
  it('escapes trailing white space, = and a lone LF; protects "." and "From " at a line start', () => {
    const out = encodeQuotedPrintable(Buffer.from('a \r\nb\t\r\nx=y\n.\r\n.\r\nFrom me\r\nend ')).toString('latin1');
    expect(out).toBe('a=20\r\nb=09\r\nx=3Dy=0A.\r\n=2E\r\n=46rom me\r\nend=20');
  });
  it('keeps every line within 76 columns and decodes back, whatever the chunking', () => {
    const data = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 256));
    const whole = encodeQuotedPrintable(data);
    const e = new QuotedPrintableEncoder();
    const parts: Buffer[] = [];
    for (const b of data) parts.push(e.push(Buffer.from([b])));
    parts.push(e.finish());
    expect(Buffer.concat(parts).equals(whole)).toBe(true);
    for (const l of lines(whole.toString('latin1'))) expect(l.length).toBeLessThanOrEqual(76);
    expect(qpDecode(whole.toString('latin1')).equals(data)).toBe(true);
  });
  it('escapes a "-" starting a line, so no delimiter can appear whatever the boundary', () => {
    expect(encodeQuotedPrintable(Buffer.from('--B\r\nx--B\r\n')).toString()).toBe('=2D-B\r\nx--B\r\n');
  });
  it('binary mode escapes CRLF too', () => {
    expect(encodeQuotedPrintable(Buffer.from('a\r\nb'), { text: false }).toString()).toBe('a=0D=0Ab');
  });
  it('ends with a soft break when asked for a final line break', () => {
    expect(encodeQuotedPrintable(Buffer.from('abc'), { finalNewline: true }).toString()).toBe('abc=\r\n');
  });
});

describe('base64 encoder', () => {
  it('writes 76-column lines and is independent of chunking', () => {
    const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
    const e = new Base64Encoder();
    const parts: Buffer[] = [];
    for (let i = 0; i < data.length; i += 13) parts.push(e.push(data.subarray(i, i + 13)));
    parts.push(e.finish());
    const out = Buffer.concat(parts).toString('latin1');
    const ls = lines(out);
    expect(ls.pop()).toBe('');
    for (const l of ls.slice(0, -1)) expect(l.length).toBe(76);
    expect(Buffer.from(out, 'base64').equals(data)).toBe(true);
  });
  it('writes nothing for nothing', () => {
    const e = new Base64Encoder();
    expect(Buffer.concat([e.push(Buffer.alloc(0)), e.finish()]).length).toBe(0);
  });
});

describe('header folding and encoded-words', () => {
  it('folds at white space within 78 columns and unfolds to the same value', () => {
    const value = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');
    const r = foldField('Subject', value);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    for (const l of lines(r.value).slice(0, -1)) expect(l.length).toBeLessThanOrEqual(78);
    expect(r.value.replace(/\r\n(?=[ \t])/g, '')).toBe(`Subject: ${value}\r\n`);
  });
  it('keeps the first line of an encoded Subject within 78 columns', () => {
    const r = encodeHeaderField({ kind: 'unstructured', name: 'Subject', value: 'Волим слани краставац. '.repeat(4).trim() });
    expect(r.ok).toBe(true);
    if (r.ok) for (const l of lines(r.value)) expect(l.length).toBeLessThanOrEqual(78);
  });
  it('refuses a structured token longer than 998 octets', () => {
    expect(foldField('Message-ID', `<${'a'.repeat(1200)}@b>`).ok).toBe(false);
  });
  it('encodes non-ASCII words, keeps ASCII ones, and words stay within 75 characters', () => {
    const v = encodeUnstructured('Hello Волим слани краставац. ok');
    expect(v.startsWith('Hello =?utf-8?')).toBe(true);
    expect(v.endsWith(' ok')).toBe(true);
    for (const w of v.split(' ')) expect(w.length).toBeLessThanOrEqual(75);
  });
  it('never splits a multi-byte character between encoded-words', () => {
    const text = '😀'.repeat(40) + 'é'.repeat(40);
    for (const w of encodeWords(text).split(' ')) {
      const m = /^=\?utf-8\?([BQ])\?(.*)\?=$/.exec(w)!;
      const bytes = m[1] === 'B' ? Buffer.from(m[2], 'base64') : Buffer.from(m[2].replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16))), 'latin1');
      expect(bytes.toString('utf8')).not.toContain('\uFFFD');
      expect(w.length).toBeLessThanOrEqual(75);
    }
  });
  it('encodes text that looks like an encoded-word, and long words', () => {
    expect(encodeUnstructured('a =?utf-8?q?x?= b')).toMatch(/^a =\?utf-8\?[BQ]\?.*\?= b$/);
    expect(encodeUnstructured('x'.repeat(1000))).toMatch(/^=\?utf-8\?/);
  });
  it('keeps raw UTF-8 with utf8 (RFC 6532)', () => {
    expect(encodeUnstructured('Волим ok', { utf8: true })).toBe('Волим ok');
  });
});

describe('field values', () => {
  it('refuses CR, LF and NUL in a value, naming the field', () => {
    expect(checkFieldValue('X-A', 'a\0b')).toEqual({ ok: false, error: 'invalid', message: 'X-A: value holds a NUL byte at offset 1' });
    expect(checkFieldValue('X-A', 'a\rb')).toEqual({ ok: false, error: 'invalid', message: 'X-A: value holds a bare CR at offset 1' });
    expect(checkFieldValue('X-A', 'a\tb')).toEqual({ ok: true, value: 'a\tb' });
    expect(encodeHeaderField({ kind: 'unstructured', name: 'Subject', value: 'x\0' }).ok).toBe(false);
    expect(encodeHeaderField({ kind: 'unstructured', name: 'Bad Name', value: 'x' }).ok).toBe(false);
  });
});

describe('addresses', () => {
  it('quotes display names with specials and local parts that are not dot-atoms', () => {
    const r = encodeAddressList([
      { name: 'Doe, John', local: 'john doe', domain: 'example.org' },
      { name: 'Plain Name', local: 'a.b', domain: 'example.org' },
      { group: 'Team', mailboxes: [] },
    ]);
    expect(r).toEqual({ ok: true, value: '"Doe, John" <"john doe"@example.org>, Plain Name <a.b@example.org>, Team:;' });
  });
  it('encodes non-ASCII display names and refuses a non-ASCII local part without utf8', () => {
    expect(encodePhrase('Jöhn')).toBe('=?utf-8?B?SsO2aG4=?='); // shorter than Q's J=C3=B6hn
    expect(encodePhrase('Jöhn Doe Smith')).toBe('=?utf-8?Q?J=C3=B6hn_Doe_Smith?=');
    expect(encodeAddressList([{ local: 'jöhn', domain: 'x.org' }]).ok).toBe(false);
    expect(encodeAddressList([{ local: 'jöhn', domain: 'x.org' }], { utf8: true })).toEqual({ ok: true, value: 'jöhn@x.org' });
  });
  it('reads the lists people type', () => {
    const r = parseAddressInput('"Doe, J." <j@d.org>, Friends: a@b.c, Q <q@r.s>;, x@y.z (comment)');
    expect(r).toEqual({
      ok: true,
      value: [
        { name: 'Doe, J.', local: 'j', domain: 'd.org' },
        { group: 'Friends', mailboxes: [{ local: 'a', domain: 'b.c' }, { name: 'Q', local: 'q', domain: 'r.s' }] },
        { local: 'x', domain: 'y.z' },
      ],
    });
    expect(parseAddressInput('a@b, <broken').ok).toBe(false);
  });
});

describe('parameters (RFC 2231)', () => {
  it('writes tokens, quoted-strings and the extended form', () => {
    expect(encodeParameter('charset', 'utf-8')).toEqual(['charset=utf-8']);
    expect(encodeParameter('filename', 'a b.txt')).toEqual(['filename="a b.txt"']);
    expect(encodeParameter('filename', 'Волим.txt')).toEqual([`filename*=utf-8''%D0%92%D0%BE%D0%BB%D0%B8%D0%BC.txt`]);
  });
  it('splits long values into continuations on character boundaries', () => {
    const segs = encodeParameter('filename', 'Волим слани краставац и још много тога.txt');
    expect(segs[0].startsWith(`filename*0*=utf-8''`)).toBe(true);
    expect(segs[1].startsWith('filename*1*=')).toBe(true);
    const joined = decodeURIComponent(segs.map((s) => s.replace(/^[^=]*=(utf-8'')?/, '')).join(''));
    expect(joined).toBe('Волим слани краставац и још много тога.txt');
    const ct = foldField('Content-Disposition', encodeContentValue('attachment', [['filename', 'x'.repeat(200)]]));
    expect(ct.ok && lines(ct.value).every((l) => l.length <= 78)).toBe(true);
  });
});

describe('dates and identifiers', () => {
  it('formats RFC 5322 dates in a zone', () => {
    expect(formatRfc5322Date(new Date('2017-03-30T13:00:00Z'), 120)).toBe('Thu, 30 Mar 2017 15:00:00 +0200');
    expect(formatRfc5322Date(new Date('2017-03-30T13:00:00Z'), -330)).toBe('Thu, 30 Mar 2017 07:30:00 -0530');
    expect(parseRfc3339('2017-03-30T15:00:00+02:00')).toEqual({ date: new Date('2017-03-30T13:00:00Z'), offsetMinutes: 120 });
  });
  it('derives identifiers from a seed, and random ones otherwise', () => {
    expect(new IdentifierSource('s').messageId('h')).toBe(new IdentifierSource('s').messageId('h'));
    expect(new IdentifierSource().boundary()).not.toBe(new IdentifierSource().boundary());
    expect(new IdentifierSource('s').boundary()).toMatch(/^=_[a-z2-7]{26}$/);
  });
});

describe('encoding choice', () => {
  it('7bit for short ASCII lines, quoted-printable for text, base64 for binary', () => {
    expect(chooseEncoding(scanBody(Buffer.from('hello\r\n')))).toBe('7bit');
    expect(chooseEncoding(scanBody(Buffer.from('Волим\r\n')))).toBe('quoted-printable');
    expect(chooseEncoding(scanBody(Buffer.from('x'.repeat(1200) + '\r\n')))).toBe('quoted-printable');
    expect(chooseEncoding(scanBody(Buffer.from([0x89, 0x50, 0, 1, 2, 255, 254])))).toBe('base64');
    expect(chooseEncoding(scanBody(Buffer.from('no newline')), { mustEndWithCRLF: true })).toBe('quoted-printable');
  });
  it('explains why an explicit 7bit or 8bit cannot carry a body', () => {
    expect(checkEncoding('7bit', scanBody(Buffer.from('ok\r\nВолим\r\n')))).toEqual({ ok: false, error: 'unsafe', message: '7bit cannot carry 8-bit bytes (line 2)' });
    expect(checkEncoding('8bit', scanBody(Buffer.from('a\0b')))).toMatchObject({ ok: false, message: expect.stringMatching(/NUL/) });
    expect(checkEncoding('8bit', scanBody(Buffer.from('a\nb')))).toMatchObject({ ok: false, message: expect.stringMatching(/bare CR or LF/) });
    expect(checkEncoding('7bit', scanBody(Buffer.from('a\r\n--b\r\n'), 'b'))).toMatchObject({ ok: false, message: expect.stringMatching(/delimiter/) });
    expect(checkEncoding('base64', scanBody(Buffer.from('a\0b')))).toEqual({ ok: true, value: 'base64' });
  });
  it('scans the same whatever the chunking', () => {
    const data = Buffer.from('line one\r\nВолим\r\n' + 'y'.repeat(1000) + '\r\n');
    const s = new BodyScanner();
    for (const b of data) s.push(Buffer.from([b]));
    expect(s.finish()).toEqual(scanBody(data));
  });
});

describe('wrap and put cores', () => {
  const msg = Buffer.from('From: a@b.c\r\nContent-Type: text/plain\r\nSubject: s\r\n\r\nbody\r\n');
  it('wrap moves Content-* into the first part and adds MIME-Version', () => {
    const w = new MessageWrapper({ subtype: 'mixed', boundary: 'B' });
    const parts: Buffer[] = [];
    for (const b of msg) parts.push(w.push(Buffer.from([b])));
    const end = w.finish();
    expect(end.ok).toBe(true);
    expect(Buffer.concat([...parts, end.ok ? end.value : end.data]).toString()).toBe(
      'From: a@b.c\r\nSubject: s\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n' +
        '--B\r\nContent-Type: text/plain\r\n\r\nbody\r\n\r\n--B--\r\n',
    );
  });
  it('wrap reports a boundary that occurs in the body', () => {
    const w = new MessageWrapper({ subtype: 'mixed', boundary: 'body' });
    w.push(Buffer.from('Subject: x\r\n\r\n--body\r\n'));
    expect(w.finish().ok).toBe(false);
  });
  it('put inserts before the close delimiter, whatever the chunking', () => {
    const mp = Buffer.from('Content-Type: multipart/mixed; boundary="B"\r\n\r\npre\r\n--B\r\n\r\none\r\n--B--\r\nepilogue\r\n');
    for (const size of [1, 3, 1000]) {
      const a = new MultipartAppender();
      const out: string[] = [];
      const run = (evs: ReturnType<MultipartAppender['push']>) => {
        for (const ev of evs) {
          if (ev.type === 'data') out.push(ev.data.toString());
          else if (ev.type === 'insert') out.push('\r\n--B\r\nNEW\r\n\r\ntwo');
        }
      };
      for (let i = 0; i < mp.length; i += size) run(a.push(mp.subarray(i, i + size)));
      run(a.finish());
      expect(out.join('')).toBe('Content-Type: multipart/mixed; boundary="B"\r\n\r\npre\r\n--B\r\n\r\none\r\n--B\r\nNEW\r\n\r\ntwo\r\n--B--\r\nepilogue\r\n');
    }
  });
  it('put refuses a message that is not multipart', () => {
    const evs = new MultipartAppender().push(msg);
    expect(evs.find((e) => e.type === 'error')).toMatchObject({ error: expect.stringContaining('not multipart (text/plain)') });
  });
  it('finds a delimiter split across chunks', () => {
    const d = new DelimiterSearch('abc');
    expect(d.push(Buffer.from('xx\r\n--a'))).toBeUndefined();
    expect(d.push(Buffer.from('bc'))).toBe(-5);
  });
});
