// Who may use the web inbox and what a browser may do with its answers:
// the Host check against DNS rebinding, the same-origin rule for writes
// (CSRF), bearer tokens and an htpasswd file for access from elsewhere, the
// Content-Security-Policy of the page and of the sandboxed HTML preview, and
// Content-Disposition for downloads (RFC 6266). No I/O.
import { createHash, timingSafeEqual } from 'node:crypto';

/** The page itself: its own script and style only, nothing from elsewhere. */
export const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * A message's HTML: no script, no form, no plug-in, no navigation of the
 * page around it (CSP sandbox, like the iframe's sandbox attribute, so
 * opening the URL in a tab is as safe as the preview); images, styles and
 * fonts only from this server (cid: parts) and data: URLs until the reader
 * asks for remote content, which then may come from anywhere over http(s).
 */
export function previewCsp(remote: boolean): string {
  const ext = remote ? ' http: https:' : '';
  return [
    'sandbox allow-same-origin allow-popups allow-popups-to-escape-sandbox',
    "default-src 'none'",
    `img-src 'self' data:${ext}`,
    `style-src 'self' 'unsafe-inline'${ext}`,
    `font-src 'self' data:${ext}`,
    `media-src 'self' data:${ext}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'self'",
  ].join('; ');
}

/** For every other answer that is not the page: nothing may load, nothing may run. */
export const API_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'";

const LOOPBACK_NAMES = /^(localhost|[a-z0-9-]+\.localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])$/i;

/**
 * A server bound to loopback answers only requests addressed to a loopback
 * name: a page on another site that points its own name at 127.0.0.1 (DNS
 * rebinding) gets a 421 instead of the mail.
 */
export function hostAllowed(host: string | undefined, loopbackOnly: boolean): boolean {
  if (!loopbackOnly) return true;
  if (!host) return false;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
  return LOOPBACK_NAMES.test(name);
}

/**
 * Writes (PATCH, DELETE, POST) only from this server's own page or from
 * programs that are not browsers: a request that says it comes from another
 * origin (Origin, or Sec-Fetch-Site cross-site/same-site) is refused.
 */
export function crossOriginWrite(method: string, headers: { origin?: string; host?: string; 'sec-fetch-site'?: string }): string | undefined {
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return undefined;
  const site = headers['sec-fetch-site'];
  if (site && site !== 'same-origin' && site !== 'none') return `cross-site request (Sec-Fetch-Site: ${site}) refused`;
  const origin = headers.origin;
  if (origin !== undefined) {
    if (origin === 'null') return 'request from an opaque origin refused';
    let o: URL;
    try {
      o = new URL(origin);
    } catch {
      return 'bad Origin header';
    }
    if (o.host.toLowerCase() !== (headers.host ?? '').toLowerCase()) return `cross-origin request from ${origin} refused`;
  }
  return undefined;
}

function sameSecret(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}

/** One user of an htpasswd file. */
interface Credential {
  user: string;
  hash: string;
}

export type HtpasswdParse = { ok: true; users: Credential[] } | { ok: false; error: string };

/**
 * An htpasswd file (Apache's format, as `htpasswd -B` or `-s` writes it):
 * `user:$2y$...` (bcrypt), `user:{SHA}base64` (SHA-1), or a plain password.
 * MD5-crypt ($apr1$) and crypt(3) are refused by name: nothing maintained
 * does them in Node, and their hashes are weak.
 */
export function parseHtpasswd(text: string): HtpasswdParse {
  const users: Credential[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line || line.startsWith('#')) continue;
    const c = line.indexOf(':');
    if (c <= 0) return { ok: false, error: `line ${i + 1}: expected user:password-hash` };
    const hash = line.slice(c + 1);
    if (hash.startsWith('$apr1$') || hash.startsWith('$1$')) return { ok: false, error: `line ${i + 1}: MD5-crypt hashes are not supported (use htpasswd -B for bcrypt)` };
    users.push({ user: line.slice(0, c), hash });
  }
  if (!users.length) return { ok: false, error: 'no user' };
  return { ok: true, users };
}

export interface AccessRule {
  token?: string;
  users?: Credential[];
  /** bcrypt comparison, given by the caller (loaded only when a file has bcrypt hashes). */
  bcrypt?: (password: string, hash: string) => boolean;
}

/** The name of the cookie the page keeps the token in. */
export const TOKEN_COOKIE = 'blaze_web_token';

function cookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}

export type AccessVerdict = { ok: true; setCookie?: string } | { ok: false; challenge: string };

/**
 * Checks a request against the rule: a bearer token (Authorization header,
 * the cookie, or `?token=` once, which sets the cookie) or HTTP Basic
 * credentials from the htpasswd file.
 */
export function checkAccess(rule: AccessRule, req: { authorization?: string; cookie?: string; queryToken?: string | null }): AccessVerdict {
  if (!rule.token && !rule.users) return { ok: true };
  const auth = req.authorization ?? '';
  if (rule.token) {
    const bearer = /^Bearer\s+(\S+)$/i.exec(auth)?.[1];
    if (bearer !== undefined && sameSecret(bearer, rule.token)) return { ok: true };
    const c = cookie(req.cookie, TOKEN_COOKIE);
    if (c !== undefined && sameSecret(c, rule.token)) return { ok: true };
    if (req.queryToken && sameSecret(req.queryToken, rule.token)) {
      return { ok: true, setCookie: `${TOKEN_COOKIE}=${encodeURIComponent(rule.token)}; Path=/; HttpOnly; SameSite=Strict` };
    }
  }
  if (rule.users) {
    const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(auth)?.[1];
    if (basic) {
      const text = Buffer.from(basic, 'base64').toString('utf8');
      const i = text.indexOf(':');
      const user = text.slice(0, i);
      const password = text.slice(i + 1);
      const u = i > 0 ? rule.users.find((x) => x.user === user) : undefined;
      if (u && passwordMatches(password, u.hash, rule.bcrypt)) return { ok: true };
    }
  }
  return { ok: false, challenge: rule.users ? 'Basic realm="blaze web", charset="UTF-8"' : 'Bearer realm="blaze web"' };
}

function passwordMatches(password: string, hash: string, bcrypt: AccessRule['bcrypt']): boolean {
  if (/^\$2[abxy]\$/.test(hash)) return bcrypt ? bcrypt(password, hash) : false;
  if (hash.startsWith('{SHA}')) return sameSecret(createHash('sha1').update(password, 'utf8').digest('base64'), hash.slice(5));
  return sameSecret(password, hash);
}

/** `attachment; filename="..."; filename*=UTF-8''...` (RFC 6266 §4.3, RFC 8187), from a name already made safe. */
export function contentDisposition(kind: 'attachment' | 'inline', filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const star = encodeURIComponent(filename).replace(/['()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${star}`;
}

/**
 * A Content-Type value safe to put in a header: the part's own type when it is
 * a token pair (RFC 2045 §5.1), else application/octet-stream. HTML or SVG
 * parts keep their type: every such answer carries API_CSP (sandboxed, no
 * script) and nosniff, and downloads are attachments.
 */
export function safeContentType(type: string, charset?: string): string {
  if (!/^[a-z0-9!#$&^_.+-]{1,64}\/[a-z0-9!#$&^_.+-]{1,128}$/i.test(type)) return 'application/octet-stream';
  if (type.toLowerCase().startsWith('text/') && charset && /^[a-z0-9._:-]{1,40}$/i.test(charset)) return `${type}; charset=${charset}`;
  return type;
}
