// blaze mdir: a Maildir (qmail maildir(5)) from the shell: init, put, new,
// list, get, commit, flag, rm. The store logic lives in src/maildir; this file
// maps flags to calls and prints.
import type { Command } from 'commander';
import { program, subcommand, addTerminalOptions, addInputOptions, addJsonOption, type CommonOptions } from './_lib/cli.ts';
import { BlazeError, usageError, describeFsError } from './_lib/errors.ts';
import { readMessage, Output } from './_lib/io.ts';
import { progressBar } from './_lib/progress-bar.ts';
import {
  initMaildir, isMaildir, beginDelivery, findMessage, listFolder, summarizeMaildir, summarizeMaildirBatches, countMessages,
  commitMessage, changeFlags, removeMessage, type Folder, type MaildirEntry, type MessageSummary,
} from '../src/maildir/index.ts';
import { CrlfToLf } from '../src/mime/newline.ts';

interface MdirOptions extends CommonOptions {
  maildir?: string;
}

export default async function mdir(argv: string[]): Promise<number> {
  let code = 0;
  const root = addTerminalOptions(program('mdir', 'Maildir storage: init, put, new, list, get, commit, flag, rm'));
  root.option('-D, --maildir <dir>', 'the maildir (default: $BLAZE_MDIR)');
  const dirOf = (cmd: Command): string => {
    const o = { ...root.opts(), ...cmd.opts() } as MdirOptions;
    const dir = o.maildir ?? process.env.BLAZE_MDIR;
    if (!dir) throw usageError('no maildir given (use -D DIR or set BLAZE_MDIR)');
    return dir;
  };
  const existing = async (cmd: Command): Promise<string> => {
    const dir = dirOf(cmd);
    if (!(await isMaildir(dir))) throw usageError(`${dir}: not a maildir (no tmp/, new/ and cur/; see blaze mdir init)`);
    return dir;
  };
  const find = async (dir: string, name: string): Promise<MaildirEntry> => {
    const r = await findMessage(dir, name);
    if (!r.ok) throw usageError(`${dir}: ${r.message}`);
    return r.value;
  };
  const common = (c: Command) => addTerminalOptions(c).option('-D, --maildir <dir>', 'the maildir (default: $BLAZE_MDIR)');

  common(subcommand(root, 'init', 'create DIR with tmp/, new/ and cur/')).action(async (_o, cmd: Command) => {
    const dir = dirOf(cmd);
    try {
      await initMaildir(dir);
    } catch (err) {
      throw describeFsError(dir, err);
    }
  });

  addInputOptions(common(subcommand(root, 'put', 'deliver a message into new/ (via tmp/) and print its name')))
    .argument('[input]', 'the message (default: stdin)')
    .option('-h, --hostname <host>', 'host name in the unique name (default: this host)')
    .action(async (input: string | undefined, _o, cmd: Command) => {
      const dir = await existing(cmd);
      const o = cmd.opts() as MdirOptions & { hostname?: string };
      const delivery = await beginDelivery(dir, { hostname: o.hostname }).catch((err) => {
        throw describeFsError(`${dir}/tmp`, err);
      });
      let name: string;
      try {
        for await (const chunk of readMessage(input, o.newline)) await delivery.write(chunk);
        name = await delivery.commit();
      } catch (err) {
        await delivery.abort();
        if (err instanceof BlazeError) throw err;
        throw describeFsError(`${dir}/new`, err);
      }
      if (!o.quiet) process.stdout.write(`${name}\n`);
    });

  common(subcommand(root, 'new', 'list the names of the messages in new/')).action(async (_o, cmd: Command) => {
    const dir = await existing(cmd);
    const out = new Output();
    for await (const e of listFolder(dir, 'new')) await out.write(`${e.name}\n`);
    await out.end();
  });

  addJsonOption(common(subcommand(root, 'list', 'one line per message: name, flags, date, from, subject')))
    .option('--new', 'only new/')
    .option('--cur', 'only cur/')
    .action(async (_o, cmd: Command) => {
      const dir = await existing(cmd);
      const o = cmd.opts() as MdirOptions & { new?: boolean; cur?: boolean };
      const folders: Folder[] = o.new && !o.cur ? ['new'] : o.cur && !o.new ? ['cur'] : ['new', 'cur'];
      code = await list(dir, folders, o);
    });

  addInputOptions(common(subcommand(root, 'get', 'print a message (wire form, CRLF; --newline lf for LF)')))
    .argument('<name>', 'unique name, file name or path of the message')
    .action(async (name: string, _o, cmd: Command) => {
      const dir = await existing(cmd);
      const o = cmd.opts() as MdirOptions;
      const e = await find(dir, name);
      const out = new Output();
      const lf = o.newline === 'lf' ? new CrlfToLf() : undefined;
      try {
        for await (const chunk of readMessage(e.path, 'auto')) await out.write(lf ? lf.push(chunk) : chunk);
        if (lf) await out.write(lf.finish());
      } finally {
        await out.end();
      }
    });

  const FLAG_OPTIONS: Array<[string, string, string]> = [
    ['draft', 'D', 'mark as a draft (D)'],
    ['flagged', 'F', 'mark as flagged (F)'],
    ['passed', 'P', 'mark as passed/forwarded (P)'],
    ['replied', 'R', 'mark as replied (R)'],
    ['seen', 'S', 'mark as seen (S)'],
    ['trashed', 'T', 'mark as trashed (T)'],
  ];
  const commit = common(subcommand(root, 'commit', 'move a message from new/ to cur/, with flags')).argument('<name>');
  for (const [long, , desc] of FLAG_OPTIONS) commit.option(`--${long}`, desc);
  commit.action(async (name: string, _o, cmd: Command) => {
    const dir = await existing(cmd);
    const o = cmd.opts() as Record<string, unknown>;
    const e = await find(dir, name);
    const add = FLAG_OPTIONS.filter(([long]) => o[long]).map(([, letter]) => letter).join('');
    const moved = await commitMessage(dir, e, add).catch((err) => {
      throw describeFsError(e.path, err);
    });
    if (!o.quiet) process.stdout.write(`${moved.file}\n`);
  });

  common(subcommand(root, 'flag', 'change the flags of a message: +S -T +FR'))
    .allowUnknownOption(true)
    .argument('<name>')
    .argument('<changes...>', '+LETTERS to set, -LETTERS to clear (D F P R S T, others kept)')
    .action(async (name: string, changes: string[], _o, cmd: Command) => {
      const dir = await existing(cmd);
      const e = await find(dir, name);
      const r = await changeFlags(dir, e, changes).catch((err) => {
        throw describeFsError(e.path, err);
      });
      if (!r.ok) throw usageError(r.message);
      if (!(cmd.opts() as MdirOptions).quiet) process.stdout.write(`${r.value.file}\n`);
    });

  common(subcommand(root, 'rm', 'remove a message'))
    .argument('<name>')
    .action(async (name: string, _o, cmd: Command) => {
      const dir = await existing(cmd);
      const e = await find(dir, name);
      await removeMessage(e).catch((err) => {
        throw describeFsError(e.path, err);
      });
    });

  root.usage('[options] <command> [arguments]').argument('[command]').action((command: string | undefined) => {
    if (command !== undefined) throw usageError(`unknown command '${command}' (see blaze mdir --help)`);
    throw usageError('missing command: init, put, new, list, get, commit, flag or rm (see blaze mdir --help)');
  });

  await root.parseAsync(argv, { from: 'user' });
  return code;
}

async function list(dir: string, folders: Folder[], o: MdirOptions): Promise<number> {
  const decoders = await loadDecoders();
  const out = new Output();
  const total = process.stderr.isTTY && !o.quiet ? await countMessages(dir, folders) : 0;
  const bar = progressBar(!o.quiet, 'count');
  let listed = 0;
  let first = true;
  let failed = 0;
  if (o.json) await out.write('[');
  // A batch of messages at a time: one await and one write per batch.
  for await (const batch of summarizeMaildirBatches(dir, folders)) {
    const lines: string[] = [];
    for (const s of batch) {
      bar.update(++listed, total);
      if (s.error) {
        failed++;
        if (o.verbose) process.stderr.write(`blaze: mdir: ${s.path}: ${s.error}\n`);
        if (s.error === 'vanished while listing') continue;
      }
      if (o.quiet) continue;
      const t = summaryText(s, decoders);
      if (o.json) lines.push(`${first ? '' : ','}\n${JSON.stringify(jsonRecord(s, t))}`);
      else lines.push(`${[s.name, flagsColumn(s), t.date ?? '-', oneLine(t.from) || '-', oneLine(t.subject) || '-'].join('\t')}\n`);
      first = false;
    }
    if (lines.length) await out.write(lines.join(''));
  }
  if (o.json) await out.write(first ? ']\n' : '\n]\n');
  bar.done();
  await out.end();
  return 0 * failed;
}

/** `N` for a message still in new/, then its flags; `-` when there is nothing to show. */
function flagsColumn(s: MessageSummary): string {
  return (s.folder === 'new' ? 'N' : '') + s.flags || '-';
}

function oneLine(s: string | undefined): string {
  return (s ?? '').replace(/[\t\r\n]+/g, ' ').trim();
}

function jsonRecord(s: MessageSummary, t: SummaryText) {
  return {
    name: s.name,
    folder: s.folder,
    file: s.file,
    flags: s.flags,
    size: s.size,
    date: t.date ?? null,
    timestamp: t.epochMs === undefined ? null : new Date(t.epochMs).toISOString(),
    from: t.from ?? null,
    subject: t.subject ?? null,
    ...(s.error ? { error: s.error } : {}),
  };
}

interface SummaryDecoders {
  /** Header bytes to text, encoded-words decoded. */
  text(value: Buffer): string;
  /** A Date value to `2017-03-30 15:00:00 +02:00` and its instant, or undefined when it does not parse. */
  date(value: string): { text: string; epochMs: number } | undefined;
}

interface SummaryText {
  date?: string;
  epochMs?: number;
  from?: string;
  subject?: string;
}

function summaryText(s: MessageSummary, d: SummaryDecoders): SummaryText {
  const date = s.date ? d.date(s.date.toString('latin1')) : undefined;
  return {
    date: date?.text ?? (s.date ? oneLine(s.date.toString('latin1')) : undefined),
    epochMs: date?.epochMs,
    from: s.from ? d.text(s.from) : undefined,
    subject: s.subject ? d.text(s.subject) : undefined,
  };
}

async function loadDecoders(): Promise<SummaryDecoders> {
  // Loaded only for `list`: the header decoders pull in iconv-lite.
  const { decodeUnstructuredBytes, parseDate, formatDateOriginal } = await import('../src/mime/index.ts');
  return {
    // Encoded-words decoded in their charsets; 8-bit text read as UTF-8, else Windows-1252 (RFC 6532).
    text: (b) => decodeUnstructuredBytes(b),
    date: (value) => {
      const d = parseDate(value);
      return d.ok ? { text: formatDateOriginal(d), epochMs: d.epochMs } : undefined;
    },
  };
}
