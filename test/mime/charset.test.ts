import { describe, expect, it } from 'vitest';
import { decodeCharset, decodeHeaderBytes, isKnownCharset, normalizeCharsetName } from '../../src/mime/charset.ts';

const b = (hex: string): Uint8Array => Buffer.from(hex.replace(/\s+/g, ''), 'hex');

describe('decodeCharset', () => {
  // Expected strings are written as Unicode escapes taken from the charset tables,
  // not produced by the code under test.
  const cases: Array<[string, string, string]> = [
    ['utf-8', 'c3a9 e282ac', '\u00e9\u20ac'],
    ['UTF8', 'c3a9', '\u00e9'],
    ['iso-8859-1', '48e9 6c6c6f', 'H\u00e9llo'],
    ['ISO-8859-2', 'b1 e6', '\u0105\u0107'],
    ['iso-8859-5', 'b0', '\u0410'],
    ['iso-8859-7', 'e1', '\u03b1'],
    ['iso-8859-15', 'a4', '\u20ac'],
    ['windows-1250', '9a', '\u0161'],
    ['windows-1251', 'c0', '\u0410'],
    ['windows-1252', '80 93 94', '\u20ac\u201c\u201d'],
    ['KOI8-R', 'c1', '\u0430'],
    ['koi8-u', 'a4', '\u0454'],
    ['utf-7', '2b414f6b2d', '\u00e9'],
    ['unicode-1-1-utf-7', '2b414f6b2d', '\u00e9'],
    ['utf-16', 'feff 00e9 0041', '\u00e9A'],
    ['utf-16', 'fffe e900 4100', '\u00e9A'],
    ['utf-16', '00e9 0041', '\u00e9A'],
    ['utf-16le', 'e900', '\u00e9'],
    ['gb2312', 'c4e3 bac3', '\u4f60\u597d'],
    ['GBK', 'c4e3 bac3', '\u4f60\u597d'],
    ['big5', 'a741 a66e', '\u4f60\u597d'],
    ['shift_jis', '82a0', '\u3042'],
    ['Shift-JIS', '82a0', '\u3042'],
    ['x-sjis', '82a0', '\u3042'],
    ['euc-jp', 'a4a2', '\u3042'],
    ['iso-2022-jp', '1b2442 2422 1b2842', '\u3042'],
    ['ISO-2022-JP', '41 1b2442 3441 3b7a 1b2842 42', 'A\u6f22\u5b57B'],
    ['iso-2022-jp', '1b2849 31 1b2842', '\uff71'],
    ['euc-kr', 'c7d1 b1db', '\ud55c\uae00'],
    ['ks_c_5601-1987', 'c7d1 b1db', '\ud55c\uae00'],
    ['"iso-8859-1"', 'e9', '\u00e9'],
    ['iso-8859-1*fr', 'e9', '\u00e9'],
  ];
  for (const [charset, hex, expected] of cases) {
    it(`decodes ${charset} ${hex}`, () => {
      expect(decodeCharset(b(hex), charset)).toBe(expected);
    });
  }

  it('turns invalid UTF-8 into U+FFFD', () => {
    expect(decodeCharset(b('41 ff 42'), 'utf-8')).toBe('A\ufffdB');
    expect(decodeCharset(b('e282'), 'utf-8')).toBe('\ufffd');
  });

  it('turns invalid multibyte sequences into U+FFFD', () => {
    expect(decodeCharset(b('82'), 'shift_jis')).toContain('\ufffd');
    expect(decodeCharset(b('1b2442 24'), 'iso-2022-jp')).toBe('\ufffd');
    expect(decodeCharset(b('1b2458 41'), 'iso-2022-jp')).toBe('\ufffd$XA');
  });

  it('reads an unknown charset as UTF-8 with replacement', () => {
    expect(decodeCharset(b('c3a9'), 'x-no-such-charset')).toBe('\u00e9');
    expect(decodeCharset(b('e9'), 'x-no-such-charset')).toBe('\ufffd');
    expect(decodeCharset(b('c3a9'), undefined)).toBe('\u00e9');
    expect(isKnownCharset('x-no-such-charset')).toBe(false);
    expect(isKnownCharset('ISO-2022-JP')).toBe(true);
    expect(isKnownCharset('windows-1252')).toBe(true);
  });

  it('never throws, whatever the bytes and label', () => {
    const labels = ['utf-8', 'utf-16', 'utf-7', 'iso-2022-jp', 'big5', 'gbk', 'euc-jp', '', '***', 'utf-32'];
    const junk = new Uint8Array(256).map((_, i) => (i * 37) & 0xff);
    for (const l of labels) expect(typeof decodeCharset(junk, l)).toBe('string');
  });
});

describe('decodeHeaderBytes', () => {
  it('keeps valid UTF-8 (RFC 6532)', () => {
    expect(decodeHeaderBytes(b('4ac3a972c3b46d65'))).toBe('J\u00e9r\u00f4me');
  });
  it('falls back to Windows-1252 for 8-bit bytes that are not UTF-8', () => {
    expect(decodeHeaderBytes(b('4ae972f46d65 80'))).toBe('J\u00e9r\u00f4me\u20ac');
  });
  it('passes ASCII through', () => {
    expect(decodeHeaderBytes(Buffer.from('plain text'))).toBe('plain text');
  });
});

describe('normalizeCharsetName', () => {
  it('unquotes, lower-cases and drops the language', () => {
    expect(normalizeCharsetName(' "UTF-8" ')).toBe('utf-8');
    expect(normalizeCharsetName('us-ascii*en')).toBe('us-ascii');
    expect(normalizeCharsetName(undefined)).toBe('');
  });
});
