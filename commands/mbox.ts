// blaze mbox: mbox files in their four variants (src/mbox/format.ts).
// `list` prints one line per message, `split` writes each message to a file
// or into a Maildir, `make` writes messages or Maildirs as mboxrd. Reading is
// one streaming pass (src/mbox/reader.ts); this file maps flags to calls.
import { Option, type Command } from 'commander';
import { join } from 'node:path';
import { statSync, openSync, closeSync, writeSync, mkdirSync, fsyncSync } from 'node:fs';
import { program, subcommand, addTerminalOptions, addJsonOption, addOutputOption, type CommonOptions } from './_lib/cli.ts';
import { BlazeError, usageError, describeFsError } from './_lib/errors.ts';
import { readRaw, inputName, Output } from './_lib/io.ts';
import { progressBar } from './_lib/progress-bar.ts';
import { addBatchOptions } from './_lib/batch.ts';
// The reader's files one by one: src/mbox/index.ts would also load the
// envelope helpers and with them all of src/mime (make loads them when run).
import { MboxDecoder, type MboxEvent } from '../src/mbox/reader.ts';
import { MBOX_FORMATS, type MboxReadFormat } from '../src/mbox/format.ts';
import { HeaderTap } from '../src/mbox/header-tap.ts';
import { placementFromStatus } from '../src/mbox/status.ts';
import { initMaildir, beginDeliverySync, syncDirSync, type SyncDelivery } from '../src/maildir/index.ts';
import { CrlfToLf, NewlineNormalizer } from '../src/mime/newline.ts';
import type { MakeOptions } from './_lib/mbox-make.ts';

interface ReadOptions extends CommonOptions {
  format: MboxReadFormat;
}

const formatOption = (): Option =>
  new Option('--format <variant>', 'the mbox variant: auto, mboxo, mboxrd, mboxcl or mboxcl2').choices(['auto', ...MBOX_FORMATS]).default('auto');

export default async function mbox(argv: string[]): Promise<number> {
  const root = addTerminalOptions(program('mbox', 'read, split and write mbox files (mboxo, mboxrd, mboxcl, mboxcl2)'));

  addJsonOption(addOutputOption(addTerminalOptions(subcommand(root, 'list', 'one line per message: offset, size, date, from, subject'))))
    .addOption(formatOption())
    .argument('[mbox]', 'the mbox file (default: stdin)')
    .action(async (input: string | undefined, _o, cmd: Command) => {
      await list(input, cmd.opts() as ReadOptions & { json?: boolean });
    });

  addTerminalOptions(subcommand(root, 'split', 'write each message to a file in DIR, or into a Maildir'))
    .addOption(formatOption())
    .option('--maildir', 'DIR is a Maildir (created if absent); Status/X-Status give folder and flags')
    .addOption(new Option('--newline <mode>', 'line ends of the written messages').choices(['keep', 'lf', 'crlf']).default('keep'))
    .option('--sync', 'fsync every message (slower; the mbox itself is left as it was)')
    .argument('<dir>', 'the directory (or Maildir) to write into')
    .argument('[mbox]', 'the mbox file (default: stdin)')
    .action(async (dir: string, input: string | undefined, _o, cmd: Command) => {
      await split(dir, input, cmd.opts() as SplitOptions);
    });

  addBatchOptions(addOutputOption(addTerminalOptions(subcommand(root, 'make', 'write messages (files, Maildirs) as one mboxrd'))))
    .option('-a, --append <mbox>', 'append to this mbox (locked, fsynced) instead of writing -o/stdout')
    .option('-S, --status', 'write Status and X-Status fields from the Maildir flags (as mexport -S)')
    .argument('[inputs...]', 'message files or Maildirs (default: one message on stdin)')
    .action(async (inputs: string[], _o, cmd: Command) => {
      const { makeMbox } = await import('./_lib/mbox-make.ts');
      await makeMbox(inputs, cmd.opts() as MakeOptions);
    });

  // `blaze mbox ARCHIVE.mbox -o ARCHIVE.pack`, as the original: straight into a pack.
  root
    .enablePositionalOptions()
    .usage('[options] <command> [arguments]\n       blaze mbox [--format VARIANT] MBOX -o ARCHIVE.pack')
    .addOption(formatOption())
    .option('-o, --output <pack>', 'write the messages of MBOX into this pack (and its .idx)')
    .argument('[mbox]', 'the mbox to archive (with -o; - or none: stdin)')
    .action(async (input: string | undefined, o: ReadOptions) => {
      if (o.output === undefined) {
        if (input !== undefined) throw usageError(`unknown command '${input}' (see blaze mbox --help; MBOX -o PACK to archive)`);
        throw usageError('missing command: list, split or make, or MBOX -o PACK (see blaze mbox --help)');
      }
      await toPack(input, o.output, o);
    });

  await root.parseAsync(argv, { from: 'user' });
  return 0;
}

/**
 * The decoder's events for INPUT, a batch per chunk read (one await per
 * chunk, not per event); an input that is not an mbox is a usage error.
 */
async function* mboxEvents(input: string | undefined, format: MboxReadFormat, onBytes?: (n: number) => void): AsyncGenerator<MboxEvent[]> {
  const dec = new MboxDecoder(format);
  let read = 0;
  const check = (events: MboxEvent[]): MboxEvent[] => {
    for (const e of events) if (e.type === 'error') throw usageError(`${inputName(input)}: ${e.message}`);
    return events;
  };
  for await (const chunk of readRaw(input)) {
    read += chunk.length;
    onBytes?.(read);
    const events = check(dec.push(chunk));
    if (events.length) yield events;
  }
  yield check(dec.finish());
}

/** One event at a time out of the batches (for code that reads a message at a time). */
class EventCursor {
  private batch: MboxEvent[] = [];
  private i = 0;
  constructor(private readonly batches: AsyncIterator<MboxEvent[]>) {}
  async next(): Promise<MboxEvent | undefined> {
    while (this.i >= this.batch.length) {
      const r = await this.batches.next();
      if (r.done) return undefined;
      this.batch = r.value;
      this.i = 0;
    }
    return this.batch[this.i++];
  }
}

function fileSize(input: string | undefined): number | undefined {
  if (input === undefined || input === '-') return undefined;
  try {
    const st = statSync(input);
    return st.isFile() ? st.size : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------- list

const LIST_FIELDS = ['date', 'from', 'subject', 'status', 'x-status'];

interface ListRecord {
  number: number;
  offset: number;
  headerOffset: number;
  bodyOffset: number | null;
  end: number;
  size: number;
  fromLine: string;
  sender: string;
  date: string | null;
  timestamp: string | null;
  from: string | null;
  subject: string | null;
  status: string | null;
  contentLength: number | null;
}

async function list(input: string | undefined, o: ReadOptions & { json?: boolean }): Promise<void> {
  const { decodeUnstructuredBytes, parseDate, formatDateOriginal } = await import('../src/mime/index.ts');
  const { parseFromLine } = await import('../src/mbox/from-line.ts');
  const out = new Output(o.output);
  const total = fileSize(input);
  const bar = progressBar(!o.quiet, 'bytes');
  let tap: HeaderTap | undefined;
  let start: Extract<MboxEvent, { type: 'message' }> | undefined;
  let bodyOffset: number | null = null;
  let lines: string[] = [];
  let first = true;
  if (o.json) await out.write('[');
  try {
    for await (const batch of mboxEvents(input, o.format, (n) => bar.update(n, total))) for (const ev of batch) {
      if (ev.type === 'message') {
        start = ev;
        tap = new HeaderTap(LIST_FIELDS);
        bodyOffset = null;
      } else if (ev.type === 'data') {
        if (!tap!.ended) tap!.push(ev.data);
      } else if (ev.type === 'body') bodyOffset = ev.offset;
      else if (ev.type === 'end') {
        tap!.finish();
        const text = (name: string) => {
          const v = tap!.get(name);
          return v === undefined ? null : oneLine(decodeUnstructuredBytes(v));
        };
        const fl = parseFromLine(start!.fromLine);
        const dateField = tap!.get('date');
        const parsed = dateField ? parseDate(dateField.toString('latin1')) : undefined;
        let date: string | null = null;
        let timestamp: string | null = null;
        if (parsed?.ok) {
          date = formatDateOriginal(parsed);
          timestamp = new Date(parsed.epochMs).toISOString();
        } else if (dateField) date = oneLine(dateField.toString('latin1'));
        else if (fl?.epochMs !== undefined) {
          date = formatDateOriginal({ epochMs: fl.epochMs, offsetMinutes: 0 });
          timestamp = new Date(fl.epochMs).toISOString();
        }
        const status = [tap!.get('status'), tap!.get('x-status')].map((b) => (b ? b.toString('latin1').trim() : ''));
        const r: ListRecord = {
          number: ev.index + 1,
          offset: start!.offset,
          headerOffset: start!.headerOffset,
          bodyOffset,
          end: ev.end,
          size: ev.size,
          fromLine: start!.fromLine,
          sender: fl?.sender ?? '',
          date,
          timestamp,
          from: text('from'),
          subject: text('subject'),
          status: status[0] || status[1] ? placementFromStatus(status[0], status[1]).flags : null,
          contentLength: ev.contentLength ?? null,
        };
        if (o.quiet) continue;
        if (o.json) lines.push(`${first ? '' : ','}\n${JSON.stringify(r)}`);
        else lines.push(`${r.offset}\t${r.size}\t${r.date ?? '-'}\t${r.from || '-'}\t${r.subject || '-'}\n`);
        first = false;
        if (lines.length >= 256) {
          await out.write(lines.join(''));
          lines = [];
        }
      }
    }
    if (lines.length) await out.write(lines.join(''));
    if (o.json) await out.write(first ? ']\n' : '\n]\n');
  } finally {
    bar.done();
    await out.end();
  }
}

function oneLine(s: string): string {
  return s.replace(/[\t\r\n]+/g, ' ').trim();
}

// ---------------------------------------------------------------- pack

/** Every message of the mbox into a new pack (src/pack), one at a time; prints `ID NUMBER` per message. */
async function toPack(input: string | undefined, packPath: string, o: ReadOptions): Promise<void> {
  const { PackFileWriter, oidHex } = await import('../src/pack/index.ts');
  let w: ReturnType<typeof PackFileWriter.create>;
  try {
    w = PackFileWriter.create(packPath);
  } catch (err) {
    throw describeFsError(packPath, err);
  }
  const out = new Output();
  const total = fileSize(input);
  const bar = progressBar(!o.quiet, 'bytes');
  const events = new EventCursor(mboxEvents(input, o.format, (n) => bar.update(n, total))[Symbol.asyncIterator]());
  // The data of the current message, up to its end event: what addMessage reads.
  async function* messageData(): AsyncGenerator<Buffer> {
    for (let e = await events.next(); e; e = await events.next()) {
      if (e.type === 'data') yield e.data;
      else if (e.type === 'end') return;
    }
  }
  try {
    let lines: string[] = [];
    for (let e = await events.next(); e; e = await events.next()) {
      if (e.type !== 'message') continue;
      const number = e.index + 1;
      const m = await w.addMessage(messageData());
      lines.push(`${oidHex(m.id)} ${number}\n`);
      if (lines.length >= 256) {
        if (!o.quiet) await out.write(lines.join(''));
        lines = [];
      }
    }
    if (lines.length && !o.quiet) await out.write(lines.join(''));
    w.close();
  } catch (err) {
    w.abort();
    if (err instanceof BlazeError) throw err;
    throw describeFsError(packPath, err);
  } finally {
    bar.done();
    await out.end();
  }
}

// ---------------------------------------------------------------- split

interface SplitOptions extends Omit<ReadOptions, 'newline'> {
  maildir?: boolean;
  newline: 'keep' | 'lf' | 'crlf';
  sync?: boolean;
}

/** A message being written by split: to a numbered file or a Maildir delivery. */
interface Target {
  write(b: Buffer): void;
  commit(status: string | undefined, xStatus: string | undefined): string;
  abort(): void;
}

async function split(dir: string, input: string | undefined, o: SplitOptions): Promise<void> {
  try {
    if (o.maildir) await initMaildir(dir);
    else mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw describeFsError(dir, err);
  }
  const out = new Output();
  const total = fileSize(input);
  const bar = progressBar(!o.quiet, 'bytes');
  let target: Target | undefined;
  let tap: HeaderTap | undefined;
  let conv: { push(b: Uint8Array): Buffer; finish(): Buffer } | undefined;
  let names: string[] = [];
  // --sync: each file is fsynced before it is linked; the folders once per
  // batch of names printed (group commit: one fsync covers every link before it).
  const durable = (): void => {
    if (!o.sync) return;
    if (o.maildir) for (const f of ['new', 'cur']) syncDirSync(join(dir, f));
    else syncDirSync(dir);
  };
  try {
    for await (const batch of mboxEvents(input, o.format, (n) => bar.update(n, total))) for (const ev of batch) {
      if (ev.type === 'message') {
        target = o.maildir ? maildirTarget(dir, o) : fileTarget(dir, ev.index + 1, o.sync === true);
        tap = o.maildir ? new HeaderTap(['status', 'x-status']) : undefined;
        conv = o.newline === 'lf' ? new CrlfToLf() : o.newline === 'crlf' ? new NewlineNormalizer('lf') : undefined;
      } else if (ev.type === 'data') {
        if (tap && !tap.ended) tap.push(ev.data);
        target!.write(conv ? conv.push(ev.data) : ev.data);
      } else if (ev.type === 'end') {
        if (conv) target!.write(conv.finish());
        tap?.finish();
        const st = tap?.get('status')?.toString('latin1');
        const xs = tap?.get('x-status')?.toString('latin1');
        const t = target!;
        target = undefined;
        names.push(t.commit(st, xs));
        if (names.length >= 256) {
          durable();
          if (!o.quiet) await out.write(names.join('\n') + '\n');
          names = [];
        }
      }
    }
    durable();
    if (names.length && !o.quiet) await out.write(names.join('\n') + '\n');
  } catch (err) {
    target?.abort();
    if (err instanceof BlazeError) throw err;
    throw describeFsError(dir, err);
  } finally {
    bar.done();
    await out.end();
  }
}

function maildirTarget(dir: string, o: SplitOptions): Target {
  let d: SyncDelivery;
  try {
    d = beginDeliverySync(dir, { fsync: o.sync === true, fsyncDir: false });
  } catch (err) {
    throw describeFsError(join(dir, 'tmp'), err);
  }
  return {
    write: (b) => d.write(b),
    commit: (status, xStatus) => {
      const p = placementFromStatus(status, xStatus);
      return join(dir, p.folder, d.commit(p));
    },
    abort: () => d.abort(),
  };
}

/** DIR/000001.eml, ...: never overwriting a file that is there. */
function fileTarget(dir: string, n: number, sync: boolean): Target {
  const path = join(dir, `${String(n).padStart(6, '0')}.eml`);
  let fd: number | undefined;
  try {
    fd = openSync(path, 'wx', 0o644);
  } catch (err) {
    throw describeFsError(path, err);
  }
  return {
    write: (b) => {
      let off = 0;
      while (off < b.length) off += writeSync(fd!, b, off, b.length - off);
    },
    commit: () => {
      if (sync) fsyncSync(fd!);
      closeSync(fd!);
      fd = undefined;
      return path;
    },
    abort: () => {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}
