// The web inbox's view of a Maildir: every message's entry (name, folder,
// flags, arrival time) sorted newest first, its summary computed on demand
// and kept as a small JSON string plus the lower-cased strings search looks
// at, and a feed of changes (new, update, delete) for the live page, SSE and
// the wait endpoint. The Maildir is the only store: other programs may
// deliver, flag or delete at any time, and the watcher catches up.
import { join } from 'node:path';
import { statSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import {
  watchMaildir, parseFileName, fileNameWithFlags, applyFlagChanges, changeFlags, removeMessage,
  normalizeFlags, type Folder, type MaildirChange, type MaildirEntry, type MaildirWatcher,
} from '../maildir/index.ts';
import { matchHeaders, TextFinder, type Query, type Searchable } from './query.ts';
import { folderFileNames } from '../maildir/index.ts';
import { summarize, unreadable, type Summary } from './summary.ts';
import { scanIndex, scanStructure, scanText } from './scan.ts';

export interface Entry {
  id: string;
  folder: Folder;
  file: string;
  flags: string;
  /** Arrival time (ms): from the Maildir name (`SECONDS.M<usec>...`), else the file's mtime. */
  time: number;
  /**
   * What search looks at, once the message has been read (lower-cased):
   * kept small on purpose, 100,000 of them must fit in a few tens of MB.
   * Summaries themselves are made again when shown (a few recent ones kept).
   */
  from?: string;
  to?: string;
  subject?: string;
  attachments?: number;
  /** The Date field, else the arrival time (ms). */
  dateMs?: number;
}

export type InboxEvent =
  | { type: 'new'; seq: number; summary: Summary }
  | { type: 'update'; seq: number; summary: Summary }
  | { type: 'delete'; seq: number; id: string }
  | { type: 'reset'; seq: number };

export interface Page {
  total: number;
  start: number;
  messages: string[]; // summaries as JSON
}

export interface InboxOptions {
  /** authserv-ids whose Authentication-Results are shown (RFC 8601 §5). */
  trustedAuthservIds: string[];
  pollMs?: number;
}

const yieldToLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

/** The arrival time a Maildir unique name carries (seconds and, from qmail's M field, microseconds). */
export function timeFromName(name: string): number | undefined {
  const m = /^(\d{9,12})(?:\.(?:M(\d{1,6}))?)?/.exec(name);
  if (!m) return undefined;
  return Number(m[1]) * 1000 + (m[2] ? Number(m[2]) / 1000 : 0);
}

/** Newest first; ties by name so the order is stable. */
function newer(a: Entry, b: Entry): number {
  return b.time - a.time || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

export class Inbox {
  private readonly entries = new Map<string, Entry>();
  private sorted: Entry[] = [];
  private dirty = false;
  private seq = 0;
  private readonly listeners = new Set<(e: InboxEvent) => void>();
  private watcher?: MaildirWatcher;
  private warming = false;
  private closed = false;
  /** Summaries recently made (JSON), by id: pages shown again and again are not read again. */
  private readonly recent = new Map<string, string>();

  constructor(
    readonly dir: string,
    private readonly opts: InboxOptions,
  ) {}

  async open(): Promise<void> {
    for (const f of ['new', 'cur'] as const) await this.rescan(f, false);
    this.watcher = watchMaildir(this.dir, {
      onChange: (c) => this.applyChanges(c),
      onRescan: (f) => void this.rescan(f, true),
      pollMs: this.opts.pollMs,
    });
  }

  close(): void {
    this.closed = true;
    this.watcher?.close();
    this.listeners.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  /** Computes every summary in the background, newest first (search is then a walk through memory). */
  async warm(): Promise<void> {
    if (this.warming) return;
    this.warming = true;
    let t = Date.now();
    for (const e of this.list()) {
      if (this.closed) break;
      this.indexed(e);
      if (Date.now() - t > 10) {
        await yieldToLoop();
        t = Date.now();
      }
    }
    this.warming = false;
  }

  subscribe(fn: (e: InboxEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  get lastSeq(): number {
    return this.seq;
  }

  private emit(e: InboxEvent extends infer E ? (E extends InboxEvent ? Omit<E, 'seq'> : never) : never): void {
    const ev = { ...e, seq: ++this.seq } as InboxEvent;
    for (const fn of [...this.listeners]) fn(ev);
  }

  private list(): Entry[] {
    if (this.dirty) {
      this.sorted = [...this.entries.values()].sort(newer);
      this.dirty = false;
    }
    return this.sorted;
  }

  get(id: string): Entry | undefined {
    return this.entries.get(id);
  }

  path(e: Entry): string {
    return join(this.dir, e.folder, e.file);
  }

  private makeEntry(folder: Folder, file: string): Entry {
    const { id, flags } = splitName(file);
    let time = timeFromName(id);
    if (time === undefined) {
      try {
        time = statSync(join(this.dir, folder, file)).mtimeMs;
      } catch {
        time = 0;
      }
    }
    return { id, folder, file, flags, time };
  }

  /** The summary of an entry, read from its file (or the few kept). */
  summary(e: Entry): Summary {
    return JSON.parse(this.summaryJson(e)) as Summary;
  }

  summaryJson(e: Entry): string {
    const kept = this.recent.get(e.id);
    if (kept !== undefined) {
      // Most recently used last: the Map's order is the eviction order.
      this.recent.delete(e.id);
      this.recent.set(e.id, kept);
      return kept;
    }
    const s = this.read(e);
    const json = JSON.stringify(s);
    if (!s.warnings.includes(MOVED)) {
      this.recent.set(e.id, json);
      if (this.recent.size > RECENT) this.recent.delete(this.recent.keys().next().value!);
    }
    return json;
  }

  /** Reads the summary from the file and keeps what search needs. */
  private read(e: Entry): Summary {
    const info = { id: e.id, folder: e.folder, flags: e.flags, size: 0, receivedMs: e.time };
    let s: Summary;
    try {
      const r = scanStructure(this.path(e), { headerOnly: true });
      s = summarize({ ...info, size: r.size }, r.structure, this.opts.trustedAuthservIds);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // Renamed or moved as we looked (a flag change): the watcher will say where; nothing is kept.
      if (code === 'ENOENT') return unreadable(info, MOVED);
      s = unreadable(info, `unreadable: ${code ?? (err as Error).message}`);
    }
    return s;
  }

  /** The entry's search fields, reading the file the first time (its header only, unless it is a multipart). */
  private indexed(e: Entry): Searchable | undefined {
    if (e.attachments === undefined) {
      try {
        const k = scanIndex(this.path(e));
        e.from = k.from;
        e.to = k.to;
        e.subject = k.subject;
        e.dateMs = k.dateMs ?? e.time;
        e.attachments = k.attachments;
      } catch {
        return undefined; // moved as we looked (the watcher will say where), or unreadable: matches nothing
      }
    }
    return { from: e.from!, to: e.to!, subject: e.subject!, attachments: e.attachments, epochMs: e.dateMs!, unread: !e.flags.includes('S') };
  }

  /** A page of the list, newest first; with a query, of the messages matching it. */
  async page(query: Query | undefined, start: number, limit: number): Promise<Page> {
    const all = this.list();
    if (!query || query.terms.length === 0) {
      const slice = all.slice(start, start + limit);
      return { total: all.length, start, messages: slice.map((e) => this.summaryJson(e)) };
    }
    const out: string[] = [];
    let total = 0;
    let t = Date.now();
    for (const e of all.slice()) {
      // Most entries are decided by their header fields: no await for them.
      const checks = this.headerChecks(e, query);
      if (checks !== false && (checks.length === 0 || (await this.matches(e, query)))) {
        if (total >= start && out.length < limit) out.push(this.summaryJson(e));
        total++;
      }
      if (Date.now() - t > 20) {
        await yieldToLoop();
        t = Date.now();
      }
    }
    return { total, start, messages: out };
  }

  /** Whether an entry matches a query (its text read from the file only when the header fields do not decide). */
  async matches(e: Entry, q: Query): Promise<boolean> {
    const checks = this.headerChecks(e, q);
    if (checks === false) return false;
    if (checks.length === 0) return true;
    const finder = new TextFinder(checks.map((c) => c.value));
    await scanText(this.path(e), finder, yieldToLoop);
    return finder.verdict(checks);
  }

  /** The header-level verdict, without waiting: false, or the text still to look for. */
  private headerChecks(e: Entry, q: Query): ReturnType<typeof matchHeaders> {
    const k = this.indexed(e);
    if (!k) return false; // unreadable just now
    return matchHeaders(q, k);
  }

  /** Entries that arrived after `sinceMs` (all when undefined) and match, newest first. */
  async matching(q: Query | undefined, sinceMs: number | undefined, limit: number): Promise<Entry[]> {
    const out: Entry[] = [];
    for (const e of this.list().slice()) {
      if (sinceMs !== undefined && e.time <= sinceMs) break; // sorted newest first
      if (!q || (await this.matches(e, q))) out.push(e);
      if (out.length >= limit) break;
    }
    return out;
  }

  /** Sets or clears the Seen flag; a message read from new/ moves to cur/ (maildir(5)). */
  async setRead(e: Entry, read: boolean): Promise<Entry> {
    const changes = [read ? '+S' : '-S'];
    const me: MaildirEntry = { folder: e.folder, file: e.file, name: e.id, flags: e.flags, info: parseFileName(e.file).info, path: this.path(e) };
    let r;
    if (read && e.folder === 'new') {
      const flags = applyFlagChanges(e.flags, changes);
      const file = fileNameWithFlags(e.id, flags.ok ? flags.value : 'S');
      await rename(me.path, join(this.dir, 'cur', file));
      r = { folder: 'cur' as const, file, flags: parseFileName(file).flags };
    } else {
      const c = await changeFlags(this.dir, me, changes);
      if (!c.ok) throw new Error(c.message);
      r = { folder: c.value.folder, file: c.value.file, flags: c.value.flags };
    }
    this.update(e, r.folder, r.file, r.flags);
    return e;
  }

  async remove(e: Entry): Promise<void> {
    await removeMessage({ folder: e.folder, file: e.file, name: e.id, flags: e.flags, path: this.path(e) });
    this.forget(e);
  }

  /** Removes every message; returns how many. */
  async removeAll(): Promise<number> {
    let n = 0;
    for (const e of [...this.entries.values()]) {
      try {
        await removeMessage({ folder: e.folder, file: e.file, name: e.id, flags: e.flags, path: this.path(e) });
        n++;
      } catch {
        /* gone already */
      }
      this.entries.delete(e.id);
    }
    this.recent.clear();
    this.dirty = true;
    this.emit({ type: 'reset' });
    return n;
  }

  private update(e: Entry, folder: Folder, file: string, flags: string): void {
    if (e.folder === folder && e.file === file) return;
    e.folder = folder;
    e.file = file;
    e.flags = flags;
    const kept = this.recent.get(e.id);
    this.recent.delete(e.id);
    if (kept !== undefined) {
      const s = JSON.parse(kept) as Summary;
      Object.assign(s, { folder, flags, read: flags.includes('S') });
      this.recent.set(e.id, JSON.stringify(s));
      this.emit({ type: 'update', summary: s });
    } else this.emit({ type: 'update', summary: this.summary(e) });
  }

  private forget(e: Entry): void {
    if (this.entries.get(e.id) !== e) return;
    this.entries.delete(e.id);
    this.recent.delete(e.id);
    this.dirty = true;
    this.emit({ type: 'delete', id: e.id });
  }

  private add(folder: Folder, file: string): void {
    const { id, flags } = splitName(file);
    const known = this.entries.get(id);
    if (known) {
      this.update(known, folder, file, flags);
      return;
    }
    const e = this.makeEntry(folder, file);
    this.entries.set(e.id, e);
    // Usually the newest: put it in front without sorting everything.
    if (!this.dirty && (this.sorted.length === 0 || newer(e, this.sorted[0]) <= 0)) this.sorted.unshift(e);
    else this.dirty = true;
    this.emit({ type: 'new', summary: this.summary(e) });
  }

  private applyChanges(changes: MaildirChange[]): void {
    // Arrivals first: a message moved from new/ to cur/ is an update, not a delete and a new.
    for (const c of changes) if (c.present) this.add(c.folder, c.file);
    for (const c of changes) {
      if (c.present) continue;
      const e = this.entries.get(parseFileName(c.file).unique);
      if (e && e.folder === c.folder && e.file === c.file) this.forget(e);
    }
  }

  /** Reads a folder again and reconciles (start-up, or events were lost). */
  private async rescan(folder: Folder, announce: boolean): Promise<void> {
    const seen = new Set<string>();
    try {
      for (const batch of folderFileNames(this.dir, folder)) {
        for (const file of batch) {
          seen.add(file);
          if (announce) {
            const e = this.entries.get(splitName(file).id);
            if (!e || e.file !== file || e.folder !== folder) this.add(folder, file);
          } else {
            const e = this.makeEntry(folder, file);
            if (!this.entries.has(e.id)) this.entries.set(e.id, e);
          }
        }
        await yieldToLoop();
      }
    } catch {
      return; // the folder is gone or unreadable: keep what is known
    }
    for (const e of [...this.entries.values()]) if (e.folder === folder && !seen.has(e.file)) (announce ? this.forget(e) : this.entries.delete(e.id));
    this.dirty = true;
  }
}

const MOVED = 'the file moved or went while being read';
/** Summaries kept ready (JSON, about half a kilobyte each). */
const RECENT = 2000;

/** The unique name and the flags of a file name (maildir(5) `unique:2,FLAGS`), without allocations for the common cases. */
function splitName(file: string): { id: string; flags: string } {
  const i = file.indexOf(':');
  if (i < 0) return { id: file, flags: '' };
  const info = file.slice(i + 1);
  if (!info.startsWith('2,')) return { id: file.slice(0, i), flags: '' };
  const f = info.slice(2);
  return { id: file.slice(0, i), flags: f.length < 2 ? f : normalizeFlags(f) };
}
