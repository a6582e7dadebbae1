// RFC 2047 encoded-words for header values: non-ASCII text (and anything a
// decoder would mistake for an encoded-word) becomes `=?utf-8?B?...?=` or
// `=?utf-8?Q?...?=`, whichever is shorter, split on character boundaries into
// words of at most 75 characters. Runs of adjacent words that need encoding are
// encoded together with the white space between them, because white space
// between two encoded-words disappears when decoding (RFC 2047 §6.2).

const PREFIX_B = '=?utf-8?B?';
const PREFIX_Q = '=?utf-8?Q?';
const MAX_WORD = 75;
const ROOM = MAX_WORD - PREFIX_B.length - 2; // 63 characters of encoded text
/** A plain word longer than this is encoded so that folding can split it. */
export const MAX_PLAIN_WORD = 900;

const HEX = '0123456789ABCDEF';

/** Q encoding safe in every context RFC 2047 §5 allows (phrase rules, the strictest). */
function qSafe(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x21 || b === 0x2a || b === 0x2b || b === 0x2d || b === 0x2f;
}

function qCost(b: number): number {
  return b === 0x20 || qSafe(b) ? 1 : 3;
}

function qEncode(bytes: Buffer): string {
  let s = '';
  for (const b of bytes) {
    if (b === 0x20) s += '_';
    else if (qSafe(b)) s += String.fromCharCode(b);
    else s += '=' + HEX[b >> 4] + HEX[b & 15];
  }
  return s;
}

/**
 * The encoded-words for `text`, joined by single spaces (fold points).
 * `firstRoom` bounds the length of the first word (what is left of the first
 * line after `Name: `), at least room for one character.
 */
export function encodeWords(text: string, firstRoom = MAX_WORD): string {
  const all = Buffer.from(text, 'utf8');
  let q = 0;
  for (const b of all) q += qCost(b);
  const useB = 4 * Math.ceil(all.length / 3) < q;
  const words: string[] = [];
  let cur: string[] = [];
  let curBytes = 0;
  let curQ = 0;
  const flush = () => {
    if (!cur.length) return;
    const bytes = Buffer.from(cur.join(''), 'utf8');
    words.push(useB ? PREFIX_B + bytes.toString('base64') + '?=' : PREFIX_Q + qEncode(bytes) + '?=');
    cur = [];
    curBytes = 0;
    curQ = 0;
  };
  for (const ch of text) {
    const b = Buffer.from(ch, 'utf8');
    let cq = 0;
    for (const x of b) cq += qCost(x);
    const room = words.length === 0 ? Math.max(Math.min(firstRoom, MAX_WORD) - PREFIX_B.length - 2, 12) : ROOM;
    const fits = useB ? 4 * Math.ceil((curBytes + b.length) / 3) <= room : curQ + cq <= room;
    if (!fits) flush();
    cur.push(ch);
    curBytes += b.length;
    curQ += cq;
  }
  flush();
  return words.join(' ');
}

function isAscii(s: string): boolean {
  return /^[\x00-\x7f]*$/.test(s);
}

export interface UnstructuredOptions {
  /** Keep non-ASCII as raw UTF-8 (RFC 6532) instead of encoded-words. */
  utf8?: boolean;
  /** Columns left on the first line (after `Name: `), for a value starting with encoded-words. */
  firstRoom?: number;
}

/** Whether a whitespace-free word must be encoded to survive a decoder unchanged. */
function needsEncoding(word: string, utf8: boolean): boolean {
  if (word.includes('=?')) return true;
  if (!utf8 && !isAscii(word)) return true;
  return Buffer.byteLength(word, 'utf8') > MAX_PLAIN_WORD;
}

/**
 * An unstructured value (Subject, Comments, X-*) ready to fold: words that need
 * it are encoded, everything else, white space included, is kept as it is.
 */
export function encodeUnstructured(value: string, opts: UnstructuredOptions = {}): string {
  const utf8 = opts.utf8 ?? false;
  // alternate [wsp, word, wsp, word, ...]
  const parts = value.split(/([ \t]+)/);
  const out: string[] = [];
  let i = 0;
  while (i < parts.length) {
    const word = parts[i];
    if (word === '' || !needsEncoding(word, utf8)) {
      out.push(word);
      if (i + 1 < parts.length) out.push(parts[i + 1]);
      i += 2;
      continue;
    }
    // extend the run over following words that also need encoding
    let j = i;
    while (j + 2 < parts.length && parts[j + 2] !== '' && needsEncoding(parts[j + 2], utf8)) j += 2;
    out.push(encodeWords(parts.slice(i, j + 1).join(''), i === 0 ? opts.firstRoom : undefined));
    if (j + 1 < parts.length) out.push(parts[j + 1]);
    i = j + 2;
  }
  return out.join('');
}
