// POP3 URLs (RFC 2384 in spirit): `pop3s://user@host[:port]` (TLS from the
// start, port 995) or `pop3://user@host[:port]` (port 110, STLS). Results
// are values.

export interface Pop3Url {
  secure: boolean;
  user?: string;
  host: string;
  port: number;
}

/** `pop3s://user@host[:port]` or `pop3://...`; the user may hold `@` (the last one ends it) or be %-encoded. */
export function parsePop3Url(url: string): { ok: true; url: Pop3Url } | { ok: false; error: string } {
  const m = /^(pop3s?):\/\/(?:(.*)@)?(\[[0-9A-Fa-f:.]+\]|[^\s:@/[\]]+)(?::(\d{1,5}))?\/?$/i.exec(url);
  if (!m) return { ok: false, error: `${url}: not a POP3 URL (pop3s://user@host[:port] or pop3://user@host[:port])` };
  const secure = m[1].toLowerCase() === 'pop3s';
  let user: string | undefined;
  if (m[2] !== undefined) {
    try {
      user = decodeURIComponent(m[2]);
    } catch {
      return { ok: false, error: `${url}: bad %-escape in the user name` };
    }
  }
  const port = m[4] === undefined ? (secure ? 995 : 110) : Number(m[4]);
  if (port < 1 || port > 65535) return { ok: false, error: `${url}: bad port ${m[4]}` };
  return { ok: true, url: { secure, user: user || undefined, host: m[3].replace(/^\[|\]$/g, ''), port } };
}
