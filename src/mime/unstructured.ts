// Unstructured field values (RFC 5322 §3.2.5: Subject, Comments, X-*): the
// value is unfolded, each fold with the whitespace around it read as one space
// (so a value folded for line length reads as it was written), leading and
// trailing whitespace dropped, and RFC 2047 encoded-words decoded to UTF-8.

import { decodeEncodedWords, encodedWordSegments } from './encoded-word.ts';

/** A whitespace run: one space when it holds a fold, itself otherwise. */
function foldToSpace(text: string): string {
  return /[\r\n]/.test(text) ? ' ' : text;
}

function trimWsp(s: string): string {
  return s.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
}

/** Unfolds without decoding: folds become one space, ends trimmed. */
export function unfoldUnstructured(value: string): string {
  return trimWsp(value.replace(/[ \t]*\r?\n[ \t]*/g, (m) => (m.includes('\n') ? ' ' : m)));
}

/** Unfolds and decodes encoded-words. */
export function decodeUnstructured(value: string): string {
  return trimWsp(decodeEncodedWords(value, { space: foldToSpace }));
}

/**
 * The same from the raw bytes of a value: 8-bit text outside encoded-words is
 * read as UTF-8 when valid, Windows-1252 otherwise (RFC 6532), and 8-bit bytes
 * inside a word are taken in the word's charset (`=?iso-8859-1?Q?Fr\xf6sche?=`).
 */
export function decodeUnstructuredBytes(bytes: Uint8Array): string {
  const s = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  // Most values are ASCII with no encoded-word and no fold: nothing to decode
  // (mbox list of 40,000 messages spent a fifth of its time here).
  if (PLAIN.test(s)) return trimWsp(s);
  return trimWsp(decodeEncodedWords(s, { space: foldToSpace, binary: true }));
}

/** ASCII without CR, LF or `=?`: what decodeEncodedWords would return as it is. */
const PLAIN = /^(?:[\x00-\x09\x0b\x0c\x0e-\x3c\x3e-\x7f]|=(?!\?))*$/;


/** A comma-separated list of phrases (Keywords): each item unfolded and decoded. */
export function decodeTextList(value: string): string[] {
  const items: string[] = [];
  let current = '';
  for (const seg of encodedWordSegments(value)) {
    if (seg.kind !== 'text') {
      current += seg.kind === 'word' ? seg.raw : seg.text;
      continue;
    }
    const pieces = seg.text.split(',');
    current += pieces[0];
    for (let k = 1; k < pieces.length; k++) {
      items.push(current);
      current = pieces[k];
    }
  }
  items.push(current);
  return items.map(decodeUnstructured).filter((s) => s !== '');
}
