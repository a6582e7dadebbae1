// RFC 2047 encoded-words (`=?charset?B|Q?text?=`) with the RFC 2231 `*lang`
// suffix. Works on a field value that may still hold its folds (CRLF + WSP):
// a fold inside an encoded word is dropped, whitespace between two adjacent
// encoded words is dropped (RFC 2047 §6.2), and the bytes of adjacent words in
// the same charset are joined before conversion, so a multibyte character split
// across two words decodes whole. Anything that is not a well-formed word is
// kept literally.

import { decodeCharset, decodeHeaderBytes, normalizeCharsetName } from './charset.ts';

export type EncodedWordSegment =
  | { kind: 'word'; charset: string; language?: string; bytes: Buffer; raw: string }
  | { kind: 'space'; text: string }
  | { kind: 'text'; text: string };

// Charset tokens exclude especials (RFC 2047 §2); the text excludes '?', and may
// hold folding whitespace (lenient: senders break long words at a fold).
const WORD = /=\?([^?\s"(),/:;<>@[\\\]=]+)\?([bBqQ])\?([^?]*?)\?=/g;
const SPACE = /[ \t\r\n]+/g;
/** Bound on the number of words joined in one conversion run. */
const MAX_RUN_BYTES = 1 << 20;

/**
 * Splits a value into encoded words, whitespace runs and other text. With
 * `binary`, the value is a byte string (one char per byte, Buffer 'latin1'):
 * 8-bit bytes inside a word (invalid, but senders write them) are kept as bytes.
 */
export function encodedWordSegments(value: string, binary = false): EncodedWordSegment[] {
  const out: EncodedWordSegment[] = [];
  const pushText = (text: string): void => {
    // Separate whitespace from other text so callers can tell the gaps apart.
    let last = 0;
    SPACE.lastIndex = 0;
    for (let m = SPACE.exec(text); m; m = SPACE.exec(text)) {
      if (m.index > last) out.push({ kind: 'text', text: text.slice(last, m.index) });
      out.push({ kind: 'space', text: m[0] });
      last = m.index + m[0].length;
    }
    if (last < text.length) out.push({ kind: 'text', text: text.slice(last) });
  };
  let last = 0;
  if (value.indexOf('=?') === -1) {
    pushText(value);
    return out;
  }
  WORD.lastIndex = 0;
  for (let m = WORD.exec(value); m; m = WORD.exec(value)) {
    if (m.index > last) pushText(value.slice(last, m.index));
    const [raw, label, enc, text] = m;
    const star = label.indexOf('*');
    const charset = normalizeCharsetName(star >= 0 ? label.slice(0, star) : label);
    const language = star >= 0 ? label.slice(star + 1) : undefined;
    const bytes = enc === 'b' || enc === 'B' ? decodeB(text) : decodeQ(text, binary);
    out.push(language ? { kind: 'word', charset, language, bytes, raw } : { kind: 'word', charset, bytes, raw });
    last = m.index + raw.length;
  }
  if (last < value.length) pushText(value.slice(last));
  return out;
}

/** Base64 text of a word: whitespace and stray characters ignored, padding optional. */
function decodeB(text: string): Buffer {
  return Buffer.from(text.replace(/[^A-Za-z0-9+/]/g, ''), 'base64');
}

/** Q text (RFC 2047 §4.2): `_` is a space, `=XX` a byte, folds removed. */
function decodeQ(text: string, binary: boolean): Buffer {
  const src = text.replace(/[ \t]*\r?\n[ \t]*/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < src.length; i++) {
    const c = src.charCodeAt(i);
    if (c === 0x5f) bytes.push(0x20);
    else if (c === 0x3d && /^[0-9A-Fa-f]{2}$/.test(src.slice(i + 1, i + 3))) {
      bytes.push(parseInt(src.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 0x80 || (binary && c < 0x100)) bytes.push(c);
    else for (const b of Buffer.from(src[i], 'utf8')) bytes.push(b);
  }
  return Buffer.from(bytes);
}

export interface DecodeWordsOptions {
  /** How to write a whitespace run that is not between two encoded words. */
  space?: (text: string) => string;
  /** The value is a byte string (Buffer 'latin1'); text outside words is read with decodeHeaderBytes. */
  binary?: boolean;
}

/** Standard unfolding (RFC 5322 §2.2.3): a CRLF followed by WSP is removed. */
export function unfoldSpace(text: string): string {
  return text.replace(/\r?\n(?=[ \t])/g, '');
}

/** Decodes every encoded word of `value` to UTF-8 text; the rest is kept (unfolded). */
export function decodeEncodedWords(value: string, opts: DecodeWordsOptions = {}): string {
  const space = opts.space ?? unfoldSpace;
  const binary = opts.binary ?? false;
  const segs = encodedWordSegments(value, binary);
  let out = '';
  let i = 0;
  while (i < segs.length) {
    const s = segs[i];
    if (s.kind === 'text') {
      out += binary ? decodeHeaderBytes(Buffer.from(s.text, 'latin1')) : s.text;
      i++;
      continue;
    }
    if (s.kind === 'space') {
      out += space(s.text);
      i++;
      continue;
    }
    // A run of words in one charset, with only whitespace between them.
    const parts: Buffer[] = [s.bytes];
    let size = s.bytes.length;
    let j = i + 1;
    for (;;) {
      let k = j;
      if (segs[k]?.kind === 'space') k++;
      const next = segs[k];
      if (next?.kind !== 'word') break;
      if (next.charset !== s.charset || size + next.bytes.length > MAX_RUN_BYTES) {
        // Different charset: still adjacent words, so the gap goes; convert what we have.
        j = k;
        break;
      }
      parts.push(next.bytes);
      size += next.bytes.length;
      j = k + 1;
    }
    out += decodeCharset(parts.length === 1 ? parts[0] : Buffer.concat(parts), s.charset);
    // Drop whitespace between this run and a following word.
    if (segs[j]?.kind === 'space' && segs[j + 1]?.kind === 'word') j++;
    i = j;
  }
  return out;
}

/** True when `value` holds at least one well-formed encoded word. */
export function hasEncodedWord(value: string): boolean {
  WORD.lastIndex = 0;
  return WORD.test(value);
}
