// Just enough of a Content-Type parser for the crafting commands: the media
// type and one parameter (the boundary), quoted-strings and comments handled.
// The full parser (RFC 2231 and all) is src/mime/content-type.ts.

export interface MediaTypeLite {
  type: string;
  subtype: string;
  params: Map<string, string>;
}

function stripComments(v: string): string {
  let out = '';
  let depth = 0;
  let inQuote = false;
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (inQuote) {
      out += c;
      if (c === '\\' && i + 1 < v.length) out += v[++i];
      else if (c === '"') inQuote = false;
    } else if (c === '"' && depth === 0) {
      inQuote = true;
      out += c;
    } else if (c === '(') depth++;
    else if (c === ')' && depth > 0) depth--;
    else if (c === '\\' && depth > 0) i++;
    else if (depth === 0) out += c;
  }
  return out;
}

export function parseMediaTypeLite(value: string): MediaTypeLite | undefined {
  const v = stripComments(value);
  const m = /^\s*([!#$%&'*+\-.^_`|~0-9A-Za-z]+)\s*\/\s*([!#$%&'*+\-.^_`|~0-9A-Za-z]+)\s*/.exec(v);
  if (!m) return undefined;
  const params = new Map<string, string>();
  const re = /;\s*([!#$%&'*+\-.^_`|~0-9A-Za-z]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]*))\s*/gy;
  re.lastIndex = m[0].length;
  let p: RegExpExecArray | null;
  while ((p = re.exec(v))) {
    const name = p[1].toLowerCase();
    if (!params.has(name)) params.set(name, p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3]);
  }
  return { type: m[1].toLowerCase(), subtype: m[2].toLowerCase(), params };
}
