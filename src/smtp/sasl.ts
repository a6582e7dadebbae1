// The two SASL mechanisms of AUTH (RFC 4954): PLAIN (RFC 4616) and LOGIN.

/** Strict base64 (RFC 4648 alphabet, padded); undefined when it is not. */
export function decodeSaslBase64(s: string): Buffer | undefined {
  const t = s.trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(t) || t.length % 4 !== 0) return undefined;
  return Buffer.from(t, 'base64');
}

/** A PLAIN response `authzid NUL authcid NUL passwd`; an authzid other than the user is refused. */
export function parseSaslPlain(decoded: Buffer): { user: string; password: string } | { error: 'malformed' | 'authzid' } {
  const parts = decoded.toString('utf8').split('\0');
  if (parts.length !== 3) return { error: 'malformed' };
  if (parts[0] && parts[0] !== parts[1]) return { error: 'authzid' };
  return { user: parts[1], password: parts[2] };
}

/** What a client sends for PLAIN (no authzid). */
export function encodeSaslPlain(user: string, password: string): string {
  return Buffer.from(`\0${user}\0${password}`, 'utf8').toString('base64');
}
