// Following a Maildir as other programs change it: fs.watch (inotify) on
// new/ and cur/ says which names appeared or went; each is checked with a
// stat, since an event only says "something happened to this name". Events
// can be lost (a full inotify queue, a file system without notifications),
// so the folders are also polled (their mtime) and rescanned when they
// changed without a word.
import { watch, statSync, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import type { Folder } from './store.ts';

export interface MaildirChange {
  folder: Folder;
  /** The file name in the folder. */
  file: string;
  /** True when the file is there now. */
  present: boolean;
}

export interface MaildirWatcher {
  close(): void;
}

export interface WatchOptions {
  /** Called with the names that changed (checked with stat). */
  onChange(changes: MaildirChange[]): void;
  /** Called when a folder must be read again (no name given, or its mtime moved unexplained). */
  onRescan(folder: Folder): void;
  /** How often the folders' mtimes are looked at (ms; default 2000). */
  pollMs?: number;
}

export function watchMaildir(dir: string, opts: WatchOptions): MaildirWatcher {
  const watchers: FSWatcher[] = [];
  const pending = new Map<string, { folder: Folder; file: string }>();
  let timer: NodeJS.Timeout | undefined;
  const mtimes = new Map<Folder, number>();
  const mtime = (f: Folder): number => {
    try {
      return statSync(join(dir, f)).mtimeMs;
    } catch {
      return -1;
    }
  };
  for (const f of ['new', 'cur'] as const) mtimes.set(f, mtime(f));

  const flush = (): void => {
    timer = undefined;
    const changes: MaildirChange[] = [];
    for (const { folder, file } of pending.values()) {
      let present = false;
      try {
        present = statSync(join(dir, folder, file)).isFile();
      } catch {
        present = false;
      }
      changes.push({ folder, file, present });
    }
    pending.clear();
    for (const f of ['new', 'cur'] as const) mtimes.set(f, mtime(f));
    if (changes.length) opts.onChange(changes);
  };

  for (const folder of ['new', 'cur'] as const) {
    try {
      const w = watch(join(dir, folder), { persistent: false }, (_event, name) => {
        if (!name) {
          opts.onRescan(folder);
          return;
        }
        const file = name.toString();
        if (file.startsWith('.')) return;
        pending.set(`${folder}/${file}`, { folder, file });
        // A burst of deliveries is handled together, a few milliseconds later.
        timer ??= setTimeout(flush, 15);
      });
      w.on('error', () => opts.onRescan(folder));
      watchers.push(w);
    } catch {
      /* no notifications here: the poll below does the job */
    }
  }
  const poll = setInterval(() => {
    if (timer) return;
    for (const f of ['new', 'cur'] as const) {
      const m = mtime(f);
      if (m !== mtimes.get(f)) {
        mtimes.set(f, m);
        opts.onRescan(f);
      }
    }
  }, opts.pollMs ?? 2000);
  poll.unref();
  return {
    close() {
      for (const w of watchers) w.close();
      clearInterval(poll);
      if (timer) clearTimeout(timer);
    },
  };
}
