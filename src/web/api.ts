// The inbox-wide part of the HTTP API (/api/v1): info, the list and search
// with paging, delete one or all, mark read/unread, the long-poll wait for
// test suites, and server-sent events. Handlers return WebResponse values;
// src/web/http.ts writes them.
import { parseQuery, type Query } from './query.ts';
import type { Entry, Inbox, InboxEvent } from './inbox.ts';
import { error, json, jsonRaw, HttpError, type WebRequest, type WebResponse } from './response.ts';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 1000;
/** The longest a wait may last (seconds), and the default. */
export const MAX_WAIT_SECONDS = 600;
export const DEFAULT_WAIT_SECONDS = 30;
/** A comment line every so often keeps proxies and idle timers from closing an event stream. */
const SSE_KEEPALIVE_MS = 15_000;

function intParam(q: URLSearchParams, name: string, dflt: number, max: number): number {
  const v = q.get(name);
  if (v === null || v === '') return dflt;
  if (!/^\d{1,9}$/.test(v)) throw new HttpError(400, `${name}: expected a non-negative integer, got ${JSON.stringify(v.slice(0, 40))}`);
  return Math.min(Number(v), max);
}

export function queryParam(q: URLSearchParams, required = false): Query | undefined {
  const text = q.get('query') ?? q.get('q');
  if (text === null || text.trim() === '') {
    if (required) throw new HttpError(400, 'query: missing');
    return undefined;
  }
  const p = parseQuery(text);
  if (!p.ok) throw new HttpError(400, `query: ${p.error}`);
  return p.query;
}

export function entryOf(inbox: Inbox, id: string): Entry {
  const e = inbox.get(id);
  if (!e) throw new HttpError(404, `no message ${JSON.stringify(id.slice(0, 200))}`);
  return e;
}

export async function list(inbox: Inbox, req: WebRequest, searchOnly = false): Promise<WebResponse> {
  const query = queryParam(req.query, searchOnly);
  const start = intParam(req.query, 'start', 0, Number.MAX_SAFE_INTEGER);
  const limit = intParam(req.query, 'limit', DEFAULT_LIMIT, MAX_LIMIT);
  const page = await inbox.page(query, start, limit);
  const head = JSON.stringify({ total: page.total, start: page.start, count: page.messages.length, query: query?.source ?? null });
  return jsonRaw(200, `${head.slice(0, -1)},"messages":[${page.messages.join(',')}]}\n`);
}

export async function deleteAll(inbox: Inbox): Promise<WebResponse> {
  return json(200, { deleted: await inbox.removeAll() });
}

export async function deleteOne(inbox: Inbox, req: WebRequest): Promise<WebResponse> {
  const e = entryOf(inbox, req.params.id);
  try {
    await inbox.remove(e);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return json(200, { deleted: 1, id: e.id });
}

/** PATCH {"read": true|false}: the Seen flag (maildir(5) `S`); a message read from new/ moves to cur/. */
export async function patch(inbox: Inbox, req: WebRequest): Promise<WebResponse> {
  const e = entryOf(inbox, req.params.id);
  const type = String(req.headers['content-type'] ?? '');
  if (!/^application\/json\b/i.test(type)) return error(415, 'expected a JSON body (Content-Type: application/json)');
  let body: unknown;
  try {
    body = JSON.parse((req.body ?? Buffer.alloc(0)).toString('utf8'));
  } catch {
    return error(400, 'the body is not JSON');
  }
  const read = (body as { read?: unknown })?.read;
  if (typeof read !== 'boolean') return error(400, 'expected {"read": true} or {"read": false}');
  await inbox.setRead(e, read);
  return jsonRaw(200, inbox.summaryJson(e) + '\n');
}

export function info(inbox: Inbox, version: string, trusted: string[]): WebResponse {
  return json(200, { name: 'blaze web', version, api: 'v1', maildir: inbox.dir, messages: inbox.size, authservIds: trusted });
}

/** `since`: an ISO 8601 time or milliseconds since the epoch. */
function sinceParam(q: URLSearchParams): number | undefined {
  const v = q.get('since');
  if (v === null || v === '') return undefined;
  const t = /^\d{1,15}$/.test(v) ? Number(v) : Date.parse(v);
  if (Number.isNaN(t)) throw new HttpError(400, `since: expected an ISO 8601 time or milliseconds since the epoch, got ${JSON.stringify(v.slice(0, 40))}`);
  return t;
}

function timeoutParam(q: URLSearchParams): number {
  const v = q.get('timeout');
  if (v === null || v === '') return DEFAULT_WAIT_SECONDS * 1000;
  const m = /^(\d{1,6}(?:\.\d{1,3})?)(ms|s)?$/.exec(v);
  if (!m) throw new HttpError(400, `timeout: expected seconds (e.g. 30, 2.5, 500ms), got ${JSON.stringify(v.slice(0, 40))}`);
  const ms = m[2] === 'ms' ? Number(m[1]) : Number(m[1]) * 1000;
  return Math.min(ms, MAX_WAIT_SECONDS * 1000);
}

/**
 * GET /api/v1/wait?query=Q&timeout=30&since=T&count=1: answers as soon as
 * COUNT messages match Q (among those that arrived after T, or all when T
 * is absent), newest first; 408 when the time runs out first. Subscribes
 * before looking at what is there, so a delivery racing the request is seen.
 */
export async function wait(inbox: Inbox, req: WebRequest): Promise<WebResponse> {
  const query = queryParam(req.query);
  const since = sinceParam(req.query);
  const count = Math.max(1, intParam(req.query, 'count', 1, 100));
  const timeoutMs = timeoutParam(req.query);
  const arrived: Entry[] = [];
  let wake: (() => void) | undefined;
  const unsubscribe = inbox.subscribe((ev) => {
    if (ev.type !== 'new') return;
    const e = inbox.get(ev.summary.id);
    if (e) {
      arrived.push(e);
      wake?.();
    }
  });
  const deadline = Date.now() + timeoutMs;
  try {
    let found = await inbox.matching(query, since, count);
    const seen = new Set(found.map((e) => e.id));
    while (found.length < count) {
      while (arrived.length && found.length < count) {
        const e = arrived.shift()!;
        // Seen arriving while the request waits: after `since` whatever its name says
        // (a name may carry whole seconds only, as mblaze's do).
        if (seen.has(e.id)) continue;
        seen.add(e.id);
        if (!query || (await inbox.matches(e, query))) found.push(e);
      }
      if (found.length >= count) break;
      const left = deadline - Date.now();
      if (left <= 0 || req.signal.aborted) {
        const text = `no${found.length ? ` more than ${found.length}` : ''} message matching ${query ? JSON.stringify(query.source) : 'anything'} within ${timeoutMs / 1000} s`;
        return json(408, { error: `timeout: ${text}`, messages: found.map((e) => inbox.summary(e)) }, { connection: 'close' });
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        const onAbort = (): void => resolve();
        req.signal.addEventListener('abort', onAbort, { once: true });
        wake = () => {
          clearTimeout(t);
          req.signal.removeEventListener('abort', onAbort);
          resolve();
        };
      });
      wake = undefined;
    }
    found = found.sort((a, b) => b.time - a.time);
    return jsonRaw(200, `{"count":${found.length},"messages":[${found.map((e) => inbox.summaryJson(e)).join(',')}]}\n`);
  } finally {
    unsubscribe();
  }
}

function sseFrame(ev: InboxEvent): string {
  const data = ev.type === 'new' || ev.type === 'update' ? ev.summary : ev.type === 'delete' ? { id: ev.id } : {};
  return `id: ${ev.seq}\nevent: ${ev.type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * GET /api/v1/events: text/event-stream of `new` (a summary), `update` (a
 * summary: flags changed), `delete` ({id}) and `reset` (everything went:
 * reload). A `hello` event first carries the inbox's size.
 */
export function events(inbox: Inbox, req: WebRequest): WebResponse {
  const queue: string[] = [];
  let wake: (() => void) | undefined;
  const unsubscribe = inbox.subscribe((ev) => {
    queue.push(sseFrame(ev));
    // A client that stopped reading is not followed forever: past a bound, the stream ends and it reconnects.
    if (queue.length > 10_000) queue.splice(0, queue.length, 'event: reset\ndata: {}\n\n');
    wake?.();
  });
  async function* stream(): AsyncGenerator<string> {
    try {
      yield `retry: 2000\nevent: hello\ndata: ${JSON.stringify({ messages: inbox.size, seq: inbox.lastSeq })}\n\n`;
      while (!req.signal.aborted) {
        if (queue.length) {
          yield queue.splice(0, queue.length).join('');
          continue;
        }
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, SSE_KEEPALIVE_MS);
          const done = (): void => {
            clearTimeout(t);
            resolve();
          };
          wake = done;
          req.signal.addEventListener('abort', done, { once: true });
        });
        wake = undefined;
        if (!queue.length && !req.signal.aborted) yield ': keep-alive\n\n';
      }
    } finally {
      unsubscribe();
    }
  }
  return {
    status: 200,
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' },
    body: stream(),
  };
}
