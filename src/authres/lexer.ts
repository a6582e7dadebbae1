// A small tokenizer for RFC 8601 field values: words (runs of characters that
// are not specials, whitespace or controls), quoted strings, comments (kept,
// nested, with quoted-pairs), and the separators ; = . /
// Words may contain '.', '/', '@' (domains, local@domain, base64 prefixes);
// ':' is not a word character (RFC 2045 tspecial), which is why an unquoted
// IPv6 address is rejected as authres does.

export type Token =
  | { kind: 'word'; text: string; at: number }
  | { kind: 'quoted'; text: string; at: number }
  | { kind: 'comment'; text: string; at: number }
  | { kind: 'sep'; text: ';' | '='; at: number }
  | { kind: 'error'; text: string; at: number };

const WORD = /[^\s()<>,;:\\"[\]?=\x00-\x1f\x7f]/;

export function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      i++;
    } else if (c === ';' || c === '=') {
      out.push({ kind: 'sep', text: c, at: i });
      i++;
    } else if (c === '"') {
      const at = i;
      let text = '';
      i++;
      while (i < s.length && s[i] !== '"') {
        if (s[i] === '\\' && i + 1 < s.length) i++;
        if (s[i] !== '\r' && s[i] !== '\n') text += s[i];
        i++;
      }
      if (i >= s.length) return [...out, { kind: 'error', text: 'unterminated quoted string', at }];
      i++;
      out.push({ kind: 'quoted', text, at });
    } else if (c === '(') {
      const at = i;
      let depth = 0;
      let text = '';
      for (; i < s.length; i++) {
        const d = s[i];
        if (d === '\\' && i + 1 < s.length) {
          text += s[++i];
          continue;
        }
        if (d === '(') {
          if (depth++ > 0) text += d;
        } else if (d === ')') {
          if (--depth === 0) break;
          text += d;
        } else if (d !== '\r' && d !== '\n') text += d;
      }
      if (depth !== 0) return [...out, { kind: 'error', text: 'unterminated comment', at }];
      i++;
      out.push({ kind: 'comment', text: text.replace(/[ \t]+/g, ' ').trim(), at });
    } else if (WORD.test(c)) {
      const at = i;
      while (i < s.length && WORD.test(s[i])) i++;
      out.push({ kind: 'word', text: s.slice(at, i), at });
    } else {
      return [...out, { kind: 'error', text: `unexpected '${c}'`, at: i }];
    }
  }
  return out;
}
