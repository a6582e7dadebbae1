// Appending messages to an mbox file on disk (the one file of src/mbox that
// does I/O). A writer holds the mbox's dot lock (FILE.lock, made with
// O_EXCL as procmail, mutt and Dovecot's mbox driver do) while it appends;
// a message is written, fsynced, and only then counted as stored; a message
// that fails half way (disk full, connection lost) is cut off again
// (ftruncate to the size before it), so a reader never sees a partial one.
import { open, unlink, writeFile, readFile, type FileHandle } from 'node:fs/promises';
import { MboxrdMessageWriter } from './writer.ts';

/** A lock older than this is left over from a crash (procmail uses 17 minutes). */
const STALE_LOCK_MS = 10 * 60 * 1000;

export interface MboxAppendOptions {
  /** How long to wait for another writer's lock (ms, default 10 s). */
  lockTimeoutMs?: number;
  /** fsync each message (default true). */
  fsync?: boolean;
}

export interface MboxMessageAppend {
  write(chunk: Uint8Array): Promise<void>;
  /** The end of the message: written and (by default) synced; returns the bytes it took in the file. */
  commit(): Promise<number>;
  /** Cuts the file back to where the message began. */
  abort(): Promise<void>;
}

/** An mbox file opened for appending, locked until close(). */
export class MboxAppender {
  private constructor(
    readonly path: string,
    private readonly fh: FileHandle,
    private size: number,
    private readonly lockPath: string,
    private readonly fsync: boolean,
  ) {}

  static async open(path: string, opts: MboxAppendOptions = {}): Promise<MboxAppender> {
    const lockPath = `${path}.lock`;
    await acquireDotLock(lockPath, opts.lockTimeoutMs ?? 10_000);
    try {
      const fh = await open(path, 'a+', 0o600);
      const size = (await fh.stat()).size;
      const a = new MboxAppender(path, fh, size, lockPath, opts.fsync ?? true);
      await a.separateFromPrevious();
      return a;
    } catch (err) {
      await unlink(lockPath).catch(() => {});
      throw err;
    }
  }

  /** Starts one message: its From_ line now, its bytes through write(). */
  begin(sender: string, epochMs: number): MboxMessageAppend {
    const start = this.size;
    const w = new MboxrdMessageWriter();
    let written = 0;
    let first: Buffer | undefined = MboxrdMessageWriter.fromLine(sender, epochMs);
    const put = async (b: Buffer): Promise<void> => {
      if (first) {
        b = b.length ? Buffer.concat([first, b]) : first;
        first = undefined;
      }
      let off = 0;
      while (off < b.length) {
        const { bytesWritten } = await this.fh.write(b, off, b.length - off);
        off += bytesWritten;
      }
      written += b.length;
    };
    let state: 'open' | 'done' = 'open';
    return {
      write: async (chunk) => {
        const b = w.push(chunk);
        if (b.length) await put(b);
      },
      commit: async () => {
        try {
          await put(w.finish());
          if (this.fsync) await this.fh.sync();
        } catch (err) {
          await this.fh.truncate(start).catch(() => {});
          throw err;
        }
        state = 'done';
        this.size = start + written;
        return written;
      },
      abort: async () => {
        if (state === 'done') return;
        state = 'done';
        await this.fh.truncate(start);
        if (this.fsync) await this.fh.sync();
      },
    };
  }

  async close(): Promise<void> {
    try {
      await this.fh.close();
    } finally {
      await unlink(this.lockPath).catch(() => {});
    }
  }

  /** An mbox that does not end with an empty line gets one, so the next From_ line starts a message for every reader. */
  private async separateFromPrevious(): Promise<void> {
    if (this.size === 0) return;
    const tail = Buffer.alloc(2);
    const { bytesRead } = await this.fh.read(tail, 0, 2, Math.max(0, this.size - 2));
    const t = tail.subarray(0, bytesRead);
    const pad = t.length === 2 && t[0] === 0x0a && t[1] === 0x0a ? '' : t[t.length - 1] === 0x0a ? '\n' : '\n\n';
    if (!pad) return;
    await this.fh.write(pad);
    this.size += pad.length;
  }
}

/**
 * Takes the dot lock LOCKPATH (created with O_EXCL, holding our pid), waiting
 * up to TIMEOUTMS for another holder; a lock whose process is gone or that is
 * older than ten minutes is taken over. Rejects with code ELOCKED.
 */
export async function acquireDotLock(lockPath: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let wait = 50; ; wait = Math.min(wait * 2, 1000)) {
    try {
      await writeFile(lockPath, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (await isStale(lockPath)) {
      await unlink(lockPath).catch(() => {});
      continue;
    }
    if (Date.now() >= deadline) throw Object.assign(new Error(`${lockPath}: locked by another writer`), { code: 'ELOCKED' });
    await new Promise((r) => setTimeout(r, wait));
  }
}

export async function releaseDotLock(lockPath: string): Promise<void> {
  await unlink(lockPath).catch(() => {});
}

/** A lock whose process is gone (same host) or that is older than STALE_LOCK_MS. */
async function isStale(lockPath: string): Promise<boolean> {
  try {
    const fh = await open(lockPath, 'r');
    try {
      const st = await fh.stat();
      if (Date.now() - st.mtimeMs > STALE_LOCK_MS) return true;
    } finally {
      await fh.close();
    }
    const pid = Number((await readFile(lockPath, 'utf8')).trim());
    if (!Number.isInteger(pid) || pid <= 0) return false;
    try {
      process.kill(pid, 0);
      return false;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ESRCH';
    }
  } catch {
    return false;
  }
}
