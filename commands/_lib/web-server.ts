// Starting the web inbox from a command (blaze web, blaze srv --http): the
// listen address, the rule that only loopback may go without --token or
// --basic-auth, the htpasswd file, the page bundled by build.mjs.
import { readFileSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { BlazeError, describeFsError, usageError } from './errors.ts';

export interface WebStartOptions {
  maildir: string;
  listen: string;
  token?: string;
  basicAuth?: string;
  authservIds?: string[];
  /** Option names as the command spells them, for error messages. */
  flags: { listen: string; token: string; basicAuth: string };
  log: (line: string) => void;
}

/** HOST:PORT, [IPv6]:PORT or PORT (on 127.0.0.1). */
export function parseListen(a: string, flag: string): { host: string; port: number } {
  let host = '127.0.0.1';
  let port: number;
  const v6 = /^\[([^\]]+)\]:(\d+)$/.exec(a);
  if (v6) [host, port] = [v6[1], Number(v6[2])];
  else if (/^\d+$/.test(a)) port = Number(a);
  else {
    const i = a.lastIndexOf(':');
    if (i <= 0 || a.indexOf(':') !== i) throw usageError(`${flag}: expected HOST:PORT, [IPv6]:PORT or PORT, got ${JSON.stringify(a)}`);
    [host, port] = [a.slice(0, i), Number(a.slice(i + 1))];
  }
  if (!/^\d+$/.test(String(port)) || port < 0 || port > 65535) throw usageError(`${flag}: bad port in ${JSON.stringify(a)}`);
  return { host, port };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host === '::1';
}

export async function startWeb(o: WebStartOptions) {
  const { host, port } = parseListen(o.listen, o.flags.listen);
  const token = o.token ?? (process.env.BLAZE_WEB_TOKEN || undefined);
  if (token !== undefined && token.length < 8) throw usageError(`${o.flags.token}: a token needs at least 8 characters`);
  if (!isLoopback(host) && !token && !o.basicAuth) {
    throw usageError(`${o.flags.listen} ${o.listen}: not a loopback address; anyone who can reach it could read the mail: give ${o.flags.token} or ${o.flags.basicAuth}`);
  }
  const { parseHtpasswd } = await import('../../src/web/policy.ts');
  let users;
  let bcrypt: ((p: string, h: string) => boolean) | undefined;
  if (o.basicAuth) {
    let text: string;
    try {
      text = readFileSync(o.basicAuth, 'utf8');
    } catch (err) {
      throw describeFsError(o.basicAuth, err);
    }
    const p = parseHtpasswd(text);
    if (!p.ok) throw usageError(`${o.basicAuth}: ${p.error}`);
    users = p.users;
    if (users.some((u) => /^\$2[abxy]\$/.test(u.hash))) {
      const b = (await import('bcryptjs')).default;
      bcrypt = (pw, h) => b.compareSync(pw, h.replace(/^\$2y\$/, '$2b$'));
    }
  }
  const { startWebServer } = await import('../../src/web/http.ts');
  const { html, js, css } = await import('blaze:web-page');
  try {
    return await startWebServer({
      maildir: o.maildir,
      host,
      port,
      version: BLAZE_VERSION,
      assets: { html, js, css },
      access: { token, users, bcrypt },
      trustedAuthservIds: o.authservIds?.length ? o.authservIds : [osHostname()],
      loopbackOnly: isLoopback(host),
      log: o.log,
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new BlazeError(`${o.flags.listen} ${o.listen}: ${code === 'EADDRINUSE' ? 'address already in use' : code === 'EACCES' ? 'permission denied' : (err as Error).message}`, 2);
  }
}

/** `http://HOST:PORT/` as a browser wants it. */
export function webUrl(a: { host: string; port: number }): string {
  return `http://${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}/`;
}
