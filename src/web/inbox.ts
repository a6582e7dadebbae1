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
  listFolderBatches, watchMaildir, parseFileName, fileNameWithFlags, applyFlagChanges, changeFlags, removeMessage,
  type Folder, type MaildirChange, type MaildirEntry, type MaildirWatcher,
} from '../maildir/index.ts';
import { matchHeaders, TextFinder, type Query, type Searchable } from './query.ts';
import { summarize, unreadable, searchable, type Summary } from './summary.ts';
import { scanStructure, scanText } from './scan.ts';

export interface Entry {
  id: string;
  folder: Folder;
  file: string;
  flags: string;
  /** Arrival time (ms): from the Maildir name (`SECONDS.M<usec>...`), else the file's mtime. */
  time: number;
  /** The summary as sent (JSON), once computed. */
  json?: string;
  search?: Searchable;
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
      this.summaryJson(e);
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
    const p = parseFileName(file);
    let time = timeFromName(p.unique);
    if (time === undefined) {
      try {
        time = statSync(join(this.dir, folder, file)).mtimeMs;
      } catch {
        time = 0;
      }
    }
    return { id: p.unique, folder, file, flags: p.flags, time };
  }

  /** The summary of an entry (computed once, then kept as JSON). */
  summary(e: Entry): Summary {
    return JSON.parse(this.summaryJson(e)) as Summary;
  }

  summaryJson(e: Entry): string {
    if (e.json !== undefined) return e.json;
    const info = { id: e.id, folder: e.folder, flags: e.flags, size: 0, receivedMs: e.time };
    let s: Summary;
    try {
      const r = scanStructure(this.path(e), { headerOnly: true });
      s = summarize({ ...info, size: r.size }, r.structure, this.opts.trustedAuthservIds);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // Renamed or moved as we looked (a flag change): the watcher will say where; not kept.
      if (code === 'ENOENT') return JSON.stringify(unreadable(info, 'the file moved or went while being read'));
      s = unreadable(info, `unreadable: ${code ?? (err as Error).message}`);
    }
    e.json = JSON.stringify(s);
    e.search = searchable(s);
    return e.json;
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
      if (await this.matches(e, query)) {
        if (total >= start && out.length < limit) out.push(e.json!);
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
    this.summaryJson(e);
    if (!e.search) return false; // unreadable just now
    const checks = matchHeaders(q, e.search);
    if (checks === false) return false;
    if (checks.length === 0) return true;
    const finder = new TextFinder(checks.map((c) => c.value));
    await scanText(this.path(e), finder, yieldToLoop);
    return finder.verdict(checks);
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
    this.dirty = true;
    this.emit({ type: 'reset' });
    return n;
  }

  private update(e: Entry, folder: Folder, file: string, flags: string): void {
    if (e.folder === folder && e.file === file) return;
    e.folder = folder;
    e.file = file;
    e.flags = flags;
    if (e.json !== undefined) {
      const s = JSON.parse(e.json) as Summary;
      Object.assign(s, { folder, flags, read: flags.includes('S') });
      e.json = JSON.stringify(s);
      e.search!.unread = !s.read;
      this.emit({ type: 'update', summary: s });
    } else this.emit({ type: 'update', summary: this.summary(e) });
  }

  private forget(e: Entry): void {
    if (this.entries.get(e.id) !== e) return;
    this.entries.delete(e.id);
    this.dirty = true;
    this.emit({ type: 'delete', id: e.id });
  }

  private add(folder: Folder, file: string): void {
    const id = parseFileName(file).unique;
    const known = this.entries.get(id);
    if (known) {
      this.update(known, folder, file, parseFileName(file).flags);
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
      for await (const batch of listFolderBatches(this.dir, folder)) {
        for (const m of batch) {
          seen.add(m.file);
          if (announce) {
            const e = this.entries.get(m.name);
            if (!e || e.file !== m.file || e.folder !== folder) this.add(folder, m.file);
          } else if (!this.entries.has(m.name)) {
            this.entries.set(m.name, this.makeEntry(folder, m.file));
          }
        }
        if (!announce) this.dirty = true;
      }
    } catch {
      return; // the folder is gone or unreadable: keep what is known
    }
    for (const e of [...this.entries.values()]) if (e.folder === folder && !seen.has(e.file)) (announce ? this.forget(e) : this.entries.delete(e.id));
    this.dirty = true;
  }
}
