// The web inbox page: plain DOM, no framework. It reads /api/v1, follows
// /api/v1/events for live updates, and shows a message's HTML only inside a
// sandboxed iframe pointed at /preview (the server's CSP blocks remote
// content until "Load remote images").

interface Person { name: string; address: string }
interface Summary {
  id: string; read: boolean; size: number; received: string; date: string | null;
  from: Person | null; to: Person[]; cc: Person[]; subject: string; attachments: number;
  auth: { by: string; spf: string | null; dkim: string | null; dmarc: string | null } | null;
  warnings: string[];
}
interface Download { part: string; type: string; filename: string | null; size: number | null; contentId: string | null }
interface Detail extends Summary {
  headers: Array<{ name: string; value: string }>;
  tree: string; text: string | null; html: string | null;
  attachmentParts: Download[]; inlineParts: Download[];
  authResults: Array<{ by?: string; trusted: boolean; error?: string; results?: Array<{ method: string; result: string; reason?: string; properties: Array<{ type: string; name: string; value: string }> }> }>;
}
interface Page { total: number; start: number; count: number; messages: Summary[] }

const PAGE_SIZE = 50;
const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const api = (path: string): string => `/api/v1${path}`;
const enc = encodeURIComponent;

const state = {
  start: 0,
  query: '',
  messages: [] as Summary[],
  total: 0,
  selected: -1,
  open: null as Detail | null,
  tab: 'html',
  remote: false,
};

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...kids: Array<Node | string>): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...kids);
  return e;
}

function person(p: Person | null): string {
  if (!p) return '(no sender)';
  return p.name ? `${p.name} <${p.address}>` : p.address;
}

function when(s: Summary): string {
  const d = new Date(s.date ?? s.received);
  if (Number.isNaN(d.getTime())) return '';
  const today = new Date();
  return d.toDateString() === today.toDateString() ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : d.toLocaleDateString();
}

function size(n: number | null): string {
  if (n === null) return '';
  return n < 1024 ? `${n} B` : n < 1048576 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1048576).toFixed(1)} MB`;
}

async function getJson<T>(path: string): Promise<T> {
  const r = await fetch(api(path), { headers: { accept: 'application/json' } });
  if (!r.ok) throw new Error(((await r.json().catch(() => ({}))) as { error?: string }).error ?? r.statusText);
  return (await r.json()) as T;
}

async function loadList(): Promise<void> {
  const q = state.query ? `&query=${enc(state.query)}` : '';
  let page: Page;
  try {
    page = await getJson<Page>(`/messages?start=${state.start}&limit=${PAGE_SIZE}${q}`);
  } catch (err) {
    $('count').textContent = String((err as Error).message);
    return;
  }
  const keep = state.messages[state.selected]?.id;
  state.messages = page.messages;
  state.total = page.total;
  state.selected = keep ? state.messages.findIndex((m) => m.id === keep) : -1;
  renderList();
}

function renderList(): void {
  const list = $('list');
  list.replaceChildren(
    ...state.messages.map((m, i) => {
      const badges: string[] = [];
      if (m.attachments) badges.push(`${m.attachments} attachment${m.attachments > 1 ? 's' : ''}`);
      if (m.auth?.dmarc) badges.push(`DMARC ${m.auth.dmarc}`);
      if (m.warnings.length) badges.push('malformed');
      const li = el('li', { role: 'option', 'data-id': m.id, class: `${m.read ? '' : 'unread'} ${i === state.selected ? 'selected' : ''}`.trim() },
        el('span', { class: 'from' }, person(m.from)),
        el('span', { class: 'date' }, when(m)),
        el('span', { class: 'subject' }, m.subject || '(no subject)'),
        el('span', { class: 'badges' }, badges.join(' ')));
      li.addEventListener('click', () => {
        state.selected = i;
        void openMessage(m.id);
      });
      return li;
    }),
  );
  const end = Math.min(state.start + state.messages.length, state.total);
  $('count').textContent = `${state.total} message${state.total === 1 ? '' : 's'}${state.query ? ' found' : ''}`;
  $('range').textContent = state.total ? `${state.start + 1}–${end} of ${state.total}` : '';
  ($('newer') as HTMLButtonElement).disabled = state.start === 0;
  ($('older') as HTMLButtonElement).disabled = end >= state.total;
}

function select(i: number): void {
  if (!state.messages.length) return;
  state.selected = Math.max(0, Math.min(state.messages.length - 1, i));
  renderList();
  $('list').children[state.selected]?.scrollIntoView({ block: 'nearest' });
}

function verdictClass(v: string): string {
  return v === 'pass' ? 'pass' : v === 'fail' || v === 'permerror' ? 'fail' : 'other';
}

async function openMessage(id: string): Promise<void> {
  let d: Detail;
  try {
    d = await getJson<Detail>(`/messages/${enc(id)}`);
  } catch (err) {
    $('v-warnings').replaceChildren(el('p', {}, String((err as Error).message)));
    return;
  }
  state.open = d;
  state.remote = false;
  if (!d.read) void setRead(d.id, true);
  $('empty').hidden = true;
  $('view').hidden = false;
  $('v-subject').textContent = d.subject || '(no subject)';
  const meta: Array<[string, string]> = [['From', person(d.from)], ['To', d.to.map(person).join(', ')]];
  if (d.cc.length) meta.push(['Cc', d.cc.map(person).join(', ')]);
  meta.push(['Date', d.date ?? `(none; received ${d.received})`], ['Size', size(d.size)]);
  $('v-meta').replaceChildren(...meta.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
  const auth = d.auth;
  $('v-auth').replaceChildren(...(auth ? (['spf', 'dkim', 'dmarc'] as const).filter((k) => auth[k]).map((k) => el('span', { class: `verdict ${verdictClass(auth[k]!)}`, title: `from ${auth.by}` }, `${k.toUpperCase()} ${auth[k]}`)) : []));
  $('v-warnings').replaceChildren(...d.warnings.map((w) => el('p', {}, `⚠ ${w}`)));
  const files = [...d.attachmentParts, ...d.inlineParts];
  $('v-attachments').replaceChildren(
    ...files.map((a) => el('li', {}, el('a', { href: api(`/messages/${enc(d.id)}/parts/${a.part}`), download: a.filename ?? '', 'data-part': a.part }, `${a.filename ?? a.type} (${size(a.size)})`))),
  );
  ($('v-download') as HTMLAnchorElement).href = api(`/messages/${enc(d.id)}/raw?download=1`);
  showTab(d.html ? 'html' : 'text');
}

async function setRead(id: string, read: boolean): Promise<void> {
  await fetch(api(`/messages/${enc(id)}`), { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ read }) });
}

async function deleteMessage(id: string): Promise<void> {
  await fetch(api(`/messages/${enc(id)}`), { method: 'DELETE' });
  if (state.open?.id === id) closeView();
  await loadList();
}

function closeView(): void {
  state.open = null;
  $('view').hidden = true;
  $('empty').hidden = false;
}

function pre(text: string): HTMLElement {
  return el('pre', {}, text);
}

async function showTab(tab: string): Promise<void> {
  const d = state.open;
  if (!d) return;
  state.tab = tab;
  for (const b of Array.from(document.querySelectorAll<HTMLButtonElement>('#tabs button'))) b.setAttribute('aria-selected', String(b.dataset.tab === tab));
  const panel = $('panel');
  const base = `/messages/${enc(d.id)}`;
  if (tab === 'html') {
    if (!d.html) return void panel.replaceChildren(el('p', { class: 'note' }, 'This message has no HTML part.'));
    const frame = el('iframe', { sandbox: 'allow-same-origin allow-popups allow-popups-to-escape-sandbox', referrerpolicy: 'no-referrer', title: 'HTML preview', src: api(`${base}/preview${state.remote ? '?remote=1' : ''}`) });
    const bar = el('div', { class: 'remote-bar' });
    if (!state.remote) {
      const b = el('button', { type: 'button', id: 'load-remote' }, 'Load remote images');
      b.addEventListener('click', () => {
        state.remote = true;
        void showTab('html');
      });
      bar.append('Remote content is blocked.', b);
    } else bar.append('Remote content allowed for this message.');
    panel.replaceChildren(bar, frame);
  } else if (tab === 'text') {
    if (!d.text) return void panel.replaceChildren(el('p', { class: 'note' }, 'This message has no text/plain part.'));
    const r = await fetch(api(`${base}/text`));
    panel.replaceChildren(pre(await r.text()));
  } else if (tab === 'headers') {
    panel.replaceChildren(el('table', {}, ...d.headers.map((h) => el('tr', {}, el('th', {}, h.name), el('td', {}, h.value)))));
  } else if (tab === 'source') {
    // The first 256 KiB: a 100 MB message is not poured into the page.
    const r = await fetch(api(`${base}/raw`), { headers: { range: 'bytes=0-262143' } });
    const t = await r.text();
    const cut = r.status === 206 ? `\n\n[… first 256 KiB of ${size(d.size)}; Download .eml for the rest]` : '';
    panel.replaceChildren(pre(t + cut));
  } else if (tab === 'mime') {
    panel.replaceChildren(pre(d.tree));
  } else if (tab === 'auth') {
    if (!d.authResults.length) return void panel.replaceChildren(el('p', { class: 'note' }, 'No Authentication-Results field (deliver through blaze srv --verify to have one).'));
    panel.replaceChildren(
      ...d.authResults.map((a) =>
        el('table', {},
          el('tr', {}, el('th', { colspan: '3' }, a.error ? `unreadable field: ${a.error}` : `${a.by}${a.trusted ? ' (this receiver)' : ' (not trusted: another server, or written by the sender)'}`)),
          ...(a.results ?? []).map((r) => el('tr', {}, el('td', {}, r.method), el('td', {}, el('span', { class: `verdict ${verdictClass(r.result)}` }, r.result)), el('td', {}, [r.reason ? `reason: ${r.reason}` : '', ...r.properties.map((p) => `${p.type}.${p.name}=${p.value}`)].filter(Boolean).join('  '))))),
      ),
    );
  }
}

let reloadTimer: number | undefined;
function reloadSoon(): void {
  if (reloadTimer !== undefined) return;
  reloadTimer = window.setTimeout(() => {
    reloadTimer = undefined;
    void loadList();
  }, 100);
}

function follow(): void {
  const es = new EventSource(api('/events'));
  for (const type of ['new', 'update', 'delete', 'reset']) {
    es.addEventListener(type, (ev) => {
      if (type === 'delete' && state.open && JSON.parse((ev as MessageEvent).data).id === state.open.id) closeView();
      if (type === 'reset') closeView();
      reloadSoon();
    });
  }
}

function wire(): void {
  const search = $('search') as HTMLInputElement;
  let typing: number | undefined;
  search.addEventListener('input', () => {
    window.clearTimeout(typing);
    typing = window.setTimeout(() => {
      state.query = search.value.trim();
      state.start = 0;
      void loadList();
    }, 250);
  });
  search.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' || e.key === 'Enter') {
      search.blur();
      $('list').focus();
    }
  });
  $('newer').addEventListener('click', () => {
    state.start = Math.max(0, state.start - PAGE_SIZE);
    void loadList();
  });
  $('older').addEventListener('click', () => {
    state.start += PAGE_SIZE;
    void loadList();
  });
  $('delete-all').addEventListener('click', async () => {
    if (!confirm(`Delete all ${state.total} messages?`)) return;
    await fetch(api('/messages'), { method: 'DELETE' });
    closeView();
    await loadList();
  });
  $('v-delete').addEventListener('click', () => state.open && void deleteMessage(state.open.id));
  $('v-unread').addEventListener('click', async () => {
    if (!state.open) return;
    await setRead(state.open.id, false);
  });
  for (const b of Array.from(document.querySelectorAll<HTMLButtonElement>('#tabs button'))) b.addEventListener('click', () => void showTab(b.dataset.tab!));
  document.addEventListener('keydown', (e) => {
    if (e.target instanceof HTMLInputElement || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === 'j') select(state.selected + 1);
    else if (e.key === 'k') select(state.selected - 1);
    else if (e.key === '/') {
      e.preventDefault();
      search.focus();
    } else if (e.key === 'Enter' && state.selected >= 0) void openMessage(state.messages[state.selected].id);
    else if (e.key === 'd') {
      const id = state.open?.id ?? state.messages[state.selected]?.id;
      if (id) void deleteMessage(id);
    } else return;
    e.preventDefault();
  });
}

wire();
follow();
void loadList();
