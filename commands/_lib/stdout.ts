// Standard output without Node's stream machinery when it is not needed.
// Creating process.stdout loads about twenty stream modules (3.5 ms of every
// start); when fd 1 is a regular file, a pipe or /dev/null, blocking writes
// to it do the same job. Terminals and sockets (and anything unusual) get
// process.stdout, as before. EPIPE becomes a quiet exit 0 either way.
import { fstatSync, writeSync } from 'node:fs';

type Kind = 'sync' | 'stream';
let kind: Kind | undefined;
let hooked = false;

/** How fd 1 is written: blocking writes ('sync') or the process.stdout stream. */
export function stdoutKind(): Kind {
  if (kind) return kind;
  try {
    const st = fstatSync(1);
    // Linux memory devices (major 1: /dev/null, /dev/zero, /dev/full) are not terminals.
    const memDevice = st.isCharacterDevice() && process.platform === 'linux' && Math.floor(st.rdev / 256) % 4096 === 1;
    kind = st.isFile() || st.isFIFO() || memDevice ? 'sync' : 'stream';
  } catch {
    kind = 'stream';
  }
  return kind;
}

/** Whether stdout is a terminal, without creating the stream when fd 1 is a file or a pipe. */
export function stdoutIsTTY(): boolean {
  return stdoutKind() === 'stream' && stdoutStream().isTTY === true;
}

/** process.stdout (its EPIPE handler attached by installStdoutHook, or here). */
export function stdoutStream(): NodeJS.WriteStream {
  const s = process.stdout;
  hook(s);
  return s;
}

function hook(s: NodeJS.WriteStream): void {
  if (hooked) return;
  hooked = true;
  s.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0); // the reader went away: a quiet end
  });
}

/**
 * Makes process.stdout attach the EPIPE handler whenever something first
 * creates it (commands that write to it directly), without creating it now.
 */
export function installStdoutHook(): void {
  const d = Object.getOwnPropertyDescriptor(process, 'stdout');
  if (!d?.get || !d.configurable) {
    hook(process.stdout);
    return;
  }
  const get = d.get;
  Object.defineProperty(process, 'stdout', {
    configurable: true,
    enumerable: d.enumerable,
    get() {
      const s = get.call(process) as NodeJS.WriteStream;
      hook(s);
      return s;
    },
  });
}

/**
 * Writes all of DATA to fd 1 with blocking writes. Returns false when fd 1
 * refuses them (a non-blocking descriptor: EAGAIN) after switching to the
 * stream for good; the caller then writes the rest there. Throws EPIPE.
 */
export function writeStdoutSync(data: string | Uint8Array): { done: true } | { done: false; rest: Uint8Array } {
  let buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  while (buf.length) {
    try {
      const n = writeSync(1, buf);
      buf = buf.subarray(n);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EAGAIN') {
        kind = 'stream';
        return { done: false, rest: buf };
      }
      throw err;
    }
  }
  return { done: true };
}

/** A short text (help, version, one result line) to stdout. */
export function printOut(text: string): void {
  if (stdoutKind() === 'sync') {
    try {
      const r = writeStdoutSync(text);
      if (r.done) return;
      stdoutStream().write(r.rest);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EPIPE') process.exit(0);
      throw err;
    }
  }
  stdoutStream().write(text);
}
