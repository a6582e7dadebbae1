// Message-ID, In-Reply-To, References (RFC 5322 §3.6.4): `<id-left@id-right>`
// with the obsolete CFWS inside the brackets removed (§4.5.4), so
// `<1234 @ local(blah) .machine>` is `1234@local.machine`. Lenient: phrases
// between ids (obs-in-reply-to) are skipped, and a value with no brackets at all
// is read as whitespace-separated ids. Never throws.

import { lex, readComment } from './lexer.ts';

/** The content of one `<...>` with CFWS removed (quoted strings and literals kept). */
function normalizeId(inner: string): string {
  if (!/[\s("]/.test(inner)) return inner;
  return lex(inner)
    .tokens.map((t) => (t.kind === 'quoted' ? `"${t.value.replace(/(["\\])/g, '\\$1')}"` : t.value))
    .join('');
}

/** Every message id of the value, without the angle brackets, in order. */
export function parseMessageIds(value: string): string[] {
  const ids: string[] = [];
  let sawBracket = false;
  let i = 0;
  const n = value.length;
  while (i < n) {
    const ch = value[i];
    if (ch === '(') {
      i = readComment(value, i).end;
      continue;
    }
    if (ch === '"') {
      // a quoted word of an obs-phrase: skip it whole
      let j = i + 1;
      while (j < n && value[j] !== '"') j += value[j] === '\\' ? 2 : 1;
      i = j + 1;
      continue;
    }
    if (ch === '<') {
      sawBracket = true;
      const close = value.indexOf('>', i + 1);
      const end = close === -1 ? n : close;
      const id = normalizeId(value.slice(i + 1, end).trim());
      if (id) ids.push(id);
      i = end + 1;
      continue;
    }
    i++;
  }
  if (!sawBracket) {
    // No brackets: malformed, but the words are still the ids people meant.
    const bare = value.replace(/\([^()]*\)/g, ' ').trim();
    return bare ? bare.split(/\s+/) : [];
  }
  return ids;
}

/** The single id of a Message-ID field, or undefined. */
export function parseMessageId(value: string): string | undefined {
  return parseMessageIds(value)[0];
}
