// Reading a message file piece by piece for the web inbox. Blocking reads in
// a loop are several times faster than promise reads for thousands of small
// files; the callers yield to the event loop between files and every few
// megabytes, so a large message never holds the server up for long, and
// never sits whole in memory (one 128 KiB piece at a time).
import { openSync, readSync, fstatSync, closeSync, opendirSync } from 'node:fs';
import { join } from 'node:path';
import { open } from 'node:fs/promises';

export const READ_CHUNK = 128 * 1024;

export interface MessageFile {
  readonly size: number;
  readonly mtimeMs: number;
  /** The next piece, or undefined at the end. A fresh buffer each time (callers may keep views). */
  read(): Buffer | undefined;
  close(): void;
}

export function openMessageFile(path: string, chunk = READ_CHUNK): MessageFile {
  const fd = openSync(path, 'r');
  let closed = false;
  let st;
  try {
    st = fstatSync(fd);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  let pos = 0;
  return {
    size: st.size,
    mtimeMs: st.mtimeMs,
    read() {
      if (closed) return undefined;
      // Sized to what is left: a 2 KB message costs a 2 KB buffer, not 128 KiB.
      const want = Math.max(1, Math.min(chunk, st.size - pos));
      const buf = Buffer.allocUnsafe(want);
      const n = readSync(fd, buf, 0, want, pos);
      if (n === 0) return undefined;
      pos += n;
      return n === want ? buf : buf.subarray(0, n);
    },
    close() {
      if (!closed) closeSync(fd);
      closed = true;
    },
  };
}

/** A message file opened for an HTTP answer: read at explicit positions, so several readers can share it, and a rename (a flag change) or an unlink while it is open changes nothing. */
export interface OpenedMessage {
  readonly size: number;
  /** The bytes from START to END (inclusive; the whole file by default), a fresh buffer per piece. */
  chunks(range?: { start?: number; end?: number }): AsyncGenerator<Buffer>;
  close(): Promise<void>;
}

export async function openMessageAsync(path: string): Promise<OpenedMessage> {
  const fh = await open(path, 'r');
  let size: number;
  try {
    size = (await fh.stat()).size;
  } catch (err) {
    await fh.close();
    throw err;
  }
  let closed = false;
  return {
    size,
    async *chunks(range = {}) {
      let pos = range.start ?? 0;
      const end = Math.min(range.end ?? size - 1, size - 1);
      while (pos <= end && !closed) {
        const want = Math.min(READ_CHUNK, end - pos + 1);
        const buf = Buffer.allocUnsafe(want);
        const { bytesRead } = await fh.read(buf, 0, want, pos);
        if (bytesRead === 0) return;
        pos += bytesRead;
        yield bytesRead === want ? buf : buf.subarray(0, bytesRead);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await fh.close();
    },
  };
}

/**
 * The file names of a Maildir folder in batches, read with blocking calls
 * (no entry objects: a 100,000-message listing builds its own).
 */
export function* folderFileNames(dir: string, folder: 'new' | 'cur', size = 1024): Generator<string[]> {
  const d = opendirSync(join(dir, folder), { bufferSize: 256 });
  try {
    let batch: string[] = [];
    for (let dirent = d.readSync(); dirent !== null; dirent = d.readSync()) {
      if (dirent.name.startsWith('.') || dirent.isDirectory()) continue;
      batch.push(dirent.name);
      if (batch.length >= size) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length) yield batch;
  } finally {
    d.closeSync();
  }
}
