// Reading a message file piece by piece for the web inbox. Blocking reads in
// a loop are several times faster than promise reads for thousands of small
// files; the callers yield to the event loop between files and every few
// megabytes, so a large message never holds the server up for long, and
// never sits whole in memory (one 128 KiB piece at a time).
import { openSync, readSync, fstatSync, closeSync, createReadStream } from 'node:fs';

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

/**
 * The bytes of a message file from START to END (inclusive; the whole file by
 * default) as a stream of pieces read without blocking: what an HTTP answer
 * sends while other requests go on.
 */
export async function* streamMessageFile(path: string, range: { start?: number; end?: number } = {}): AsyncGenerator<Buffer> {
  const s = createReadStream(path, { start: range.start, end: range.end, highWaterMark: READ_CHUNK });
  try {
    for await (const chunk of s) yield chunk as Buffer;
  } finally {
    s.destroy();
  }
}
