// Content-Type / Content-Disposition parameters (RFC 2045 §5.1, RFC 2231):
// a token when it can be, a quoted-string for short printable ASCII, and the
// RFC 2231 extended form (`name*0*=utf-8''%D0%92...`) split into continuations
// for non-ASCII, control characters or long values. With utf8 (RFC 6532) a
// non-ASCII value is written raw in a quoted-string when short enough.

const TSPECIALS = '()<>@,;:\\"/[]?=';
/** Longest value written as a single quoted-string. */
const MAX_SIMPLE = 60;
/** Encoded characters per RFC 2231 continuation section. */
const SECTION = 48;

function isToken(s: string): boolean {
  if (!s.length) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || TSPECIALS.includes(s[i])) return false;
  }
  return true;
}

/** attribute-char of RFC 2231: token characters except `*`, `'` and `%`. */
function isAttrChar(b: number): boolean {
  return b > 0x20 && b < 0x7f && !TSPECIALS.includes(String.fromCharCode(b)) && b !== 0x2a && b !== 0x27 && b !== 0x25;
}

const HEX = '0123456789ABCDEF';

function pctEncode(bytes: Buffer): string {
  let s = '';
  for (const b of bytes) s += isAttrChar(b) ? String.fromCharCode(b) : '%' + HEX[b >> 4] + HEX[b & 15];
  return s;
}

export interface ParamEncodeOptions {
  utf8?: boolean;
}

export function isValidParamName(name: string): boolean {
  return isToken(name) && !name.includes('*') && !name.includes("'") && !name.includes('%');
}

/** One parameter as one or more `name=value` segments (join them with `; `). */
export function encodeParameter(name: string, value: string, opts: ParamEncodeOptions = {}): string[] {
  if (isToken(value) && value.length <= MAX_SIMPLE + 10) return [`${name}=${value}`];
  const printable = /^[\x20-\x7e]*$/.test(value);
  const rawOk = opts.utf8 && !/[\x00-\x1f\x7f]/.test(value);
  if ((printable || rawOk) && Buffer.byteLength(value, 'utf8') <= MAX_SIMPLE) {
    return [`${name}="${value.replace(/(["\\])/g, '\\$1')}"`];
  }
  // RFC 2231: sections split on character boundaries
  const sections: string[] = [];
  let cur = '';
  for (const ch of value) {
    const enc = pctEncode(Buffer.from(ch, 'utf8'));
    if (cur.length + enc.length > SECTION && cur.length) {
      sections.push(cur);
      cur = '';
    }
    cur += enc;
  }
  sections.push(cur);
  if (sections.length === 1) return [`${name}*=utf-8''${sections[0]}`];
  return sections.map((s, i) => (i === 0 ? `${name}*0*=utf-8''${s}` : `${name}*${i}*=${s}`));
}

/** `type/subtype; a=b; c="d e"` (fold with foldField: every `; ` is a fold point). */
export function encodeContentValue(main: string, params: [string, string][], opts: ParamEncodeOptions = {}): string {
  const segs = [main];
  for (const [k, v] of params) segs.push(...encodeParameter(k, v, opts));
  return segs.join('; ');
}
