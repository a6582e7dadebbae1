import { describe, expect, it } from 'vitest';
import { decodeTextList, decodeUnstructured, unfoldUnstructured } from '../../src/mime/unstructured.ts';

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
