// Where `blaze fetch` puts messages (src/pop3/transport.ts MessageStore):
// a Maildir (tmp/ -> new/, fsynced: src/maildir), an mbox (appended under
// its lock, fsynced, cut back on failure: src/mbox/append.ts), or one file
// per message named from a template (written beside, fsynced, then linked
// into place, never over an existing file). A message counts as stored only
// once its commit() resolved.
import { open, link, unlink, mkdir, type FileHandle } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { beginDelivery, initMaildir, syncDir } from '../../src/maildir/index.ts';
import { MboxAppender, HeaderTap, envelopeSender, envelopeTime, type MboxMessageAppend } from '../../src/mbox/index.ts';
import { CrlfToLf } from '../../src/mime/newline.ts';
import type { ListedMessage, MessageStore, StoredMessage } from '../../src/pop3/index.ts';
import { usageError } from './errors.ts';

export type NewlineOut = 'keep' | 'lf';

export interface ClosableStore extends MessageStore {
  close(): Promise<void>;
}

function converter(newline: NewlineOut): (b: Buffer) => Buffer {
  if (newline === 'keep') return (b) => b;
  const c = new CrlfToLf();
  return (b) => c.push(b);
}

export async function maildirStore(dir: string, newline: NewlineOut): Promise<ClosableStore> {
  await initMaildir(dir);
  return {
    async begin(): Promise<StoredMessage> {
      const d = await beginDelivery(dir);
      const conv = converter(newline);
      return {
        write: (data) => d.write(conv(data)),
        commit: async () => join(dir, 'new', await d.commit()),
        abort: () => d.abort(),
      };
    },
    close: async () => {},
  };
}

/** Bytes of a message's start held to read its header for the From_ line. */
const MAX_HEAD = 1024 * 1024;

export async function mboxStore(path: string): Promise<ClosableStore> {
  const a = await MboxAppender.open(path);
  return {
    async begin(): Promise<StoredMessage> {
      const tap = new HeaderTap(['return-path', 'from', 'date']);
      let held: Buffer[] = [];
      let heldBytes = 0;
      let m: MboxMessageAppend | undefined;
      const start = async (): Promise<void> => {
        tap.finish();
        m = a.begin(envelopeSender(tap.get('return-path'), tap.get('from')), envelopeTime(tap.get('date'), Date.now()));
        for (const b of held) await m.write(b);
        held = [];
      };
      return {
        write: async (data) => {
          if (m) return m.write(data);
          held.push(Buffer.from(data));
          heldBytes += data.length;
          tap.push(data);
          if (tap.ended || heldBytes >= MAX_HEAD) await start();
        },
        commit: async () => {
          if (!m) await start();
          await m!.commit();
          return path;
        },
        abort: async () => {
          held = [];
          await m?.abort();
        },
      };
    },
    close: () => a.close(),
  };
}

/**
 * One file per message, its path from FORMAT: %u the unique id (characters
 * other than letters, digits and `._-+=@,` written %XX), %n its number on
 * the server, %i its rank in this fetch (from 1), %% a percent sign.
 */
export function filesStore(format: string, newline: NewlineOut): ClosableStore {
  checkFormat(format);
  let rank = 0;
  return {
    async begin(msg: ListedMessage): Promise<StoredMessage> {
      rank++;
      const path = expandFormat(format, msg, rank);
      const dir = dirname(path);
      await mkdir(dir, { recursive: true });
      const tmp = join(dir, `.${basename(path)}.blaze-${process.pid}.tmp`);
      const fh: FileHandle = await open(tmp, 'wx', 0o600);
      const conv = converter(newline);
      let closed = false;
      const close = async () => {
        if (!closed) {
          closed = true;
          await fh.close();
        }
      };
      return {
        write: async (data) => {
          const b = conv(data);
          let off = 0;
          while (off < b.length) off += (await fh.write(b, off, b.length - off)).bytesWritten;
        },
        commit: async () => {
          try {
            await fh.sync();
            await close();
            await link(tmp, path); // EEXIST: an existing file is never replaced
            await syncDir(dir);
          } finally {
            await unlink(tmp).catch(() => {});
          }
          return path;
        },
        abort: async () => {
          await close().catch(() => {});
          await unlink(tmp).catch(() => {});
        },
      };
    },
    close: async () => {},
  };
}

function checkFormat(format: string): void {
  const bad = /%[^uni]|%$/.exec(format.replace(/%%/g, ''));
  if (bad) throw usageError(`-f ${format}: unknown ${bad[0] === '%' ? 'trailing %' : bad[0]} (use %u, %n, %i or %%)`);
  if (!/%[uni]/.test(format.replace(/%%/g, ''))) throw usageError(`-f ${format}: the name needs %u, %n or %i, or every message would get the same file`);
}

export function expandFormat(format: string, m: ListedMessage, rank: number): string {
  return format.replace(/%([uni%])/g, (_, c: string) => {
    if (c === 'u') return m.uid.replace(/[^A-Za-z0-9._\-+=@,]/g, (ch) => '%' + ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'));
    if (c === 'n') return String(m.n);
    if (c === 'i') return String(rank);
    return '%';
  });
}
