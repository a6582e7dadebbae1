import { describe, expect, it } from 'vitest';
import { decodeEncodedWords, encodedWordSegments, hasEncodedWord } from '../../src/mime/encoded-word.ts';

describe('decodeEncodedWords', () => {
  const cases: Array<[string, string]> = [
    // RFC 2047 §8 examples
    ['(=?ISO-8859-1?Q?a?=)', '(a)'],
    ['(=?ISO-8859-1?Q?a?= b)', '(a b)'],
    ['(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)', '(ab)'],
    ['(=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=)', '(ab)'],
    ['(=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=)', '(ab)'],
    ['(=?ISO-8859-1?Q?a_b?=)', '(a b)'],
    ['(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)', '(a b)'],
    ['=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?=', 'Keld J\u00f8rn Simonsen'],
    ['=?iso-8859-8?b?7eXs+SDv4SDp7Oj08A==?=', '\u05dd\u05d5\u05dc\u05e9 \u05df\u05d1 \u05d9\u05dc\u05d8\u05e4\u05e0'],
    // RFC 2231 §5 language suffix
    ['=?US-ASCII*EN?Q?Keith_Moore?=', 'Keith Moore'],
    ['=?utf-8?B?w6k=?=', '\u00e9'],
    ['=?UTF-8?b?w6k?=', '\u00e9'], // missing padding
    ['=?koi8-r?B?8NLJ18XU?=', '\u041f\u0440\u0438\u0432\u0435\u0442'],
    ['=?iso-2022-jp?B?GyRCJCIbKEI=?=', '\u3042'],
    ['=?shift_jis?B?gqA=?=', '\u3042'],
    ['=?ks_c_5601-1987?B?x9Gx2w==?=', '\ud55c\uae00'],
    ['=?utf-7?Q?+AOk-?=', '\u00e9'],
    // words glued together (no whitespace) still decode
    ['=?utf-8?q?a?==?utf-8?q?b?=', 'ab'],
  ];
  for (const [input, expected] of cases) {
    it(`decodes ${JSON.stringify(input)}`, () => {
      expect(decodeEncodedWords(input)).toBe(expected);
    });
  }

  it('joins the bytes of a multibyte character split across two words', () => {
    // U+20AC is e2 82 ac; split after the first byte, in B and in Q.
    expect(decodeEncodedWords('=?utf-8?B?4g==?= =?utf-8?B?gqw=?=')).toBe('\u20ac');
    expect(decodeEncodedWords('=?UTF-8?Q?=E2?=\r\n =?utf-8?Q?=82=AC?=')).toBe('\u20ac');
    expect(decodeEncodedWords('=?utf-8?B?4oI=?= =?utf-8?Q?=AC_x?=')).toBe('\u20ac x');
    // Shift_JIS split between lead and trail byte
    expect(decodeEncodedWords('=?shift_jis?B?gg==?= =?shift_jis?B?oA==?=')).toBe('\u3042');
  });

  it('keeps malformed words literally', () => {
    for (const s of ['=?', '=?utf-8', '=?utf-8?', '=?utf-8?x?abc?=', "let's = try =?iso-8859-1? to break =? the parser", '=?utf-8?q?a b']) {
      expect(decodeEncodedWords(s)).toBe(s);
    }
  });

  it('drops a fold inside a word', () => {
    expect(decodeEncodedWords('=?utf-8?Q?Hello\r\n _there!?=')).toBe('Hello there!');
    expect(decodeEncodedWords('=?utf-8?B?VGhpcyBpcyB0aGUgb\r\n 3JpZ2luYWwgc3ViamVjdA==?=')).toBe('This is the original subject');
  });

  it('keeps whitespace between a word and ordinary text, unfolded', () => {
    expect(decodeEncodedWords('Les =?utf-8?Q?R=C3=A9cap?= de la\r\n =?utf-8?Q?r=C3=A9serv?= 1')).toBe(
      'Les R\u00e9cap de la r\u00e9serv 1',
    );
  });

  it('turns bad bytes into U+FFFD', () => {
    expect(decodeEncodedWords('=?utf-8?Q?=FF?=')).toBe('\ufffd');
  });

  it('reports segments and detects words', () => {
    const segs = encodedWordSegments('a =?fr*x?q?b?=');
    expect(segs.map((s) => s.kind)).toEqual(['text', 'space', 'word']);
    expect(segs[2]).toMatchObject({ charset: 'fr', language: 'x' });
    expect(hasEncodedWord('plain')).toBe(false);
    expect(hasEncodedWord('x =?a?b?c?=')).toBe(true);
  });
});
