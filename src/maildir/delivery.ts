// Delivery into a Maildir (qmail's maildir(5)): write the message to tmp/,
// fsync it, hard-link it into new/ (rename when the file system has no hard
// links), fsync new/ so the entry survives a crash, then unlink the tmp/ name.
// A reader scanning new/ therefore never sees a partial message, and several
// processes can deliver into the same directory at once.
import { open, link, rename, unlink, mkdir, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { uniqueName } from './unique.ts';

export const MAILDIR_SUBDIRS = ['tmp', 'new', 'cur'] as const;

/** Creates DIR/tmp, DIR/new and DIR/cur (and DIR itself); existing ones are kept. */
export async function initMaildir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  for (const sub of MAILDIR_SUBDIRS) await mkdir(join(dir, sub), { recursive: true, mode: 0o700 });
}

/** True when DIR has tmp/, new/ and cur/ directories. */
export async function isMaildir(dir: string): Promise<boolean> {
  for (const sub of MAILDIR_SUBDIRS) {
    try {
      if (!(await stat(join(dir, sub))).isDirectory()) return false;
    } catch {
      return false;
    }
  }
  return true;
}

export interface DeliveryOptions {
  hostname?: string;
}

export interface Delivery {
  /** The unique name the message will have in new/. */
  readonly name: string;
  /** The path of the file being written in tmp/. */
  readonly tmpPath: string;
  write(chunk: Uint8Array): Promise<void>;
  /** Makes the message visible in new/ and returns its name there. */
  commit(): Promise<string>;
  /** Drops the message: the tmp/ file is removed, nothing appears in new/. */
  abort(): Promise<void>;
}

/** Opens a new file in DIR/tmp with a unique name (never overwriting another). */
export async function beginDelivery(dir: string, opts: DeliveryOptions = {}): Promise<Delivery> {
  for (let attempt = 0; ; attempt++) {
    const name = uniqueName({ hostname: opts.hostname });
    const tmpPath = join(dir, 'tmp', name);
    try {
      const fh = await open(tmpPath, 'wx', 0o600);
      return new FileDelivery(dir, name, tmpPath, fh);
    } catch (err) {
      // EEXIST cannot really happen with 64 random bits, but a retry is cheap.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 5) throw err;
    }
  }
}

class FileDelivery implements Delivery {
  private state: 'open' | 'committed' | 'aborted' = 'open';

  constructor(
    private readonly dir: string,
    public name: string,
    readonly tmpPath: string,
    private readonly fh: FileHandle,
  ) {}

  async write(chunk: Uint8Array): Promise<void> {
    if (this.state !== 'open') throw new Error(`maildir delivery already ${this.state}`);
    let off = 0;
    while (off < chunk.length) {
      const { bytesWritten } = await this.fh.write(chunk, off, chunk.length - off);
      off += bytesWritten;
    }
  }

  async commit(): Promise<string> {
    if (this.state !== 'open') throw new Error(`maildir delivery already ${this.state}`);
    try {
      await this.fh.sync();
      await this.fh.close();
    } catch (err) {
      await this.abort();
      throw err;
    }
    this.state = 'committed';
    const newDir = join(this.dir, 'new');
    let linked = false;
    try {
      await link(this.tmpPath, join(newDir, this.name));
      linked = true;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') {
        // Someone holds this name in new/ already: pick another one.
        await unlink(this.tmpPath).catch(() => {});
        throw err;
      }
      // No hard links here (some FUSE/network file systems): rename is atomic too.
      try {
        await rename(this.tmpPath, join(newDir, this.name));
      } catch (err2) {
        await unlink(this.tmpPath).catch(() => {});
        throw err2;
      }
    }
    await syncDirShared(newDir);
    if (linked) await unlink(this.tmpPath).catch(() => {});
    return this.name;
  }

  async abort(): Promise<void> {
    if (this.state === 'aborted' || this.state === 'committed') return;
    this.state = 'aborted';
    await this.fh.close().catch(() => {});
    await unlink(this.tmpPath).catch(() => {});
  }
}

/**
 * syncDir shared by concurrent deliveries (group commit): an fsync of the
 * directory that starts after a caller's link covers it, so callers that
 * arrive while one runs all wait for the next one, which then serves them
 * together. Under load N links cost about 2 directory fsyncs, not N.
 */
const dirSyncs = new Map<string, { running?: Promise<void>; next?: Promise<void> }>();

export function syncDirShared(dir: string): Promise<void> {
  let st = dirSyncs.get(dir);
  if (!st) dirSyncs.set(dir, (st = {}));
  const state = st;
  const start = (): Promise<void> => {
    const p = syncDir(dir).finally(() => {
      if (state.running === p) state.running = undefined;
    });
    state.running = p;
    return p;
  };
  if (!state.running) return start();
  // One is running, maybe begun before our link: join the next one.
  state.next ??= state.running.then(() => {
    state.next = undefined;
    return start();
  });
  return state.next;
}

/** fsync a directory so a new entry in it is durable (ignored where unsupported). */
export async function syncDir(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    // Some platforms refuse fsync on a directory; the link itself is done.
  } finally {
    await fh?.close().catch(() => {});
  }
}
