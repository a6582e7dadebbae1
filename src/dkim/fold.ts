// Writing a DKIM-Signature (or ARC) field folded at 78 columns: tags joined by
// "; ", a line break (CRLF + one SP) between tags when the next does not fit,
// and inside h= (before a ':') and base64 values (anywhere) when one tag is
// longer than a line. Folding whitespace is allowed at all of those places
// (RFC 6376 §3.5 grammar), so the folded field means the same as the unfolded.

const WIDTH = 78;

export interface FoldState {
  text: string;
  column: number;
}

function put(st: FoldState, token: string, breakable: boolean): void {
  if (breakable && st.column + token.length > WIDTH && st.column > 1) {
    // A token that starts with its own SP uses it as the folding whitespace.
    st.text += token.startsWith(' ') ? '\r\n' : '\r\n ';
    st.column = token.startsWith(' ') ? 0 : 1;
  }
  st.text += token;
  st.column += token.length;
}

/** Appends a base64 value, breaking it wherever the line is full. */
export function foldBase64(st: FoldState, value: string): void {
  let i = 0;
  while (i < value.length) {
    const room = WIDTH - st.column;
    if (room <= 0) {
      st.text += '\r\n ';
      st.column = 1;
      continue;
    }
    const part = value.slice(i, i + room);
    st.text += part;
    st.column += part.length;
    i += part.length;
  }
}

/**
 * Folds `Name: t1=v1; t2=v2; ...; last=` where the last tag's value is left
 * empty for the caller (the b= value, appended after signing with foldBase64).
 */
export function foldTags(fieldName: string, tags: Array<[string, string]>, base64Tags: ReadonlySet<string> = new Set(['bh', 'b'])): FoldState {
  const st: FoldState = { text: `${fieldName}:`, column: fieldName.length + 1 };
  tags.forEach(([name, value], i) => {
    const last = i === tags.length - 1;
    const sep = last ? '' : ';';
    const whole = ` ${name}=${value}${sep}`;
    if (whole.length <= WIDTH) {
      put(st, whole, true);
      return;
    }
    // Too long for one line: break inside the value.
    put(st, ` ${name}=`, true);
    if (base64Tags.has(name)) foldBase64(st, value);
    else if (name === 'h' || name === 'z') value.split(name === 'h' ? ':' : '|').forEach((part, j) => put(st, (j ? (name === 'h' ? ':' : '|') : '') + part, true));
    else put(st, value, false);
    put(st, sep, false);
  });
  return st;
}
