// Delivery into a Maildir with blocking calls, for bulk imports (`mbox split
// --maildir`): the same tmp/ -> new/ (or cur/) protocol as delivery.ts, but
// no thread-pool round trip per open, write, link and unlink, which is what a
// run of 100,000 small messages spends its time on. fsync of each file and
// of the folder is optional here: a bulk import can be run again from its
// source, a delivery from the network (delivery.ts) cannot.
import { closeSync, fsyncSync, linkSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { uniqueName } from './unique.ts';
import { fileNameWithFlags } from './info.ts';

export interface SyncDeliveryOptions {
  hostname?: string;
  /** fsync the file before it appears (default true). */
  fsync?: boolean;
  /**
   * fsync the folder after each message (default: as fsync). A caller that
   * delivers many messages can say false and call syncDirSync itself once
   * per batch: one folder fsync then covers every link made before it.
   */
  fsyncDir?: boolean;
}

export interface SyncDelivery {
  readonly name: string;
  readonly tmpPath: string;
  write(chunk: Uint8Array): void;
  /** Makes the message visible in new/ (default) or cur/ with FLAGS; returns its file name there. */
  commit(target?: { folder: 'new' | 'cur'; flags?: string }): string;
  abort(): void;
}

export function beginDeliverySync(dir: string, opts: SyncDeliveryOptions = {}): SyncDelivery {
  for (let attempt = 0; ; attempt++) {
    const name = uniqueName({ hostname: opts.hostname });
    const tmpPath = join(dir, 'tmp', name);
    try {
      const fd = openSync(tmpPath, 'wx', 0o600);
      const fsync = opts.fsync ?? true;
      return new FileDeliverySync(dir, name, tmpPath, fd, fsync, opts.fsyncDir ?? fsync);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 5) throw err;
    }
  }
}

class FileDeliverySync implements SyncDelivery {
  private open = true;

  constructor(
    private readonly dir: string,
    readonly name: string,
    readonly tmpPath: string,
    private fd: number,
    private readonly fsync: boolean,
    private readonly fsyncDir: boolean,
  ) {}

  write(chunk: Uint8Array): void {
    let off = 0;
    while (off < chunk.length) off += writeSync(this.fd, chunk, off, chunk.length - off);
  }

  commit(target: { folder: 'new' | 'cur'; flags?: string } = { folder: 'new' }): string {
    try {
      if (this.fsync) fsyncSync(this.fd);
      closeSync(this.fd);
      this.open = false;
    } catch (err) {
      this.abort();
      throw err;
    }
    const file = target.folder === 'cur' ? fileNameWithFlags(this.name, target.flags ?? '') : this.name;
    const folder = join(this.dir, target.folder);
    const dest = join(folder, file);
    let linked = false;
    try {
      linkSync(this.tmpPath, dest);
      linked = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
        this.removeTmp();
        throw err;
      }
      try {
        renameSync(this.tmpPath, dest); // no hard links on this file system
      } catch (err2) {
        this.removeTmp();
        throw err2;
      }
    }
    if (this.fsyncDir) syncDirSync(folder);
    if (linked) this.removeTmp();
    return file;
  }

  abort(): void {
    if (this.open) {
      this.open = false;
      try {
        closeSync(this.fd);
      } catch {
        /* already closed */
      }
    }
    this.removeTmp();
  }

  private removeTmp(): void {
    try {
      unlinkSync(this.tmpPath);
    } catch {
      /* gone already */
    }
  }
}

/** fsync a directory (ignored where the platform refuses it). */
export function syncDirSync(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    /* the entry is made; durability is best effort here */
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
