// The few header fields `mdir list` shows, read from the head of a message
// file without reading its body: chunks go through the streaming
// HeaderDecoder until the blank line (or a bound), then the file is closed.
import { open } from 'node:fs/promises';
import { openSync, readSync, fstatSync, closeSync } from 'node:fs';
import { HeaderDecoder, fieldValue } from '../mime/header-decoder.ts';

export interface HeaderSummary {
  /** Unfolded raw values (bytes as found) of the wanted fields, first occurrence of each, keyed by lower-case name. */
  fields: Map<string, Buffer>;
  /** The file's size in bytes. */
  size: number;
  /** True when the header was not finished within the bound. */
  truncated: boolean;
}

const CHUNK = 16 * 1024;

/**
 * Reads the header of the file at PATH and keeps the first occurrence of each
 * field in WANTED (lower-case names). Reads at most MAXBYTES of the file.
 */
export async function readHeaderSummary(path: string, wanted: readonly string[], maxBytes = 1024 * 1024): Promise<HeaderSummary> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    const fields = new Map<string, Buffer>();
    const dec = new HeaderDecoder();
    let read = 0;
    let done = false;
    const take = (events: ReturnType<HeaderDecoder['push']>) => {
      for (const ev of events) {
        if (ev.type === 'field') {
          const key = ev.field.name.toLowerCase();
          if (wanted.includes(key) && !fields.has(key)) fields.set(key, Buffer.from(fieldValue(ev.field.raw)));
        } else if (ev.type === 'end') done = true;
      }
    };
    while (!done && read < maxBytes) {
      // A fresh buffer each time: the decoder keeps views of unfinished lines.
      const buf = Buffer.allocUnsafe(CHUNK);
      const { bytesRead } = await fh.read(buf, 0, CHUNK, read);
      if (bytesRead === 0) {
        take(dec.finish());
        break;
      }
      read += bytesRead;
      take(dec.push(buf.subarray(0, bytesRead)));
    }
    return { fields, size, truncated: !done };
  } finally {
    await fh.close();
  }
}

/**
 * The same as readHeaderSummary with blocking reads: for scanning thousands of
 * small files one after the other it is several times faster than going
 * through the thread pool for each open/stat/read/close.
 */
const firstChunk = Buffer.allocUnsafe(CHUNK);

export function readHeaderSummarySync(path: string, wanted: readonly string[], maxBytes = 1024 * 1024): HeaderSummary {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const fields = new Map<string, Buffer>();
    const dec = new HeaderDecoder();
    let read = 0;
    let done = false;
    const take = (events: ReturnType<HeaderDecoder['push']>) => {
      for (const ev of events) {
        if (ev.type === 'field') {
          const key = ev.field.name.toLowerCase();
          if (wanted.includes(key) && !fields.has(key)) fields.set(key, Buffer.from(fieldValue(ev.field.raw)));
        } else if (ev.type === 'end') done = true;
      }
    };
    while (!done && read < maxBytes) {
      // The first chunk goes to a buffer shared by all files (the decoder copies
      // what it returns, and views it keeps die with this file); later chunks
      // of a long header get their own.
      const buf = read === 0 ? firstChunk : Buffer.allocUnsafe(CHUNK);
      const bytesRead = readSync(fd, buf, 0, CHUNK, read);
      if (bytesRead === 0) {
        take(dec.finish());
        break;
      }
      read += bytesRead;
      take(dec.push(buf.subarray(0, bytesRead)));
    }
    return { fields, size, truncated: !done };
  } finally {
    closeSync(fd);
  }
}
