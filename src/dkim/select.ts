// Which header field instances a signature covers (RFC 6376 §5.4.2): each name
// in h= takes the last not-yet-used instance of that name, counting from the
// bottom of the header; a name with no instance left contributes nothing (that
// is how a signer "over-signs" to forbid added fields).

export interface HeaderField {
  /** The name as written. */
  name: string;
  /** All bytes of the field including folds and the final CRLF. */
  raw: Buffer;
}

/** For each name of h=, the selected field, or undefined when no instance is left. */
export function selectHeaders<F extends HeaderField>(fields: readonly F[], names: readonly string[]): (F | undefined)[] {
  const used = new Map<string, number>(); // lower-case name -> instances taken so far from the bottom
  const byName = new Map<string, F[]>();
  for (const f of fields) {
    const k = f.name.toLowerCase();
    let list = byName.get(k);
    if (!list) byName.set(k, (list = []));
    list.push(f);
  }
  return names.map((n) => {
    const k = n.toLowerCase();
    const list = byName.get(k);
    const taken = used.get(k) ?? 0;
    used.set(k, taken + 1);
    if (!list || taken >= list.length) return undefined;
    return list[list.length - 1 - taken];
  });
}

/**
 * The field with the value of its b= tag deleted, everything else kept byte
 * for byte (RFC 6376 §3.7: the signature field is hashed "with the value of
 * the b= tag ... deleted"). `bh=` and other tags are untouched.
 */
export function removeSignatureValue(raw: Buffer, tag = 'b'): Buffer {
  const s = raw.toString('latin1');
  const colon = s.indexOf(':');
  let pos = colon + 1;
  while (pos <= s.length) {
    const semi = s.indexOf(';', pos);
    const specEnd = semi < 0 ? s.length : semi;
    const spec = s.slice(pos, specEnd);
    const eq = spec.indexOf('=');
    if (eq >= 0 && spec.slice(0, eq).replace(/[ \t\r\n]+/g, '') === tag) {
      let valueEnd = specEnd;
      // Without a ';' after it the value runs to the end of the field, not through its CRLF.
      if (semi < 0 && s.endsWith('\r\n')) valueEnd -= 2;
      const start = pos + eq + 1;
      return Buffer.from(s.slice(0, start) + s.slice(valueEnd), 'latin1');
    }
    if (semi < 0) break;
    pos = semi + 1;
  }
  return raw;
}
