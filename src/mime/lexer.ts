// RFC 5322 §3.2 lexical tokens for structured field values: atoms, quoted
// strings, domain literals, comments (nested, kept as text) and specials, with
// CFWS skipped but remembered (`space` says whether whitespace or a comment
// came before a token). UTF-8 text is atext (RFC 6532). Lenient: unterminated
// quoted strings, comments and literals run to the end of the value. Linear
// time, no recursion, so a hostile value cannot blow the stack.

export type TokenKind = 'atom' | 'quoted' | 'literal' | 'special';

export interface Token {
  kind: TokenKind;
  /** atom text; quoted-string content with quoted-pairs resolved; `[...]` literal as written (folds removed); the special char. */
  value: string;
  /** True when whitespace or a comment separated this token from the previous one. */
  space: boolean;
  /** Comments that came right before this token (their content, outer parentheses removed). */
  comments: string[];
  /** Offset of the token in the value. */
  offset: number;
}

export interface Lexed {
  tokens: Token[];
  /** Comments after the last token. */
  trailingComments: string[];
  /** Problems seen (unterminated quote, comment or literal). */
  errors: string[];
}

const SPECIALS = '()<>[]:;@\\,."';

function isWsp(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

function isAtext(ch: string): boolean {
  const c = ch.charCodeAt(0);
  if (c <= 0x20 || c === 0x7f) return false;
  return !SPECIALS.includes(ch);
}

/** Reads a comment starting at `(`; returns its content and the index after it. */
export function readComment(s: string, start: number): { text: string; end: number; closed: boolean } {
  let depth = 0;
  let text = '';
  let i = start;
  for (; i < s.length; i++) {
    const ch = s[i];
    if (ch === '\\' && i + 1 < s.length) {
      text += s[++i];
      continue;
    }
    if (ch === '(') {
      depth++;
      if (depth > 1) text += ch;
      continue;
    }
    if (ch === ')') {
      depth--;
      if (depth === 0) return { text: collapse(text), end: i + 1, closed: true };
      text += ch;
      continue;
    }
    text += ch;
  }
  return { text: collapse(text), end: i, closed: false };
}

/** Folds and runs of whitespace inside comments and quoted strings: CRLF removed (unfolding). */
function collapse(text: string): string {
  return text.replace(/\r?\n(?=[ \t])/g, '').replace(/\r?\n/g, '');
}

export function lex(value: string): Lexed {
  const tokens: Token[] = [];
  const errors: string[] = [];
  let space = false;
  let comments: string[] = [];
  let i = 0;
  const n = value.length;
  while (i < n) {
    const c = value.charCodeAt(i);
    if (isWsp(c)) {
      space = true;
      i++;
      continue;
    }
    const ch = value[i];
    if (ch === '(') {
      const r = readComment(value, i);
      if (!r.closed) errors.push(`unterminated comment at offset ${i}`);
      comments.push(r.text);
      space = true;
      i = r.end;
      continue;
    }
    if (ch === ')') {
      // A stray ')' (a comment broken by a fold): read as the whitespace it stands for.
      space = true;
      i++;
      continue;
    }
    const offset = i;
    let kind: TokenKind;
    let text = '';
    if (ch === '"') {
      kind = 'quoted';
      i++;
      let closed = false;
      while (i < n) {
        const q = value[i];
        if (q === '\\' && i + 1 < n) {
          text += value[i + 1];
          i += 2;
          continue;
        }
        if (q === '"') {
          closed = true;
          i++;
          break;
        }
        text += q;
        i++;
      }
      if (!closed) errors.push(`unterminated quoted string at offset ${offset}`);
      text = collapse(text);
    } else if (ch === '[') {
      kind = 'literal';
      const close = value.indexOf(']', i + 1);
      const end = close === -1 ? n : close + 1;
      if (close === -1) errors.push(`unterminated domain literal at offset ${offset}`);
      text = value.slice(i, end).replace(/[ \t\r\n]+/g, '');
      if (close === -1) text += ']';
      i = end;
    } else if (isAtext(ch)) {
      kind = 'atom';
      let j = i + 1;
      while (j < n && isAtext(value[j])) j++;
      text = value.slice(i, j);
      i = j;
    } else {
      kind = 'special';
      text = ch;
      i++;
    }
    tokens.push({ kind, value: text, space, comments, offset });
    space = false;
    comments = [];
  }
  return { tokens, trailingComments: comments, errors };
}
