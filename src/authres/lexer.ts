// A small tokenizer for RFC 8601 field values: words (runs of characters that
// are not specials, whitespace or controls), quoted strings, comments (kept,
// nested, with quoted-pairs), and the separators ; = . /
// Words may contain '.', '/', '@' (domains, local@domain, base64 prefixes);
// ':' is not a word character (RFC 2045 tspecial), which is why an unquoted
// IPv6 address is rejected as authres does.
//
// The value after `ptype.property=` is an RFC 8601 §2.2 pvalue: a value
// (token or quoted-string) or `[local-part "@"] domain-name`, where the
// local-part is an RFC 5322 dot-atom or quoted-string: its atext allows '=',
// '+', '?', '/' and the like, so `bounces+848413-e276-x=gmail.com@sgmail.github.com`
// (a bounce address, VERP/SRS style) is one value, and so is
// `"john doe"@example.com`. Without an '@' the value is a token as before.

export type Token =
  | { kind: 'word'; text: string; at: number }
  | { kind: 'quoted'; text: string; at: number }
  | { kind: 'comment'; text: string; at: number }
  | { kind: 'sep'; text: ';' | '='; at: number }
  | { kind: 'error'; text: string; at: number };

const WORD = /[^\s()<>,;:\\"[\]?=\x00-\x1f\x7f]/;
/** RFC 5322 atext, '.', '@' and non-ASCII (RFC 6532): what a local-part@domain pvalue is made of. */
const ADDRESS = /[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.@\u0080-\uffff]/;

/** Reads a quoted-string at S[I] (the opening quote); undefined when unterminated. */
function quoted(s: string, i: number): { text: string; end: number } | undefined {
  let text = '';
  i++;
  while (i < s.length && s[i] !== '"') {
    if (s[i] === '\\' && i + 1 < s.length) i++;
    if (s[i] !== '\r' && s[i] !== '\n') text += s[i];
    i++;
  }
  return i >= s.length ? undefined : { text, end: i + 1 };
}

/** The run of address characters at S[I] when it holds an '@' (local-part@domain), else undefined. */
function addressRun(s: string, i: number): string | undefined {
  let j = i;
  while (j < s.length && ADDRESS.test(s[j])) j++;
  const run = s.slice(i, j);
  const at = run.lastIndexOf('@');
  return at >= 0 && at < run.length - 1 ? run : undefined;
}

export function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  // Set after `ptype.property =`: the next token is a pvalue (comments may come first).
  let pvalue = false;
  while (i < s.length) {
    const c = s[i];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      i++;
      continue;
    }
    if (c === '(') {
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
      continue;
    }
    const wasPvalue = pvalue;
    pvalue = false;
    if (wasPvalue && c === '"') {
      // A quoted-string, or the quoted local-part of local-part@domain.
      const q = quoted(s, i);
      if (!q) return [...out, { kind: 'error', text: 'unterminated quoted string', at: i }];
      const domain = s[q.end] === '@' ? addressRun(s, q.end) : undefined;
      if (domain) {
        out.push({ kind: 'word', text: `"${q.text}"${domain}`, at: i });
        i = q.end + domain.length;
      } else {
        out.push({ kind: 'quoted', text: q.text, at: i });
        i = q.end;
      }
      continue;
    }
    if (wasPvalue) {
      const address = addressRun(s, i);
      if (address) {
        out.push({ kind: 'word', text: address, at: i });
        i += address.length;
        continue;
      }
    }
    if (c === ';' || c === '=') {
      const prev = out[out.length - 1];
      pvalue = c === '=' && prev?.kind === 'word' && prev.text.includes('.');
      out.push({ kind: 'sep', text: c, at: i });
      i++;
    } else if (c === '"') {
      const q = quoted(s, i);
      if (!q) return [...out, { kind: 'error', text: 'unterminated quoted string', at: i }];
      out.push({ kind: 'quoted', text: q.text, at: i });
      i = q.end;
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
