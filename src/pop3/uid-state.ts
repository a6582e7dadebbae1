// What `blaze fetch` has already stored from an account: the POP3 unique ids
// (RFC 1939 §7), one per line with the time it was stored (`UID SECONDS`),
// as fetchmail's .fetchids and getmail's oldmail files keep them. This is
// file-system glue: the file is locked (FILE.lock) for the whole session, a
// UID is appended and fsynced as soon as its message is stored (before DELE
// may be sent), and at the end the ids the server no longer lists are
// dropped by writing a new file and renaming it over the old one.
import { mkdir, open, readFile, rename, truncate, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { acquireDotLock, releaseDotLock } from '../mbox/index.ts';

const HEADER = '# blaze fetch: POP3 unique ids already stored, one per line: UID SECONDS-SINCE-EPOCH\n';

export class UidState {
  private fh: FileHandle | undefined;

  private constructor(
    readonly path: string,
    private readonly uids: Map<string, number>,
  ) {}

  /** Locks and reads PATH (absent: empty), creating its directory. */
  static async open(path: string, lockTimeoutMs = 10_000): Promise<UidState> {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await acquireDotLock(`${path}.lock`, lockTimeoutMs);
    try {
      let text = '';
      try {
        text = await readFile(path, 'latin1');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      // A line cut by a crash is dropped from the file too, so the next id starts a line of its own.
      const complete = Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1), 'latin1');
      if (complete < Buffer.byteLength(text, 'latin1')) await truncate(path, complete);
      return new UidState(path, parseState(text));
    } catch (err) {
      await releaseDotLock(`${path}.lock`);
      throw err;
    }
  }

  has(uid: string): boolean {
    return this.uids.has(uid);
  }

  get size(): number {
    return this.uids.size;
  }

  /** Records UID as stored: on disk (fsynced) when this resolves. */
  async add(uid: string, nowMs = Date.now()): Promise<void> {
    if (!this.fh) {
      this.fh = await open(this.path, 'a', 0o600);
      if ((await this.fh.stat()).size === 0) await this.fh.write(HEADER);
    }
    const secs = Math.floor(nowMs / 1000);
    await this.fh.write(`${uid} ${secs}\n`);
    await this.fh.sync();
    this.uids.set(uid, secs);
  }

  /** Drops the ids for which KEEP is false; rewrites the file only when something goes. */
  async prune(keep: (uid: string) => boolean): Promise<number> {
    const drop = [...this.uids.keys()].filter((u) => !keep(u));
    if (drop.length === 0) return 0;
    for (const u of drop) this.uids.delete(u);
    await this.fh?.close();
    this.fh = undefined;
    const tmp = `${this.path}.${process.pid}.tmp`;
    const fh = await open(tmp, 'w', 0o600);
    try {
      const lines = [...this.uids].map(([u, t]) => `${u} ${t}\n`);
      await fh.write(HEADER + lines.join(''));
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, this.path);
    const dir = await open(dirname(this.path), 'r').catch(() => undefined);
    await dir?.sync().catch(() => {});
    await dir?.close();
    return drop.length;
  }

  async close(): Promise<void> {
    try {
      await this.fh?.close();
    } finally {
      this.fh = undefined;
      await releaseDotLock(`${this.path}.lock`);
    }
  }
}

/**
 * The ids of a state file. A last line without its line end is a write cut
 * short by a crash: it is ignored, so that message is fetched again (a
 * duplicate is better than a loss).
 */
export function parseState(text: string): Map<string, number> {
  const uids = new Map<string, number>();
  const complete = text.slice(0, text.lastIndexOf('\n') + 1);
  for (const line of complete.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([\x21-\x7e]{1,70})(?:[ \t]+(\d+))?[ \t]*$/.exec(line);
    if (m) uids.set(m[1], m[2] ? Number(m[2]) : 0);
  }
  return uids;
}
