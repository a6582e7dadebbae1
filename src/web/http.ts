// The node:http glue of the web inbox (the one file that touches sockets):
// every request goes through the Host check (DNS rebinding), access (token
// or htpasswd), the same-origin rule for writes, the routing table, then a
// handler that returns a WebResponse, written here with back-pressure and
// stopped when the client goes away. Every answer says nosniff.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Inbox } from './inbox.ts';
import { matchRoute, type RouteName } from './routes.ts';
import { checkAccess, crossOriginWrite, hostAllowed, PAGE_CSP, type AccessRule } from './policy.ts';
import { error, HttpError, type WebRequest, type WebResponse } from './response.ts';
import * as api from './api.ts';
import * as msg from './api-message.ts';

export interface PageAssets {
  html: string;
  js: string;
  css: string;
}

export interface WebServerOptions {
  maildir: string;
  host: string;
  port: number;
  version: string;
  assets: PageAssets;
  access: AccessRule;
  /** authserv-ids whose Authentication-Results the summaries show. */
  trustedAuthservIds: string[];
  /** Requests addressed to names other than loopback ones are refused (set when bound to loopback). */
  loopbackOnly: boolean;
  log?: (line: string) => void;
  pollMs?: number;
}

export interface WebServer {
  address: { host: string; port: number };
  inbox: Inbox;
  close(): Promise<void>;
}

/** Bound on a request body (only PATCH has one: `{"read": true}`). */
const MAX_BODY = 4096;
/** Event streams and waits held open at once; more get 503. */
const MAX_STREAMS = 256;

const COMMON_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'x-frame-options': 'SAMEORIGIN',
};

export async function startWebServer(o: WebServerOptions): Promise<WebServer> {
  const inbox = new Inbox(o.maildir, { trustedAuthservIds: o.trustedAuthservIds, pollMs: o.pollMs });
  await inbox.open();
  let streams = 0;

  const handlers: Record<RouteName, (req: WebRequest) => WebResponse | Promise<WebResponse>> = {
    page: () => ({ status: 200, headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': PAGE_CSP, 'cache-control': 'no-cache' }, body: o.assets.html }),
    asset: (r) => {
      const f = r.params.file;
      if (f === 'app.js') return { status: 200, headers: { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' }, body: o.assets.js };
      if (f === 'app.css') return { status: 200, headers: { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'no-cache' }, body: o.assets.css };
      throw new HttpError(404, 'no such asset');
    },
    info: () => api.info(inbox, o.version, o.trustedAuthservIds),
    list: (r) => api.list(inbox, r),
    search: (r) => api.list(inbox, r, true),
    deleteAll: () => api.deleteAll(inbox),
    wait: (r) => api.wait(inbox, r),
    events: (r) => api.events(inbox, r),
    message: (r) => msg.message(inbox, r),
    patchMessage: (r) => api.patch(inbox, r),
    deleteMessage: (r) => api.deleteOne(inbox, r),
    headers: (r) => msg.headers(inbox, r),
    parts: (r) => msg.parts(inbox, r),
    tree: (r) => msg.tree(inbox, r),
    text: (r) => msg.text(inbox, r),
    html: (r) => msg.html(inbox, r, false),
    preview: (r) => msg.html(inbox, r, true),
    raw: (r) => msg.raw(inbox, r),
    part: (r) => msg.part(inbox, r),
    cid: (r) => msg.cid(inbox, r),
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    const method = req.method ?? 'GET';
    let r: WebResponse;
    let streaming = false;
    try {
      r = await dispatch(req, method, abort.signal, (name) => {
        if (name !== 'events' && name !== 'wait') return;
        if (streams >= MAX_STREAMS) throw new HttpError(503, `more than ${MAX_STREAMS} event streams and waits open`);
        streams++;
        streaming = true;
      });
    } catch (err) {
      if (err instanceof HttpError) r = error(err.status, err.message);
      else {
        o.log?.(`${method} ${req.url}: ${(err as Error)?.message ?? err}`);
        r = error(500, `internal error: ${(err as Error)?.message ?? err}`);
      }
    }
    try {
      await send(res, method, r);
    } finally {
      if (streaming) streams--;
      await r.done?.().catch(() => {});
    }
  };

  const dispatch = async (req: IncomingMessage, method: string, signal: AbortSignal, admit: (n: RouteName) => void): Promise<WebResponse> => {
    if (!hostAllowed(req.headers.host, o.loopbackOnly)) {
      return error(421, `this server answers only to loopback names (localhost, 127.0.0.1, [::1]), not ${JSON.stringify(req.headers.host ?? '')}`);
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const access = checkAccess(o.access, { authorization: req.headers.authorization, cookie: req.headers.cookie, queryToken: url.searchParams.get('token') });
    if (!access.ok) return error(401, 'authentication required', { 'www-authenticate': access.challenge });
    if (access.setCookie) {
      // The token from the URL goes into a cookie, and out of the address bar and the history.
      url.searchParams.delete('token');
      return { status: 303, headers: { 'set-cookie': access.setCookie, location: url.pathname + url.search, 'cache-control': 'no-store' } };
    }
    const refused = crossOriginWrite(method, { origin: req.headers.origin, host: req.headers.host, 'sec-fetch-site': req.headers['sec-fetch-site'] as string | undefined });
    if (refused) return error(403, refused);
    const m = matchRoute(method, url.pathname);
    if (!m.ok) return error(m.status, m.error, m.allow ? { allow: m.allow.join(', ') } : {});
    let body: Buffer | undefined;
    if (method === 'PATCH') body = await readBody(req);
    admit(m.name);
    return handlers[m.name]({ method, params: m.params, query: url.searchParams, headers: req.headers, body, signal });
  };

  const server: Server = createServer({ requestTimeout: 60_000, headersTimeout: 30_000, keepAliveTimeout: 5_000 }, (req, res) => {
    void handle(req, res).catch(() => res.destroy());
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const a = server.address() as AddressInfo;
  void inbox.warm();
  return {
    address: { host: a.address, port: a.port },
    inbox,
    async close() {
      inbox.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, `request body larger than ${MAX_BODY} bytes`);
    parts.push(chunk as Buffer);
  }
  return Buffer.concat(parts);
}

/** Writes an answer; a streamed body waits for 'drain' and stops when the client is gone. */
async function send(res: ServerResponse, method: string, r: WebResponse): Promise<void> {
  if (res.destroyed) return;
  res.writeHead(r.status, { ...COMMON_HEADERS, ...r.headers });
  const body = r.body;
  if (method === 'HEAD' || body === undefined) {
    res.end();
    if (body !== undefined && typeof body !== 'string' && !Buffer.isBuffer(body)) await (body as AsyncGenerator<unknown>).return?.(undefined);
    return;
  }
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    res.end(body);
    return;
  }
  if (r.headers['content-type']?.startsWith('text/event-stream')) res.flushHeaders();
  const it = body[Symbol.asyncIterator]();
  try {
    for (;;) {
      const n = await it.next();
      if (n.done || res.destroyed) break;
      if (!res.write(n.value)) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.on('drain', done);
          res.on('close', done);
        });
      }
    }
    if (!res.destroyed) res.end();
  } catch {
    // The file vanished or broke mid-answer: the status line is sent, so only cutting the connection says so.
    res.destroy();
  } finally {
    await it.return?.(undefined);
  }
}
