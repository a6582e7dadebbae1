import { describe, expect, it } from 'vitest';
import { decodeTextList, decodeUnstructured, decodeUnstructuredBytes, unfoldUnstructured } from '../../src/mime/unstructured.ts';

describe('decodeUnstructured', () => {
  it('unfolds: a fold and the whitespace around it read as one space, ends trimmed', () => {
    expect(decodeUnstructured(' Fwd: \r\n\tSaying \r\n Hello')).toBe('Fwd: Saying Hello');
    expect(decodeUnstructured('a  b')).toBe('a  b'); // unfolded whitespace is kept
  });
  it('decodes encoded-words and drops whitespace between them', () => {
    expect(decodeUnstructured('Les Communs - =?utf-8?Q?R=C3=A9capitulatif?= de la\r\n =?utf-8?Q?r=C3=A9servation?= 1')).toBe(
      'Les Communs - R\u00e9capitulatif de la r\u00e9servation 1',
    );
    expect(decodeUnstructured(' this =?iso-8859-1?q?is?= some =?iso-8859-1?q?t?=\r\n =?iso-8859-1?q?e?= \r\n =?iso-8859-1?q?x?=')).toBe(
      'this is some tex',
    );
  });
  it('leaves broken words alone', () => {
    expect(decodeUnstructured(" let's = try =?iso-8859-1? to break\r\n =? the \r\n parser")).toBe(
      "let's = try =?iso-8859-1? to break =? the parser",
    );
  });
  it('decodes an encoded-word glued to text in place (a choice beyond RFC 2047 §5(1); the same text as Python email policy.default)', () => {
    // RFC 2047 §5(1) wants linear-white-space between an encoded-word and adjacent
    // text; spam filters write '[TAG]=?...?=' anyway and mean it decoded. Expected
    // values: Python 3.11 email.parser with policy.default, str(msg['subject']).
    expect(decodeUnstructured('[SUSPECTED SPAM]=?utf-8?B?VGhpcyBpcyB0aGUgb3JpZ2luYWwgc3ViamVjdA==?=')).toBe('[SUSPECTED SPAM]This is the original subject');
    expect(decodeUnstructured('Some text =?utf-8?Q??=here')).toBe('Some text here');
  });
  it('unfolds without decoding', () => {
    expect(unfoldUnstructured(' =?utf-8?q?a?= \r\n b ')).toBe('=?utf-8?q?a?= b');
  });
});

describe('decodeTextList', () => {
  it('splits at commas outside encoded words', () => {
    expect(decodeTextList('=?iso-8859-1?q?this, is?=, in, a, list, ')).toEqual(['this, is', 'in', 'a', 'list']);
    expect(decodeTextList('multi \r\n list, \r\n with, cr lf  ')).toEqual(['multi list', 'with', 'cr lf']);
  });
});

describe('decodeUnstructuredBytes', () => {
  it('reads 8-bit bytes inside a word in the word charset, outside as UTF-8 or Windows-1252', () => {
    const b = (...parts: Array<string | number[]>) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));
    expect(decodeUnstructuredBytes(b('=?iso-8859-1?Q?Die_Fr', [0xf6], 'sche?='))).toBe('Die Fr\u00f6sche');
    expect(decodeUnstructuredBytes(b('caf', [0xc3, 0xa9], ' =?utf-8?q?=E2=82=AC?='))).toBe('caf\u00e9 \u20ac');
    expect(decodeUnstructuredBytes(b('caf', [0xe9], ' \r\n x'))).toBe('caf\u00e9 x');
    expect(decodeUnstructuredBytes(b('=?utf-8?q?', [0xc3, 0xa9], '?='))).toBe('\u00e9');
  });
});

describe('decodeUnstructuredBytes fast path', () => {
  it('plain ASCII values decode as the full decoder decodes them', async () => {
    const fc = (await import('fast-check')).default;
    const { decodeEncodedWords } = await import('../../src/mime/encoded-word.ts');
    const { decodeUnstructuredBytes } = await import('../../src/mime/unstructured.ts');
    const slow = (s: string) => decodeEncodedWords(s, { space: (t) => (/[\r\n]/.test(t) ? ' ' : t), binary: true }).replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
    const piece = fc.oneof(fc.constantFrom('=', '?', '=?', '?=', ' ', '\t', '\r\n ', '\n', '\n\t', '\r', '=?utf-8?q?x?=', 'abc', 'é'), fc.string({ maxLength: 6 }));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 10 }), (parts) => {
        const s = parts.join('');
        const bytes = Buffer.from(s, 'latin1');
        expect(decodeUnstructuredBytes(bytes)).toBe(slow(bytes.toString('latin1')));
      }),
      { numRuns: 2000 },
    );
  });
});
