// Tokens of the clause part of a Received field (before the date): words,
// comments (nested parentheses kept whole), [address literals], <angle
// addresses> and "quoted strings". Real fields break RFC 5321 in every way
// (`name(1.2.3.4)`, `host[1.2.3.4]`, unbalanced parentheses), so the
// tokenizer never fails: an unclosed bracket runs to the end.

export type Token =
  | { kind: 'word'; text: string }
  | { kind: 'comment'; text: string }
  | { kind: 'literal'; text: string }
  | { kind: 'angle'; text: string }
  | { kind: 'quoted'; text: string };

const SPACE = /[ \t\r\n]/;

export function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (SPACE.test(c)) {
      i++;
    } else if (c === '(') {
      let depth = 0;
      let j = i;
      for (; j < s.length; j++) {
        if (s[j] === '\\') j++;
        else if (s[j] === '(') depth++;
        else if (s[j] === ')' && --depth === 0) break;
      }
      out.push({ kind: 'comment', text: s.slice(i + 1, Math.min(j, s.length)).trim() });
      i = j + 1;
    } else if (c === '[') {
      const j = s.indexOf(']', i + 1);
      const end = j === -1 ? s.length : j;
      // `[[UNIX: localhost]]`: take the outer brackets whole.
      const close = s[i + 1] === '[' && s[end + 1] === ']' ? end + 1 : end;
      out.push({ kind: 'literal', text: s.slice(i + 1, close === end + 1 ? end + 1 : end) });
      i = close + 1;
    } else if (c === '<') {
      const j = s.indexOf('>', i + 1);
      const end = j === -1 ? s.length : j;
      out.push({ kind: 'angle', text: s.slice(i + 1, end) });
      i = end + 1;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < s.length && s[j] !== '"'; j++) if (s[j] === '\\') j++;
      out.push({ kind: 'quoted', text: s.slice(i + 1, Math.min(j, s.length)) });
      i = j + 1;
    } else {
      let j = i;
      while (j < s.length && !SPACE.test(s[j]) && s[j] !== '(' && !(j > i && (s[j] === '[' || s[j] === '<'))) j++;
      if (j === i) j++; // a lone special character
      out.push({ kind: 'word', text: s.slice(i, j) });
      i = j;
    }
  }
  return out;
}
