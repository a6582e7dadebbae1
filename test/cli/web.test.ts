// blaze web over HTTP, as a test suite or a browser uses it: every /api/v1
// endpoint on hand-written messages (expected values computed by hand from
// the messages), paging, search, wait and events, and the safety rules
// (path traversal, cross-origin writes, DNS rebinding, access control).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { BLAZE } from '../smtp/support.ts';
import { crlf, deliver, getJson, newMaildir, startWeb, until, type Running } from '../web/support.ts';

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
const BLOB = randomBytes(300);
const b64 = (b: Buffer): string => b.toString('base64').replace(/.{76}/g, '$&\r\n');

const MSG_A = crlf([
  'Authentication-Results: mx.test; spf=pass smtp.mailfrom=alice@example.org; dkim=fail header.d=example.org; dkim=pass header.d=example.org; dmarc=pass header.from=example.org',
  'Authentication-Results: other.example; spf=fail smtp.mailfrom=alice@example.org',
  'From: Alice <alice@example.org>',
  'To: Bob <bob@example.net>',
  'Cc: carol@example.com',
  'Subject: =?utf-8?q?Invoice_=E2=82=AC42?=',
  'Date: Thu, 05 Nov 2026 12:00:00 +0000',
  'Message-ID: <a1@example.org>',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="b1"',
  '',
  '--b1',
  'Content-Type: multipart/related; boundary="b2"',
  '',
  '--b2',
  'Content-Type: text/html; charset=iso-8859-1',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  '<p>Caf=E9 refund <img src=3D"cid:logo@x"></p>',
  '--b2',
  'Content-Type: image/png',
  'Content-ID: <logo@x>',
  'Content-Transfer-Encoding: base64',
  '',
  b64(PNG),
  '--b2--',
  '--b1',
  'Content-Type: application/octet-stream; name="../../evil.sh"',
  'Content-Disposition: attachment; filename="../../evil.sh"',
  'Content-Transfer-Encoding: base64',
  '',
  b64(BLOB),
  '--b1--',
  '',
]);

const MSG_B = crlf(['From: Dave <dave@example.com>', 'To: alice@example.org', 'Subject: Lunch', 'Date: Wed, 04 Nov 2026 09:00:00 +0100', '', 'Pizza at noon?', '']);

describe('blaze web: the API', () => {
  let dir: string;
  let web: Running;
  const names: Record<string, string> = {};
  beforeAll(async () => {
    dir = newMaildir();
    names.a = deliver(dir, MSG_A, 1_790_000_300);
    names.b = deliver(dir, MSG_B, 1_790_000_200, 'cur', ':2,S');
    names.bad = deliver(dir, Buffer.from([0x00, 0xff, 0xfe, 0x0a, 0x41]), 1_790_000_100);
    names.broken = deliver(dir, crlf(['From: x@example.org', 'Subject: broken', 'Content-Type: multipart/mixed; boundary=zz', '', '--zz', 'Content-Type: text/plain', '', 'cut short']), 1_790_000_000);
    web = await startWeb(dir, ['--authserv-id', 'mx.test']);
  });
  afterAll(async () => {
    await web?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const api = (p: string): string => `${web.url}/api/v1${p}`;

  it('lists newest first with a summary per message (verdicts only from the trusted authserv-id)', async () => {
    const { status, body, headers } = await getJson(api('/messages'));
    expect(status).toBe(200);
    expect(headers.get('x-content-type-options')).toBe('nosniff');
    expect(body.total).toBe(4);
    expect(body.messages.map((m: any) => m.id)).toEqual([names.a, names.b, names.bad, names.broken]);
    const a = body.messages[0];
    expect(a).toMatchObject({
      folder: 'new', read: false, size: Buffer.byteLength(MSG_A), date: '2026-11-05T12:00:00+00:00', received: new Date(1_790_000_300_000).toISOString(),
      from: { name: 'Alice', address: 'alice@example.org' }, to: [{ name: 'Bob', address: 'bob@example.net' }], cc: [{ name: '', address: 'carol@example.com' }],
      subject: 'Invoice €42', messageId: 'a1@example.org', attachments: 1,
      auth: { by: 'mx.test', spf: 'pass', dkim: 'pass', dmarc: 'pass' }, warnings: [],
    });
    expect(body.messages[1]).toMatchObject({ folder: 'cur', flags: 'S', read: true, subject: 'Lunch', auth: null, attachments: 0 });
    expect(body.messages[2].warnings).toContain('no header field (not a message?)');
    expect(body.messages[3].subject).toBe('broken');
  });

  it('pages with start and limit, and refuses bad numbers', async () => {
    const { body } = await getJson(api('/messages?start=1&limit=2'));
    expect(body).toMatchObject({ total: 4, start: 1, count: 2 });
    expect(body.messages.map((m: any) => m.id)).toEqual([names.b, names.bad]);
    expect((await getJson(api('/messages?limit=-1'))).status).toBe(400);
  });

  it('searches from:, to:, subject:, has:attachment, is:unread, free text in the HTML body, negation', async () => {
    const ids = async (q: string): Promise<string[]> => (await getJson(api(`/messages?query=${encodeURIComponent(q)}`))).body.messages.map((m: any) => m.id);
    expect(await ids('from:alice')).toEqual([names.a]);
    expect(await ids('to:carol')).toEqual([names.a]);
    expect(await ids('to:alice@example.org')).toEqual([names.b]);
    expect(await ids('subject:lunch')).toEqual([names.b]);
    expect(await ids('has:attachment')).toEqual([names.a]);
    expect(await ids('is:unread from:example')).toEqual([names.a, names.broken]);
    expect(await ids('café')).toEqual([names.a]); // é is =E9 in ISO-8859-1 inside the HTML
    expect(await ids('"pizza at noon"')).toEqual([names.b]);
    expect(await ids('"cut short"')).toEqual([names.broken]);
    expect(await ids('-is:unread')).toEqual([names.b]);
    expect(await ids('refund -has:attachment')).toEqual([]);
    const s = await getJson(api('/search?query=lunch'));
    expect(s.body).toMatchObject({ total: 1, query: 'lunch' });
    expect((await getJson(api('/search'))).status).toBe(400);
    expect((await getJson(api('/messages?query=is:starred'))).body.error).toMatch(/is:unread/);
  });

  it('gives one message whole: headers, parts, the descr tree, text/HTML part ids, attachments, every A-R', async () => {
    const { body } = await getJson(api(`/messages/${encodeURIComponent(names.a)}`));
    expect(body.headers.find((h: any) => h.name === 'Subject').value).toBe('Invoice €42');
    expect(body.html).toBe('1.1');
    expect(body.text).toBeNull();
    const descr = execFileSync(BLAZE, ['descr', '--color', 'never'], { input: MSG_A, encoding: 'utf8' });
    expect(body.tree).toBe(descr);
    expect(body.attachmentParts).toEqual([{ part: '2', type: 'application/octet-stream', filename: '../../evil.sh', size: 300, contentId: null, disposition: 'attachment' }]);
    expect(body.inlineParts).toEqual([{ part: '1.2', type: 'image/png', filename: null, size: PNG.length, contentId: 'logo@x', disposition: null }]);
    expect(body.authResults.map((a: any) => [a.by, a.trusted])).toEqual([['mx.test', true], ['other.example', false]]);
    expect(body.parts.children[0].children[1]).toMatchObject({ id: '1.2', type: 'image/png', contentId: 'logo@x' });
    const tree = await fetch(api(`/messages/${encodeURIComponent(names.a)}/tree?ascii=1`));
    expect(await tree.text()).toBe(execFileSync(BLAZE, ['descr', '--ascii', '--color', 'never'], { input: MSG_A, encoding: 'utf8' }));
    const h = await getJson(api(`/messages/${encodeURIComponent(names.a)}/headers`));
    expect(h.body[0]).toMatchObject({ name: 'Authentication-Results' });
    const p = await getJson(api(`/messages/${encodeURIComponent(names.a)}/parts`));
    expect(p.body.parts.type).toBe('multipart/mixed');
  });

  it('serves the text and the HTML decoded to UTF-8, the HTML only under a sandboxing CSP', async () => {
    const t = await fetch(api(`/messages/${encodeURIComponent(names.b)}/text`));
    expect(t.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await t.text()).toBe('Pizza at noon?\r\n');
    expect((await fetch(api(`/messages/${encodeURIComponent(names.a)}/text`))).status).toBe(404);
    const h = await fetch(api(`/messages/${encodeURIComponent(names.a)}/html`));
    expect(h.headers.get('content-security-policy')).toMatch(/sandbox/);
    expect(await h.text()).toBe('<p>Café refund <img src="cid:logo@x"></p>');
    const p = await fetch(api(`/messages/${encodeURIComponent(names.a)}/preview`));
    const csp = p.headers.get('content-security-policy')!;
    expect(csp).toMatch(/^sandbox allow-same-origin allow-popups allow-popups-to-escape-sandbox; default-src 'none'; img-src 'self' data:;/);
    expect(await p.text()).toBe(`<base target="_blank"><p>Café refund <img src="/api/v1/messages/${encodeURIComponent(names.a)}/cid/logo%40x"></p>`);
    const remote = await fetch(api(`/messages/${encodeURIComponent(names.a)}/preview?remote=1`));
    expect(remote.headers.get('content-security-policy')).toContain("img-src 'self' data: http: https:");
  });

  it('serves the source whole and by byte range', async () => {
    const r = await fetch(api(`/messages/${encodeURIComponent(names.b)}/raw`));
    expect(Buffer.from(await r.arrayBuffer()).toString()).toBe(MSG_B);
    const part = await fetch(api(`/messages/${encodeURIComponent(names.b)}/raw`), { headers: { range: 'bytes=5-8' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 5-8/${MSG_B.length}`);
    expect(await part.text()).toBe(MSG_B.slice(5, 9));
    const dl = await fetch(api(`/messages/${encodeURIComponent(names.b)}/raw?download=1`));
    expect(dl.headers.get('content-type')).toBe('message/rfc822');
    expect(dl.headers.get('content-disposition')).toMatch(/^attachment; filename=".*\.eml"/);
    expect((await fetch(api(`/messages/${encodeURIComponent(names.b)}/raw`), { headers: { range: 'bytes=9999-' } })).status).toBe(416);
  });

  it('downloads a part decoded, with its type and a sanitised file name; cid: parts inline', async () => {
    const r = await fetch(api(`/messages/${encodeURIComponent(names.a)}/parts/2`));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/octet-stream');
    expect(r.headers.get('content-disposition')).toBe(`attachment; filename="evil.sh"; filename*=UTF-8''evil.sh`);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await r.arrayBuffer()).equals(BLOB)).toBe(true);
    const c = await fetch(api(`/messages/${encodeURIComponent(names.a)}/cid/${encodeURIComponent('logo@x')}`));
    expect(c.headers.get('content-type')).toBe('image/png');
    expect(c.headers.get('content-disposition')).toMatch(/^inline;/);
    expect(Buffer.from(await c.arrayBuffer()).equals(PNG)).toBe(true);
    expect((await fetch(api(`/messages/${encodeURIComponent(names.a)}/cid/nope@x`))).status).toBe(404);
    expect((await fetch(api(`/messages/${encodeURIComponent(names.a)}/parts/1`))).status).toBe(400); // a multipart
    expect((await fetch(api(`/messages/${encodeURIComponent(names.a)}/parts/7`))).status).toBe(404);
  });

  it('refuses path traversal on part download and message ids', async () => {
    const secret = readFileSync('/etc/passwd', 'utf8').slice(0, 20);
    for (const p of [
      `/messages/..%2F..%2F..%2Fetc%2Fpasswd/raw`,
      `/messages/..%2F..%2F..%2Fetc%2Fpasswd/parts/1`,
      `/messages/${encodeURIComponent(names.a)}/parts/..%2F..%2F..%2Fetc%2Fpasswd`,
      `/messages/${encodeURIComponent(names.a)}/parts/..`,
      `/messages/${encodeURIComponent(names.a)}/cid/..%2F..%2Fnew`,
      `/messages/new%2F${encodeURIComponent(names.a)}/raw`,
      `/messages/${encodeURIComponent(names.a)}/parts/1.0`,
    ]) {
      const r = await fetch(api(p));
      const text = await r.text();
      expect([400, 404], p).toContain(r.status);
      expect(text).not.toContain(secret);
    }
    // An unencoded ../ is resolved by the URL parser before it reaches the server: still no file.
    const r = await fetch(`${web.url}/api/v1/messages/x/../../../../etc/passwd`);
    expect(r.status).toBe(404);
  });

  it('marks read and unread through the Maildir flags (new/ -> cur/:2,S)', async () => {
    const id = encodeURIComponent(names.broken);
    const r = await getJson(api(`/messages/${id}`), { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{"read":true}' });
    expect(r.body).toMatchObject({ read: true, folder: 'cur', flags: 'S' });
    expect(existsSync(join(dir, 'cur', `${names.broken}:2,S`))).toBe(true);
    expect(existsSync(join(dir, 'new', names.broken))).toBe(false);
    const u = await getJson(api(`/messages/${id}`), { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{"read":false}' });
    expect(u.body).toMatchObject({ read: false, folder: 'cur', flags: '' });
    expect(existsSync(join(dir, 'cur', `${names.broken}:2,`))).toBe(true);
    expect((await fetch(api(`/messages/${id}`), { method: 'PATCH', body: '{"read":true}' })).status).toBe(415);
    expect((await fetch(api(`/messages/${id}`), { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{"read":"yes"}' })).status).toBe(400);
  });

  it('refuses a cross-origin DELETE (CSRF) and keeps the message', async () => {
    const id = encodeURIComponent(names.b);
    const r = await fetch(api(`/messages/${id}`), { method: 'DELETE', headers: { origin: 'http://evil.example' } });
    expect(r.status).toBe(403);
    expect(((await r.json()) as { error: string }).error).toMatch(/cross-origin/);
    const s = await fetch(api('/messages'), { method: 'DELETE', headers: { 'sec-fetch-site': 'cross-site' } });
    expect(s.status).toBe(403);
    expect(readdirSync(join(dir, 'cur')).some((f) => f.startsWith(names.b))).toBe(true);
    expect((await getJson(api('/messages'))).body.total).toBe(4);
  });

  it('answers only to loopback names (DNS rebinding)', async () => {
    const r = await new Promise<number>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: web.port, path: '/api/v1/messages', headers: { host: 'rebind.evil.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      }).on('error', reject);
    });
    expect(r).toBe(421);
  });

  it('deletes one message, then all', async () => {
    const r = await getJson(api(`/messages/${encodeURIComponent(names.bad)}`), { method: 'DELETE', headers: { origin: web.url } });
    expect(r.body).toEqual({ deleted: 1, id: names.bad });
    expect(existsSync(join(dir, 'new', names.bad))).toBe(false);
    expect((await fetch(api(`/messages/${encodeURIComponent(names.bad)}`))).status).toBe(404);
    const all = await getJson(api('/messages'), { method: 'DELETE' });
    expect(all.body).toEqual({ deleted: 3 });
    expect(readdirSync(join(dir, 'new')).length + readdirSync(join(dir, 'cur')).length).toBe(0);
    expect((await getJson(api('/messages'))).body.total).toBe(0);
  });
});

describe('blaze web: live', () => {
  let dir: string;
  let web: Running;
  beforeAll(async () => {
    dir = newMaildir();
    web = await startWeb(dir);
  });
  afterAll(async () => {
    await web?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const api = (p: string): string => `${web.url}/api/v1${p}`;
  const msg = (subject: string, to = 'qa@example.org'): string => crlf([`From: app@example.org`, `To: ${to}`, `Subject: ${subject}`, '', `Your link: https://example.org/${subject}`, '']);

  it('wait: answers when a matching message arrives (the request is already waiting)', async () => {
    const pending = getJson(api(`/wait?query=${encodeURIComponent('to:alice@example.org subject:"reset password"')}&timeout=20`));
    // Wait until the server holds the request, then deliver a non-matching and a matching message.
    await new Promise((r) => setTimeout(r, 200));
    deliver(dir, msg('newsletter', 'alice@example.org'));
    const name = deliver(dir, msg('reset password', 'alice@example.org'));
    const { status, body } = await pending;
    expect(status).toBe(200);
    expect(body.count).toBe(1);
    expect(body.messages[0]).toMatchObject({ id: name, subject: 'reset password' });
  });

  it('wait: a message delivered just before the request counts; `since` excludes older ones; timeout gives 408', async () => {
    const before = Date.now();
    const name = deliver(dir, msg('welcome'));
    const now = await getJson(api(`/wait?query=subject:welcome&timeout=5`));
    expect(now.body.messages.map((m: any) => m.id)).toEqual([name]);
    const t0 = Date.now();
    const none = await getJson(api(`/wait?query=subject:welcome&since=${Date.now() + 1000}&timeout=0.3`));
    expect(none.status).toBe(408);
    expect(none.body.error).toMatch(/^timeout: no message matching "subject:welcome" within 0.3 s/);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(before).toBeLessThanOrEqual(Date.now());
    expect((await getJson(api('/wait?timeout=abc'))).status).toBe(400);
  });

  it('wait: count=N waits for N matching messages (a racing burst)', async () => {
    // deliver() names carry whole seconds: since is the start of this second.
    const pending = getJson(api(`/wait?query=subject:burst&count=3&since=${Math.floor(Date.now() / 1000) * 1000 - 1}&timeout=20`));
    for (let i = 0; i < 3; i++) deliver(dir, msg(`burst ${i}`));
    const { status, body } = await pending;
    expect(status).toBe(200);
    expect(body.messages.map((m: any) => m.subject).sort()).toEqual(['burst 0', 'burst 1', 'burst 2']);
  });

  it('a message renamed by another program just before a request is still served', async () => {
    const name = deliver(dir, msg('moving'));
    await until(async () => (await fetch(api(`/messages/${name}`))).status === 200, 10_000, 'the message listed');
    for (let i = 0; i < 5; i++) {
      // A reader marks it seen (new/ -> cur/ or a new flag) and we ask at once, before the watcher has told the server.
      const from = i === 0 ? join(dir, 'new', name) : join(dir, 'cur', `${name}:2,${i % 2 ? 'S' : 'FS'}`);
      const to = join(dir, 'cur', `${name}:2,${i % 2 ? 'FS' : 'S'}`);
      renameSync(from, to);
      const [raw, preview] = await Promise.all([fetch(api(`/messages/${name}/raw`)), fetch(api(`/messages/${name}/text`))]);
      expect(raw.status).toBe(200);
      expect(await raw.text()).toBe(msg('moving'));
      expect(await preview.text()).toBe('Your link: https://example.org/moving\r\n');
    }
  });

  it('events: new, update and delete arrive as server-sent events', async () => {
    const ctrl = new AbortController();
    const res = await fetch(api('/events'), { signal: ctrl.signal });
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const got: EventSourceMessage[] = [];
    const parser = createParser({ onEvent: (e) => got.push(e) });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    const pump = (async () => {
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        parser.feed(value!);
      }
    })();
    await until(() => got.some((e) => e.event === 'hello'), 5000, 'hello');
    const name = deliver(dir, msg('live one'));
    await until(() => got.some((e) => e.event === 'new' && JSON.parse(e.data).id === name), 10_000, 'new event');
    await fetch(api(`/messages/${encodeURIComponent(name)}`), { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{"read":true}' });
    await until(() => got.some((e) => e.event === 'update' && JSON.parse(e.data).id === name && JSON.parse(e.data).read === true), 10_000, 'update event');
    // Another program removes it: the watcher notices.
    rmSync(join(dir, 'cur', `${name}:2,S`));
    await until(() => got.some((e) => e.event === 'delete' && JSON.parse(e.data).id === name), 10_000, 'delete event');
    const ids = got.filter((e) => e.id).map((e) => Number(e.id));
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    ctrl.abort();
    await pump;
  });
});

describe('blaze web: scale', () => {
  it('pages past 10,000 messages', async () => {
    const dir = newMaildir();
    const N = 10_050;
    const t0 = 1_700_000_000;
    for (let i = 0; i < N; i++) writeFileSync(join(dir, 'new', `${t0 + i}.M0P1Q${i}.test`), `From: s${i}@example.org\r\nSubject: message ${i}\r\n\r\nbody ${i}\r\n`);
    const web = await startWeb(dir);
    try {
      const { body } = await getJson(`${web.url}/api/v1/messages?start=10000&limit=100`);
      expect(body.total).toBe(N);
      expect(body.count).toBe(50);
      // Newest first: position p holds message N-1-p.
      expect(body.messages.map((m: any) => m.subject)).toEqual(Array.from({ length: 50 }, (_, k) => `message ${N - 1 - (10_000 + k)}`));
      const s = await getJson(`${web.url}/api/v1/messages?query=${encodeURIComponent('subject:"message 1000"')}&limit=20`);
      // "message 1000" and "message 10000".."message 10009" contain it: 1 + 10.
      expect(s.body.total).toBe(11);
    } finally {
      await web.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a 100 MB message: listed, its attachment and source streamed, RSS stays bounded', async () => {
    const dir = newMaildir();
    const name = '1700000000.M1P1Q1.big';
    const path = join(dir, 'new', name);
    const { openSync, writeSync, closeSync } = await import('node:fs');
    const fd = openSync(path, 'w');
    writeSync(fd, crlf(['From: big@example.org', 'Subject: big', 'Content-Type: multipart/mixed; boundary=B', '', '--B', 'Content-Type: text/plain', '', 'see attached', '--B', 'Content-Type: application/octet-stream; name=big.bin', 'Content-Transfer-Encoding: base64', '', '']));
    const hash = createHash('sha256');
    let decoded = 0;
    for (let i = 0; i < 76; i++) {
      const raw = randomBytes(57 * 17_000); // 969,000 bytes -> 17,000 base64 lines
      hash.update(raw);
      decoded += raw.length;
      writeSync(fd, raw.toString('base64').replace(/.{76}/g, '$&\r\n'));
    }
    writeSync(fd, '--B--\r\n');
    closeSync(fd);
    const size = (await import('node:fs')).statSync(path).size;
    expect(size).toBeGreaterThan(100_000_000);
    const web = await startWeb(dir);
    try {
      const list = await getJson(`${web.url}/api/v1/messages`);
      expect(list.body.messages[0]).toMatchObject({ subject: 'big', attachments: 1, size });
      const r = await fetch(`${web.url}/api/v1/messages/${name}/parts/2`);
      expect(r.headers.get('content-length')).toBe(String(decoded));
      const got = createHash('sha256');
      for await (const chunk of r.body as unknown as AsyncIterable<Uint8Array>) got.update(chunk);
      expect(got.digest('hex')).toBe(hash.digest('hex'));
      const raw = await fetch(`${web.url}/api/v1/messages/${name}/raw`);
      let n = 0;
      for await (const chunk of raw.body as unknown as AsyncIterable<Uint8Array>) n += chunk.length;
      expect(n).toBe(size);
      const found = await getJson(`${web.url}/api/v1/messages?query=attached`);
      expect(found.body.total).toBe(1);
      const status = readFileSync(`/proc/${web.pid}/status`, 'utf8');
      const peakMB = Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
      expect(peakMB).toBeLessThan(100); // the message is 100 MB: it was never whole in memory
    } finally {
      await web.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('blaze web: access', () => {
  let dir: string;
  beforeAll(() => {
    dir = newMaildir();
    deliver(dir, crlf(['From: a@example.org', 'Subject: secret', '', 'x', '']));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses to listen off loopback without --token or --basic-auth', async () => {
    const r = await execa(BLAZE, ['web', dir, '--listen', '0.0.0.0:0'], { reject: false, env: { BLAZE_WEB_TOKEN: '' } });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe(`blaze: web: --listen 0.0.0.0:0: not a loopback address; anyone who can reach it could read the mail: give --token or --basic-auth`);
    const bad = await execa(BLAZE, ['web', join(dir, 'nope')], { reject: false });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/^blaze: web: .*nope: not a maildir/);
  });

  it('--token: bearer, or ?token= once (a cookie from then on)', async () => {
    const web = await startWeb(dir, ['--token', 'open-sesame-42']);
    try {
      expect((await fetch(`${web.url}/api/v1/messages`)).status).toBe(401);
      expect((await fetch(`${web.url}/api/v1/messages`, { headers: { authorization: 'Bearer open-sesame-42' } })).status).toBe(200);
      const r = await fetch(`${web.url}/?token=open-sesame-42`, { redirect: 'manual' });
      expect(r.status).toBe(303);
      expect(r.headers.get('location')).toBe('/');
      const cookie = r.headers.get('set-cookie')!.split(';')[0];
      expect((await fetch(`${web.url}/api/v1/messages`, { headers: { cookie } })).status).toBe(200);
    } finally {
      await web.stop();
    }
  });

  it('--basic-auth FILE: credentials from an htpasswd file (bcrypt)', async () => {
    const file = join(dir, 'htpasswd');
    execFileSync('htpasswd', ['-cbB', file, 'qa', 'pass word']);
    const web = await startWeb(dir, ['--basic-auth', file]);
    try {
      const r = await fetch(`${web.url}/api/v1/messages`);
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toMatch(/^Basic realm="blaze web"/);
      const ok = await fetch(`${web.url}/api/v1/messages`, { headers: { authorization: 'Basic ' + Buffer.from('qa:pass word').toString('base64') } });
      expect(ok.status).toBe(200);
      expect(((await ok.json()) as { total: number }).total).toBe(1);
    } finally {
      await web.stop();
    }
  });

  it('serves the page with a strict CSP and its bundled script (no CDN)', async () => {
    const web = await startWeb(dir);
    try {
      const r = await fetch(`${web.url}/`);
      expect(r.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
      const html = await r.text();
      expect(html).toContain('<script src="/assets/app.js" defer></script>');
      expect(html).not.toMatch(/https?:\/\//);
      const js = await fetch(`${web.url}/assets/app.js`);
      expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect((await js.text()).length).toBeGreaterThan(1000);
      expect((await fetch(`${web.url}/assets/../../etc/passwd`)).status).toBe(404);
    } finally {
      await web.stop();
    }
  });
});
