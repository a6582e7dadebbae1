// SPF macros (RFC 7208 §7): parsing of macro-strings, domain-specs and
// explanation strings, and their expansion. Parsing is separate from expansion
// so that a record's syntax errors are found before any term is evaluated
// (RFC 7208 §4.6), and so the evaluator knows beforehand whether `%{p}` (which
// costs DNS lookups) is needed.

import { err, ok, type Result } from '../result.ts';

export type MacroLetter = 's' | 'l' | 'o' | 'd' | 'i' | 'p' | 'h' | 'c' | 'r' | 't' | 'v';

export type MacroToken =
  | { kind: 'literal'; text: string }
  /** %% %_ %- : they count as macro-expand for the domain-end rule. */
  | { kind: 'escape'; text: string }
  | { kind: 'macro'; letter: MacroLetter; upper: boolean; digits?: number; reverse: boolean; delimiters: string; raw: string };

/** `syntax`: not a macro-string (RFC 7208 §7.1); the message says where. */
export type MacroParse = Result<MacroToken[], 'syntax'>;

const LETTERS = 'slodiphcrtv';
const DOMAIN_LETTERS = 'slodiphv';
const DELIMITERS = '.-+,/_=';

export interface MacroSyntax {
  /** Letters allowed (default: all of RFC 7208's macro-letter). */
  letters?: string;
  /** Explanation text: SP is a literal too (RFC 7208 §6.2, explain-string). */
  spaces?: boolean;
}

/** Parses a macro-string (RFC 7208 §7.1); literals are visible ASCII except '%'. */
export function parseMacroString(text: string, syntax: MacroSyntax = {}): MacroParse {
  const letters = syntax.letters ?? LETTERS;
  const tokens: MacroToken[] = [];
  let lit = '';
  const flush = () => {
    if (lit) tokens.push({ kind: 'literal', text: lit });
    lit = '';
  };
  for (let i = 0; i < text.length; ) {
    const ch = text[i];
    const code = ch.charCodeAt(0);
    if (ch !== '%') {
      if ((code >= 0x21 && code <= 0x7e) || (syntax.spaces && code === 0x20)) {
        lit += ch;
        i++;
        continue;
      }
      return err('syntax', `invalid character ${describeChar(ch)} at offset ${i}`);
    }
    const next = text[i + 1];
    if (next === '%' || next === '_' || next === '-') {
      flush();
      tokens.push({ kind: 'escape', text: next === '%' ? '%' : next === '_' ? ' ' : '%20' });
      i += 2;
      continue;
    }
    if (next !== '{') return err('syntax', `'%' not followed by '{', '%', '_' or '-' at offset ${i}`);
    const close = text.indexOf('}', i + 2);
    if (close < 0) return err('syntax', `unterminated macro at offset ${i}`);
    const body = text.slice(i + 2, close);
    const m = /^([A-Za-z])([0-9]*)(r?)([.\-+,/_=]*)$/i.exec(body);
    if (!m) return err('syntax', `invalid macro %{${body}}`);
    const letter = m[1].toLowerCase();
    if (!LETTERS.includes(letter)) return err('syntax', `unknown macro letter in %{${body}}`);
    if (!letters.includes(letter)) return err('syntax', `macro %{${body}} allowed only in explanation text`);
    let digits: number | undefined;
    if (m[2] !== '') {
      digits = Number(m[2]);
      if (digits === 0 || m[2].length > 3) return err('syntax', `invalid transformer in %{${body}}`);
    }
    flush();
    tokens.push({
      kind: 'macro',
      letter: letter as MacroLetter,
      upper: m[1] !== letter,
      digits,
      reverse: m[3] !== '',
      delimiters: m[4],
      raw: `%{${body}}`,
    });
    i = close + 1;
  }
  flush();
  return ok(tokens);
}

const TOPLABEL = /\.([A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*|[A-Za-z0-9]+-[A-Za-z0-9-]*[A-Za-z0-9])$/;

/**
 * A domain-spec (RFC 7208 §7.1): a macro-string without the exp-only letters
 * c, r, t, ending in a macro-expand or in "." toplabel [ "." ].
 */
export function parseDomainSpec(text: string): MacroParse {
  if (text === '') return err('syntax', 'empty domain-spec');
  const p = parseMacroString(text, { letters: DOMAIN_LETTERS });
  if (!p.ok) return p;
  const last = p.value[p.value.length - 1];
  if (last.kind === 'literal') {
    const t = last.text.endsWith('.') ? last.text.slice(0, -1) : last.text;
    if (!TOPLABEL.test(t)) return err('syntax', `'${text}' does not end in a valid top-level label or a macro`);
  }
  return p;
}

/** An explanation string (the TXT record named by exp=): macro-string and spaces, all letters. */
export function parseExplanation(text: string): MacroParse {
  return parseMacroString(text, { spaces: true });
}

export function usesMacro(tokens: readonly MacroToken[], letter: MacroLetter): boolean {
  return tokens.some((t) => t.kind === 'macro' && t.letter === letter);
}

/** The values the macro letters expand to (RFC 7208 §7.3). */
export interface MacroValues {
  s: string; // <sender>
  l: string; // local-part of <sender>
  o: string; // domain of <sender>
  d: string; // <domain>
  i: string; // <ip>, dotted (nibbles for IPv6)
  p: string; // validated domain name of <ip>, or "unknown"
  v: string; // "in-addr" or "ip6"
  h: string; // HELO/EHLO domain
  c: string; // readable <ip>
  r: string; // receiving host
  t: string; // current timestamp
}

/** Expands parsed tokens. Upper-case letters are URL-escaped after transformation (§7.3). */
export function expandMacros(tokens: readonly MacroToken[], values: MacroValues): string {
  let out = '';
  for (const t of tokens) {
    if (t.kind !== 'macro') {
      out += t.text;
      continue;
    }
    let v = transform(values[t.letter], t);
    if (t.upper) v = urlEscape(v);
    out += v;
  }
  return out;
}

function transform(value: string, t: Extract<MacroToken, { kind: 'macro' }>): string {
  if (!t.reverse && t.digits === undefined && (t.delimiters === '' || t.delimiters === '.')) return value;
  const delims = t.delimiters || '.';
  const parts: string[] = [];
  let cur = '';
  for (const ch of value) {
    if (delims.includes(ch)) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  if (t.reverse) parts.reverse();
  const kept = t.digits !== undefined && t.digits < parts.length ? parts.slice(parts.length - t.digits) : parts;
  return kept.join('.');
}

/** Escapes every byte outside RFC 3986 unreserved (ALPHA DIGIT - . _ ~). */
export function urlEscape(value: string): string {
  let out = '';
  for (const b of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function describeChar(ch: string): string {
  const c = ch.charCodeAt(0);
  return c >= 0x21 && c <= 0x7e ? `'${ch}'` : `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
}

export const MACRO_DELIMITERS = DELIMITERS;
