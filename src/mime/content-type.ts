// Content-Type and Content-Disposition values (RFC 2045 §5.1, RFC 2183):
// `type/subtype *(; attribute=value)`, with CFWS and comments anywhere,
// quoted-string or token values, RFC 2231 parameter continuations
// (`name*0*=utf-8''...`, `name*1=...`) joined and charset-decoded, and the
// RFC 2047 encoded-words that real mailers put in quoted filenames. Lenient
// the way mailers are (a missing subtype, stray `;`, unterminated quotes),
// linear time, never throws.
import { decodeCharset } from './charset.ts';
import { decodeEncodedWords, hasEncodedWord } from './encoded-word.ts';
import { readComment } from './lexer.ts';

export interface ParsedContentValue {
  /** Lower-case type (`text`; for Content-Disposition `attachment`). */
  type: string;
  /** Lower-case subtype, undefined when absent (always absent for a disposition). */
  subtype?: string;
  /** Parameters in order of first appearance: lower-case names, decoded values. */
  params: Array<[string, string]>;
  /** RFC 2231 languages of the parameters that named one (`title*=us-ascii'en'...`). */
  languages: Record<string, string>;
}

export interface ContentType {
  type: string;
  subtype: string;
  /** Lower-case names; RFC 2231 continuations joined and decoded; first occurrence wins. */
  params: Record<string, string>;
  /** False when the value was absent or unreadable and the RFC 2045 §5.2 default was taken. */
  explicit: boolean;
}

export interface ContentDisposition {
  type: string;
  params: Record<string, string>;
}

/** The bound on the number of parameters kept (a hostile value cannot make a huge object). */
const MAX_PARAMS = 64;

function isWsp(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

/** Index after whitespace and comments. */
function skipCfws(s: string, i: number): number {
  for (;;) {
    while (i < s.length && isWsp(s[i])) i++;
    if (s[i] !== '(') return i;
    i = readComment(s, i).end;
  }
}

/** A token: up to whitespace, a comment, `;` or one of `stops`. */
function readToken(s: string, i: number, stops: string): { text: string; end: number } {
  let j = i;
  while (j < s.length && !isWsp(s[j]) && s[j] !== ';' && s[j] !== '(' && !stops.includes(s[j])) j++;
  return { text: s.slice(i, j), end: j };
}

/** A quoted string starting at `"`: content with quoted-pairs resolved and folds removed; runs to the end when unterminated. */
function readQuoted(s: string, i: number): { text: string; end: number } {
  let text = '';
  let j = i + 1;
  while (j < s.length) {
    const c = s[j];
    if (c === '\\' && j + 1 < s.length) {
      text += s[j + 1];
      j += 2;
      continue;
    }
    if (c === '"') return { text, end: j + 1 };
    if (c !== '\r' && c !== '\n') text += c;
    j++;
  }
  return { text, end: j };
}

interface RawParam {
  name: string;
  value: string;
  quoted: boolean;
}

/**
 * The syntax of a Content-Type or Content-Disposition value, or undefined
 * when it has no type at all (`/plain`, empty). Parameters are decoded.
 */
export function parseContentValue(value: string): ParsedContentValue | undefined {
  const s = value;
  let i = skipCfws(s, 0);
  const t = readToken(s, i, '/');
  if (t.text === '') return undefined;
  const type = t.text.toLowerCase();
  let subtype: string | undefined;
  i = skipCfws(s, t.end);
  if (s[i] === '/') {
    i = skipCfws(s, i + 1);
    const st = readToken(s, i, '');
    if (st.text !== '') subtype = st.text.toLowerCase();
    i = skipCfws(s, st.end);
  }
  const raw: RawParam[] = [];
  while (i < s.length && raw.length < MAX_PARAMS * 4) {
    // Parameters are separated by `;`; a missing one (a fold in its place) is forgiven.
    if (s[i] === ';') i = skipCfws(s, i + 1);
    if (i >= s.length) break;
    const start = i;
    const name = readToken(s, i, '=');
    i = skipCfws(s, name.end);
    if (s[i] !== '=') {
      if (i === start) i++; // junk: step over it
      continue;
    }
    i = skipCfws(s, i + 1);
    let v: { text: string; end: number };
    let quoted = false;
    if (s[i] === '"') {
      v = readQuoted(s, i);
      quoted = true;
    } else {
      v = readToken(s, i, '');
      // Encoded-words written unquoted, separated by folding space: one value.
      const words = [v.text];
      while (words[words.length - 1].endsWith('?=')) {
        const next = skipCfws(s, v.end);
        if (!s.startsWith('=?', next)) break;
        v = readToken(s, next, '');
        words.push(v.text);
      }
      if (words.length > 1) v = { text: words.join(''), end: v.end };
    }
    i = skipCfws(s, v.end);
    if (name.text !== '' && (quoted || v.text !== '')) raw.push({ name: name.text.toLowerCase(), value: v.text, quoted });
  }
  const joined = joinParams(raw);
  return { type, subtype, params: joined.params, languages: joined.languages };
}

/** RFC 2231 §3-4: `name*N[*]` sections joined in order, `name*` / `name*0*` carry `charset'lang'`. */
function joinParams(raw: RawParam[]): { params: Array<[string, string]>; languages: Record<string, string> } {
  interface Section {
    n: number;
    value: string;
    encoded: boolean;
  }
  interface Sections {
    plain?: string;
    parts: Section[];
  }
  const byName = new Map<string, Sections>();
  const order: string[] = [];
  const placed = new Set<string>();
  for (const p of raw) {
    // name, name*, name*N, name*N*; anything else with a `*` has no meaning and is dropped.
    const m = /^([^*]+)(?:\*(\d{1,9})?(\*)?)?$/.exec(p.name);
    if (!m) continue;
    const base = m[1];
    const extended = p.name.includes('*');
    if (extended && m[2] === undefined && m[3] !== undefined) continue; // `name**`
    let sec = byName.get(base);
    if (!sec) {
      if (byName.size >= MAX_PARAMS) continue;
      sec = { parts: [] };
      byName.set(base, sec);
      order.push(base);
    }
    // A continued parameter takes the place of its section 0 (or of its plain form).
    if ((!extended || m[2] === undefined || Number(m[2]) === 0) && !placed.has(base)) {
      placed.add(base);
      order.splice(order.indexOf(base), 1);
      order.push(base);
    }
    if (!extended) {
      if (sec.plain === undefined) sec.plain = p.value;
    } else if (sec.parts.length < MAX_PARAMS) {
      // `name*` is section 0, encoded; `name*N*` encoded; `name*N` plain.
      const n = m[2] === undefined ? 0 : Number(m[2]);
      const encoded = m[2] === undefined || m[3] !== undefined;
      if (!sec.parts.some((x) => x.n === n)) sec.parts.push({ n, value: p.value, encoded });
    }
  }
  const params: Array<[string, string]> = [];
  const languages: Record<string, string> = Object.create(null);
  for (const name of order) {
    const sec = byName.get(name)!;
    let value: string | undefined;
    if (sec.parts.length) {
      sec.parts.sort((a, b) => a.n - b.n);
      const joined = decodeSections(sec.parts);
      value = joined.value;
      if (joined.language) languages[name] = joined.language;
    } else if (sec.plain !== undefined) value = decodeWordsIn(sec.plain);
    if (value !== undefined) params.push([name, value]);
  }
  return { params, languages };
}

/** Sections in order: the first encoded one may start `charset'lang'`; encoded ones are percent-decoded, all in that charset. */
function decodeSections(parts: Array<{ value: string; encoded: boolean }>): { value: string; language?: string } {
  let charset: string | undefined;
  let language: string | undefined;
  const bytes: number[] = [];
  parts.forEach((p, k) => {
    let t = p.value;
    if (k === 0 && p.encoded) {
      const q1 = t.indexOf("'");
      const q2 = q1 === -1 ? -1 : t.indexOf("'", q1 + 1);
      if (q2 !== -1) {
        charset = t.slice(0, q1) || undefined;
        language = t.slice(q1 + 1, q2) || undefined;
        t = t.slice(q2 + 1);
      }
    }
    for (let i = 0; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (p.encoded && c === 0x25 && i + 2 < t.length && isHex(t.charCodeAt(i + 1)) && isHex(t.charCodeAt(i + 2))) {
        bytes.push(parseInt(t.slice(i + 1, i + 3), 16));
        i += 2;
      } else if (c < 0x80) bytes.push(c);
      else {
        const cp = t.codePointAt(i)!;
        for (const b of Buffer.from(String.fromCodePoint(cp), 'utf8')) bytes.push(b);
        if (cp > 0xffff) i++;
      }
    }
  });
  const value = decodeCharset(Uint8Array.from(bytes), charset ?? 'utf-8');
  return language ? { value, language } : { value };
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

function decodeWordsIn(v: string): string {
  return hasEncodedWord(v) ? decodeEncodedWords(v) : v;
}

function toRecord(params: Array<[string, string]>): Record<string, string> {
  const r: Record<string, string> = Object.create(null);
  for (const [k, v] of params) if (!(k in r)) r[k] = v;
  return r;
}

/** The RFC 2045 §5.2 default: `text/plain; charset=us-ascii` (or `message/rfc822` in a digest). */
export function defaultContentType(inDigest = false): ContentType {
  return inDigest
    ? { type: 'message', subtype: 'rfc822', params: Object.create(null), explicit: false }
    : { type: 'text', subtype: 'plain', params: Object.assign(Object.create(null), { charset: 'us-ascii' }), explicit: false };
}

/**
 * The Content-Type to act on. Absent (undefined) or unreadable values (no
 * type, no subtype) give the RFC 2045 §5.2 default.
 */
export function parseContentType(value: string | undefined, opts: { inDigest?: boolean } = {}): ContentType {
  if (value === undefined) return defaultContentType(opts.inDigest);
  const p = parseContentValue(value);
  if (!p || p.subtype === undefined || !/^[!#$%&'*+\-.^_`|~0-9a-z]+$/.test(p.type)) return defaultContentType(opts.inDigest);
  return { type: p.type, subtype: p.subtype, params: toRecord(p.params), explicit: true };
}

/** Content-Disposition (RFC 2183): its type (`inline`, `attachment`, ...) and parameters. */
export function parseContentDisposition(value: string | undefined): ContentDisposition | undefined {
  if (value === undefined) return undefined;
  const p = parseContentValue(value);
  if (!p) return undefined;
  return { type: p.type, params: toRecord(p.params) };
}
