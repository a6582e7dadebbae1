// The routing table of the web inbox: every URL the server answers, as data.
// match() turns a method and a path into a route name and its parameters, or
// says 404 / 405; the node:http glue (src/web/http.ts) maps names to handlers.

export type RouteName =
  | 'page' | 'asset'
  | 'info' | 'list' | 'search' | 'deleteAll' | 'wait' | 'events'
  | 'message' | 'patchMessage' | 'deleteMessage'
  | 'headers' | 'parts' | 'tree' | 'text' | 'html' | 'preview' | 'raw' | 'part' | 'cid';

interface Route {
  method: 'GET' | 'PATCH' | 'DELETE';
  /** Segments; `:name` captures one segment. */
  pattern: string[];
  name: RouteName;
}

const table: Array<[Route['method'], string, RouteName]> = [
  ['GET', '/', 'page'],
  ['GET', '/assets/:file', 'asset'],
  ['GET', '/api/v1/info', 'info'],
  ['GET', '/api/v1/messages', 'list'],
  ['DELETE', '/api/v1/messages', 'deleteAll'],
  ['GET', '/api/v1/search', 'search'],
  ['GET', '/api/v1/wait', 'wait'],
  ['GET', '/api/v1/events', 'events'],
  ['GET', '/api/v1/messages/:id', 'message'],
  ['PATCH', '/api/v1/messages/:id', 'patchMessage'],
  ['DELETE', '/api/v1/messages/:id', 'deleteMessage'],
  ['GET', '/api/v1/messages/:id/headers', 'headers'],
  ['GET', '/api/v1/messages/:id/parts', 'parts'],
  ['GET', '/api/v1/messages/:id/tree', 'tree'],
  ['GET', '/api/v1/messages/:id/text', 'text'],
  ['GET', '/api/v1/messages/:id/html', 'html'],
  ['GET', '/api/v1/messages/:id/preview', 'preview'],
  ['GET', '/api/v1/messages/:id/raw', 'raw'],
  ['GET', '/api/v1/messages/:id/parts/:part', 'part'],
  ['GET', '/api/v1/messages/:id/cid/:cid', 'cid'],
];

export const ROUTES: Route[] = table.map(([method, path, name]) => ({ method, pattern: path.split('/').slice(1), name }));

export type RouteMatch =
  | { ok: true; name: RouteName; params: Record<string, string> }
  | { ok: false; status: 400 | 404 | 405; allow?: string[]; error: string };

/** Longest path accepted (ids and content-ids are short; anything longer is not ours). */
const MAX_PATH = 4096;

/**
 * Matches a request. Segments are split on `/` before percent-decoding, so an
 * encoded `%2F` stays inside its segment, and a decoded segment that is `.`,
 * `..`, empty, or holds `/` or NUL is refused: no parameter can name a path.
 */
export function matchRoute(method: string, pathname: string): RouteMatch {
  if (pathname.length > MAX_PATH) return { ok: false, status: 404, error: 'no such resource' };
  const raw = pathname === '/' ? [''] : pathname.split('/').slice(1);
  const segs: string[] = [];
  for (const s of raw) {
    try {
      segs.push(decodeURIComponent(s));
    } catch {
      return { ok: false, status: 400, error: 'bad percent-encoding in the path' };
    }
  }
  const allow: string[] = [];
  for (const r of ROUTES) {
    if (r.pattern.length !== segs.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < segs.length && ok; i++) {
      const p = r.pattern[i];
      if (p.startsWith(':')) {
        const v = segs[i];
        if (v === '' || v === '.' || v === '..' || v.includes('/') || v.includes('\\') || v.includes('\u0000')) ok = false;
        else params[p.slice(1)] = v;
      } else ok = p === segs[i];
    }
    if (!ok) continue;
    if (r.method === method || (method === 'HEAD' && r.method === 'GET')) return { ok: true, name: r.name, params };
    allow.push(r.method);
  }
  if (allow.length) return { ok: false, status: 405, allow, error: `method ${method} not allowed here` };
  return { ok: false, status: 404, error: 'no such resource' };
}
