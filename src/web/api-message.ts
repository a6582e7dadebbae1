// One message through the HTTP API: the whole view (summary, header fields,
// part tree, which part is the text and which the HTML, attachments, every
// Authentication-Results field), and its pieces as streams: the decoded
// text, the HTML (raw, or rewritten for the sandboxed preview), the source
// (with Range), a part by number, a part by Content-ID.
import { fieldValue } from '../mime/header-decoder.ts';
import { decodeHeaderBytes } from '../mime/charset.ts';
import { decodeUnstructured } from '../mime/unstructured.ts';
import { parseAuthResultsLenient } from '../authres/index.ts';
import { openMessageAsync, type OpenedMessage } from '../maildir/index.ts';
import { entryOf } from './api.ts';
import type { Inbox } from './inbox.ts';
import { drawTree, findPart, parsePartId, safeFileName, ASCII_TREE, UTF8_TREE, type PartNode, type Structure } from './structure.ts';
import { scanStructureAsync, partBody, partText } from './scan.ts';
import { PreviewRewriter } from './preview.ts';
import { API_CSP, contentDisposition, previewCsp, safeContentType } from './policy.ts';
import { HttpError, json, type WebRequest, type WebResponse } from './response.ts';

/**
 * Opens a message by id. Its file may be renamed (flags) or moved (new/ ->
 * cur/) by anyone at any time, so a vanished path is looked up again in the
 * inbox, which the watcher and our own changes keep current. Once open, the
 * file can move or go: the answer reads the open file.
 */
async function openById(inbox: Inbox, id: string): Promise<OpenedMessage> {
  for (let attempt = 0; ; attempt++) {
    const e = entryOf(inbox, id);
    try {
      return await openMessageAsync(inbox.path(e));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      if (attempt >= 5) throw new HttpError(404, `message ${id} is gone`);
      await new Promise((r) => setTimeout(r, 20 * (attempt + 1)));
    }
  }
}

async function load(inbox: Inbox, id: string): Promise<{ m: OpenedMessage; structure: Structure }> {
  const m = await openById(inbox, id);
  try {
    return { m, structure: await scanStructureAsync(m) };
  } catch (err) {
    await m.close();
    throw err;
  }
}

/** For answers made from the structure alone: the file is closed before answering. */
async function structureOf(inbox: Inbox, id: string): Promise<Structure> {
  const { m, structure } = await load(inbox, id);
  await m.close();
  return structure;
}

function partJson(n: PartNode): Record<string, unknown> {
  const { path: _path, enclosed: _enclosed, children, ...rest } = n;
  return { ...rest, ...(children.length ? { children: children.map(partJson) } : {}) };
}

function walk(n: PartNode | undefined, out: PartNode[] = []): PartNode[] {
  if (!n) return out;
  out.push(n);
  for (const c of n.children) walk(c, out);
  return out;
}

/** Parts to offer for download: attachments, and inline images and the like that are not the text shown. */
function downloads(s: Structure): { attachmentParts: unknown[]; inlineParts: unknown[] } {
  const info = (n: PartNode) => ({
    part: n.id, type: n.type, filename: n.filename ?? null, size: n.size ?? null,
    contentId: n.contentId ?? null, disposition: n.disposition ?? null,
  });
  const nodes = walk(s.root);
  return {
    attachmentParts: nodes.filter((n) => n.attachment).map(info),
    inlineParts: nodes.filter((n) => !n.attachment && !n.enclosed && n.kind === 'leaf' && n.path.length > 0 && n.id !== s.text && n.id !== s.html && (n.contentId !== undefined || n.disposition === 'inline')).map(info),
  };
}

export async function message(inbox: Inbox, req: WebRequest): Promise<WebResponse> {
  const e = entryOf(inbox, req.params.id);
  const s = await structureOf(inbox, e.id);
  const summary = inbox.summary(e);
  const headers = s.fields.map((f) => ({ name: f.name, value: decodeUnstructured(decodeHeaderBytes(fieldValue(f.raw))).replace(/\r\n/g, '') }));
  const authResults = s.fields
    .filter((f) => f.name.toLowerCase() === 'authentication-results')
    .map((f, i) => {
      const r = parseAuthResultsLenient(decodeHeaderBytes(fieldValue(f.raw)).replace(/\r\n/g, ''));
      if (!r.ok) return { error: r.message, trusted: false };
      const trusted = i === 0 && summary.auth !== null;
      return { by: r.value.authservId, trusted, results: r.value.results };
    });
  return json(200, {
    ...summary,
    headers,
    parts: s.root ? partJson(s.root) : null,
    omittedParts: s.omitted,
    tree: s.root ? drawTree(s.root, s.omitted) : '',
    text: s.text ?? null,
    html: s.html ?? null,
    ...downloads(s),
    authResults,
    warnings: [...summary.warnings, ...s.warnings.map((w) => (w.part === '0' ? w.message : `part ${w.part}: ${w.message}`))].filter((w, i, a) => a.indexOf(w) === i).slice(0, 100),
  });
}

export async function headers(inbox: Inbox, req: WebRequest): Promise<WebResponse> {
  const s = await structureOf(inbox, req.params.id);
  return json(200, s.fields.map((f) => ({ name: f.name, value: decodeUnstructured(decodeHeaderBytes(fieldValue(f.raw))).replace(/\r\n/g, ''), raw: fieldValue(f.raw).toString('latin1') })));
}

export async function parts(inbox: Inbox, req: WebRequest): Promise<WebResponse> {
  const s = await structureOf(inbox, req.params.id);
  return json(200, { parts: s.root ? partJson(s.root) : null, omitted: s.omitted, warnings: s.warnings });
}

export async function tree(inbox: Inbox, req: WebRequest): Promise<WebResponse> {
  const s = await structureOf(inbox, req.params.id);
  const g = req.query.get('ascii') === '1' ? ASCII_TREE : UTF8_TREE;
  return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }, body: s.root ? drawTree(s.root, s.omitted, g) : '' };
}

function partNode(s: Structure, id: string): PartNode {
  const path = parsePartId(id);
  if (!path) throw new HttpError(400, `part: expected a part number like 1 or 2.1 (0 for the whole body), got ${JSON.stringify(id.slice(0, 40))}`);
  const n = findPart(s.root, path);
  if (!n) throw new HttpError(404, `no part ${id}`);
  return n;
}

export async function text(inbox: Inbox, req: WebRequest): Promise<WebResponse> {
  const { m, structure: s } = await load(inbox, req.params.id);
  if (!s.text) {
    await m.close();
    throw new HttpError(404, 'this message has no text/plain part');
  }
  const n = partNode(s, s.text);
  return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }, body: partText(m, n.path, n.params.charset), done: () => m.close() };
}

export async function html(inbox: Inbox, req: WebRequest, preview: boolean): Promise<WebResponse> {
  const id = req.params.id;
  const { m, structure: s } = await load(inbox, id);
  if (!s.html) {
    await m.close();
    throw new HttpError(404, 'this message has no text/html part');
  }
  const n = partNode(s, s.html);
  const body = partText(m, n.path, n.params.charset);
  const done = (): Promise<void> => m.close();
  if (!preview) return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': API_CSP }, body, done };
  const remote = req.query.get('remote') === '1';
  const rw = new PreviewRewriter((cid) => `/api/v1/messages/${encodeURIComponent(id)}/cid/${encodeURIComponent(cid)}`);
  async function* rewritten(): AsyncGenerator<string> {
    for await (const t of body) {
      const out = rw.push(t);
      if (out) yield out;
    }
    const tail = rw.finish();
    if (tail) yield tail;
  }
  return {
    status: 200,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': previewCsp(remote) },
    body: rewritten(),
    done,
  };
}

/** The source as stored, with one byte range when asked (RFC 9110 §14). */
export async function raw(inbox: Inbox, req: WebRequest): Promise<WebResponse> {
  const id = req.params.id;
  const m = await openById(inbox, id);
  const size = m.size;
  const done = (): Promise<void> => m.close();
  const download = req.query.get('download') === '1';
  const h: Record<string, string> = {
    'content-type': download ? 'message/rfc822' : 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
    'accept-ranges': 'bytes',
    'content-security-policy': API_CSP,
  };
  if (download) h['content-disposition'] = contentDisposition('attachment', safeFileName(`${id}.eml`, 'message.eml'));
  const range = String(req.headers.range ?? '');
  const r = /^bytes=(\d*)-(\d*)$/.exec(range);
  if (range && r && (r[1] || r[2])) {
    let start = r[1] ? Number(r[1]) : Math.max(0, size - Number(r[2]));
    let end = r[1] && r[2] ? Math.min(Number(r[2]), size - 1) : size - 1;
    if (!r[1]) end = size - 1;
    if (start >= size || start > end) return { status: 416, headers: { ...h, 'content-range': `bytes */${size}` }, done };
    start = Math.max(0, start);
    return { status: 206, headers: { ...h, 'content-range': `bytes ${start}-${end}/${size}`, 'content-length': String(end - start + 1) }, body: m.chunks({ start, end }), done };
  }
  return { status: 200, headers: { ...h, 'content-length': String(size) }, body: size ? m.chunks() : '', done };
}

function partResponse(m: OpenedMessage, n: PartNode, disposition: 'attachment' | 'inline', fallback: string): WebResponse {
  if (n.kind === 'multipart') {
    void m.close();
    throw new HttpError(400, `part ${n.id} is a multipart: download its parts`);
  }
  const type = n.kind === 'message' ? 'message/rfc822' : n.type;
  const name = safeFileName(n.filename, fallback);
  return {
    status: 200,
    headers: {
      'content-type': safeContentType(type, n.params.charset),
      'content-disposition': contentDisposition(disposition, name),
      'cache-control': 'no-store',
      'content-security-policy': API_CSP,
      ...(n.size !== undefined ? { 'content-length': String(n.size) } : {}),
    },
    body: n.kind === 'message' ? partBody(m, n.path, { whole: true }) : partBody(m, n.path),
    done: () => m.close(),
  };
}

export async function part(inbox: Inbox, req: WebRequest): Promise<WebResponse> {
  const { m, structure: s } = await load(inbox, req.params.id);
  let n: PartNode;
  try {
    n = partNode(s, req.params.part);
  } catch (err) {
    await m.close();
    throw err;
  }
  const inline = req.query.get('inline') === '1';
  // An attached message/rfc822 is served as its bytes (the decoder reads it as a leaf).
  return partResponse(m, n, inline ? 'inline' : 'attachment', `part-${n.id}.${n.type.startsWith('text/') ? 'txt' : 'bin'}`);
}

export async function cid(inbox: Inbox, req: WebRequest): Promise<WebResponse> {
  const { m, structure: s } = await load(inbox, req.params.id);
  const want = req.params.cid.replace(/^<|>$/g, '');
  const n = walk(s.root).find((x) => x.contentId !== undefined && x.contentId === want && !x.enclosed);
  if (!n) {
    await m.close();
    throw new HttpError(404, `no part with Content-ID <${want.slice(0, 200)}>`);
  }
  return partResponse(m, n, 'inline', `cid-${n.id}`);
}
