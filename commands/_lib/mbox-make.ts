// blaze mbox make: message files, Maildirs (cur/ and new/, in the order of
// their unique names, i.e. of delivery) or one message on stdin, written as
// one mboxrd to stdout/-o, or appended to an mbox under its lock (-a). Each
// message is streamed: only its header (at most MAX_HEAD bytes) is held,
// to write the From_ line (sender and date, src/mbox/envelope.ts) first.
import { statSync } from 'node:fs';
import type { CommonOptions } from './cli.ts';
import { BlazeError, usageError, describeFsError } from './errors.ts';
import { readRaw, inputName, Output } from './io.ts';
import { progressBar } from './progress-bar.ts';
import { batchInputs, type BatchFlags } from './batch.ts';
import {
  MboxrdMessageWriter, MboxAppender, HeaderTap, envelopeSender, envelopeTime, statusFromPlacement, replaceStatusFields, headerEnd,
  type MaildirPlacement,
} from '../../src/mbox/index.ts';
import { isMaildir, listFolderBatches, type MaildirEntry } from '../../src/maildir/index.ts';

export interface MakeOptions extends CommonOptions, BatchFlags {
  append?: string;
  status?: boolean;
}

/** The most of a message's start held to find its header's end. */
const MAX_HEAD = 1024 * 1024;

interface Source {
  /** undefined: stdin. */
  path?: string;
  placement?: MaildirPlacement;
}

interface MessageSink {
  write(chunk: Uint8Array): Promise<void>;
  finish(): Promise<void>;
  abort(): Promise<void>;
}

interface Sink {
  begin(sender: string, epochMs: number): MessageSink;
  close(): Promise<void>;
}

export async function makeMbox(inputs: string[], o: MakeOptions): Promise<void> {
  if (o.append !== undefined && o.output !== undefined) throw usageError('-a/--append and -o/--output exclude each other');
  const names = batchInputs(inputs, o);
  const sources: Source[][] = [];
  for (const n of names) sources.push(await sourcesOf(n));
  const sink = o.append !== undefined ? await appendSink(o.append) : outputSink(new Output(o.output));
  const bar = progressBar(!o.quiet, 'count');
  const total = sources.reduce((s, l) => s + l.length, 0);
  let done = 0;
  try {
    for (const list of sources) {
      for (const src of list) {
        await writeOne(src, sink, o.status === true);
        bar.update(++done, total, 'messages');
      }
    }
  } finally {
    bar.done();
    await sink.close();
  }
}

/** One name: stdin, a message file, or every message of a Maildir. */
async function sourcesOf(name: string): Promise<Source[]> {
  if (name === '-') return [{}];
  let st;
  try {
    st = statSync(name);
  } catch (err) {
    throw describeFsError(name, err);
  }
  if (!st.isDirectory()) return [{ path: name }];
  if (!(await isMaildir(name))) throw usageError(`${name}: a directory but not a Maildir (no tmp/, new/ and cur/)`);
  // The names (not the messages) of the whole Maildir, to write them in
  // delivery order: unique names start with the delivery's seconds.
  const entries: MaildirEntry[] = [];
  for (const folder of ['cur', 'new'] as const) for await (const batch of listFolderBatches(name, folder)) entries.push(...batch);
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return entries.map((e) => ({ path: e.path, placement: { folder: e.folder, flags: e.flags } }));
}

async function writeOne(src: Source, sink: Sink, status: boolean): Promise<void> {
  const it = readRaw(src.path)[Symbol.asyncIterator]();
  const held: Buffer[] = [];
  let heldBytes = 0;
  let eof = false;
  const tap = new HeaderTap(['return-path', 'from', 'date']);
  while (!tap.ended && heldBytes < MAX_HEAD) {
    const r = await it.next();
    if (r.done) {
      eof = true;
      break;
    }
    held.push(r.value);
    heldBytes += r.value.length;
    tap.push(r.value);
  }
  tap.finish();
  // A message without a usable Date: its file's modification time (stat only then).
  const fallback = (): number => {
    if (src.path === undefined) return Date.now();
    try {
      return statSync(src.path).mtimeMs;
    } catch {
      return Date.now();
    }
  };
  const msg = sink.begin(envelopeSender(tap.get('return-path'), tap.get('from')), envelopeTime(tap.get('date'), fallback));
  let head = held;
  if (status && src.placement) {
    const all = Buffer.concat(held);
    const end = headerEnd(all);
    if (end >= 0) {
      const s = statusFromPlacement(src.placement);
      head = [replaceStatusFields(all.subarray(0, end), s.status, s.xStatus), all.subarray(end)];
    }
  }
  try {
    for (const c of head) await msg.write(c);
    if (!eof) for (let r = await it.next(); !r.done; r = await it.next()) await msg.write(r.value);
    await msg.finish();
  } catch (err) {
    await msg.abort().catch(() => {});
    if (err instanceof BlazeError) throw err;
    throw describeFsError(inputName(src.path), err);
  }
}

function outputSink(out: Output): Sink {
  return {
    begin(sender, epochMs) {
      const w = new MboxrdMessageWriter();
      let first: Buffer | undefined = MboxrdMessageWriter.fromLine(sender, epochMs);
      const put = async (b: Buffer) => {
        if (first) {
          b = Buffer.concat([first, b]);
          first = undefined;
        }
        if (b.length) await out.write(b);
      };
      return {
        write: (c) => put(w.push(c)),
        finish: () => put(w.finish()),
        abort: async () => {},
      };
    },
    close: () => out.end(),
  };
}

async function appendSink(path: string): Promise<Sink> {
  let a: MboxAppender;
  try {
    a = await MboxAppender.open(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOCKED') throw new BlazeError(`${path}: locked by another writer (${path}.lock)`, 75);
    throw describeFsError(path, err);
  }
  return {
    begin(sender, epochMs) {
      const m = a.begin(sender, epochMs);
      return {
        write: (c) => m.write(c),
        finish: async () => {
          await m.commit();
        },
        abort: () => m.abort(),
      };
    },
    close: () => a.close(),
  };
}
