// Header canonicalisation (RFC 6376 §3.4.1, §3.4.2) on the raw bytes of a field.
// Raw bytes are handled as latin1 strings so 8-bit octets pass through unchanged.

export type Canon = 'simple' | 'relaxed';

/** simple: the field exactly as it arrived (its raw bytes, final CRLF included). */
export function canonicalizeHeaderSimple(raw: Buffer): Buffer {
  return raw;
}

/**
 * relaxed: name lower-cased, unfolded, WSP runs to one SP, WSP removed at the
 * value's ends and around the colon, ending in CRLF.
 */
export function canonicalizeHeaderRelaxed(raw: Buffer | string): Buffer {
  const s = typeof raw === 'string' ? raw : raw.toString('latin1');
  const colon = s.indexOf(':');
  const name = (colon < 0 ? s : s.slice(0, colon)).replace(/[ \t]+$/, '').toLowerCase();
  let value = colon < 0 ? '' : s.slice(colon + 1);
  value = value
    .replace(/\r\n$/, '')
    .replace(/\r?\n/g, '')
    .replace(/[ \t]+/g, ' ')
    .replace(/^ /, '')
    .replace(/ $/, '');
  return Buffer.from(`${name}:${value}\r\n`, 'latin1');
}

export function canonicalizeHeader(raw: Buffer, canon: Canon): Buffer {
  return canon === 'simple' ? canonicalizeHeaderSimple(raw) : canonicalizeHeaderRelaxed(raw);
}

/** The canonical form of a signature field for hashing: without its final CRLF (RFC 6376 §3.7). */
export function canonicalizeSignatureField(rawWithoutB: Buffer, canon: Canon): Buffer {
  const c = canonicalizeHeader(rawWithoutB, canon);
  return c.length >= 2 && c[c.length - 2] === 0x0d && c[c.length - 1] === 0x0a ? c.subarray(0, c.length - 2) : c;
}

/** Parses `c=` into header and body canonicalisations (default simple/simple; `c=relaxed` = relaxed/simple). */
export function parseCanonTag(value: string | undefined): { header: Canon; body: Canon } | undefined {
  if (value === undefined) return { header: 'simple', body: 'simple' };
  const [h, b, extra] = value.toLowerCase().split('/');
  if (extra !== undefined) return undefined;
  const ok = (x: string) => x === 'simple' || x === 'relaxed';
  if (!ok(h) || (b !== undefined && !ok(b))) return undefined;
  return { header: h as Canon, body: (b ?? 'simple') as Canon };
}
