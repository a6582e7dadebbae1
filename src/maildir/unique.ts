// Unique file names for Maildir deliveries, as the qmail/Courier Maildir
// specification recommends: `<seconds>.M<usec>P<pid>Q<counter>R<random>.<host>`.
// Seconds + microseconds + pid + a per-process counter + 64 random bits make a
// name no other writer (another process, another host sharing the directory,
// this process a microsecond later) will pick; the host name keeps NFS-shared
// maildirs apart. `/` and `:` cannot appear in the host part (`/` is the path
// separator, `:` starts the info), so they are written \057 and \072.
import { randomBytes } from 'node:crypto';
import { hostname as osHostname } from 'node:os';

let counter = 0;

/** The host part of a unique name, with `/` and `:` escaped per the specification. */
export function escapeMaildirHost(host: string): string {
  return host.replace(/\//g, '\\057').replace(/:/g, '\\072');
}

export interface UniqueNameOptions {
  hostname?: string;
  /** For tests: the clock (ms since the epoch, with a fractional part for microseconds). */
  now?: number;
  pid?: number;
}

/** A fresh unique name (no info part). */
export function uniqueName(opts: UniqueNameOptions = {}): string {
  const nowMs = opts.now ?? performance.timeOrigin + performance.now();
  const seconds = Math.floor(nowMs / 1000);
  const usec = Math.floor((nowMs - seconds * 1000) * 1000) % 1_000_000;
  const pid = opts.pid ?? process.pid;
  counter += 1;
  const random = randomBytes(8).toString('hex');
  const host = escapeMaildirHost(opts.hostname ?? osHostname() ?? 'localhost');
  return `${seconds}.M${usec}P${pid}Q${counter}R${random}.${host}`;
}
