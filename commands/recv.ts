// blaze recv: the route of a message from its Received fields (extract), and
// a new Received field on top of a message (stamp).
import { hostname } from 'node:os';
import { program, subcommand, addTerminalOptions, addInputOptions, addJsonOption, addOutputOption, type CommonOptions } from './_lib/cli.ts';
import { usageError } from './_lib/errors.ts';
import { readMessage, Output, inputName, releaseItems } from './_lib/io.ts';
import { skippedFieldWarning, type SkippedField } from '../src/mime/header-keeper.ts';
import { safeJson, terminalSafe } from '../src/mime/safe-text.ts';
import { addNowOption, parseNow, parseZone } from './_lib/flags.ts';
import { writePrepended } from './_lib/message-writer.ts';
import { HeaderDecoder, fieldValue } from '../src/mime/header-decoder.ts';
import { buildRoute, formatHopText, formatRouteDot, hopJson, formatReceived, type RouteField } from '../src/received/index.ts';

interface ExtractOptions extends CommonOptions {
  delays?: boolean;
  dot?: boolean;
  reverse?: boolean;
}

interface StampOptions extends CommonOptions {
  from?: string;
  ip?: string;
  rdns?: string;
  hostname?: string;
  via?: string;
  with?: string;
  id?: string;
  now?: string;
  zone?: string;
}

export default async function recv(argv: string[]): Promise<number> {
  let code = 0;
  const root = program('recv', 'the route of a message from its Received fields (extract, stamp)');

  addJsonOption(addInputOptions(addTerminalOptions(subcommand(root, 'extract', 'print the route, from the origin to the last receiver: one hop per Received field'))))
    .argument('[input]', 'the message (default: stdin)')
    .option('--reverse', 'in header order (the last receiver first)')
    .option('--delays', 'add a "delay" line per hop, computed from the dates')
    .option('--dot', 'print a Graphviz digraph of the route')
    .action(async (input: string | undefined, o: ExtractOptions) => {
      code = await extract(input, o);
    });

  addNowOption(addOutputOption(addInputOptions(addTerminalOptions(subcommand(root, 'stamp', 'prepend a Received field and copy the message')))), 'the date of the field: RFC 3339, @EPOCH or now (default: now)')
    .argument('<for>', 'the recipient (the "for" clause)')
    .argument('[input]', 'the message (default: stdin)')
    .option('-f, --from <domain>', 'the client name (HELO) of the "from" clause')
    .option('--ip <address>', 'the client address, written as a TCP-info comment')
    .option('--rdns <name>', 'the client name from reverse DNS, with --ip')
    .option('-h, --hostname <host>', 'the receiving host of the "by" clause (default: this host)')
    .option('--via <link>', 'the link of the "via" clause (RFC 5321 §4.4: TCP, or another atom)')
    .option('--with <protocol>', 'the protocol (SMTP, ESMTP, ESMTPS, ESMTPSA, LMTP...)')
    .option('--id <id>', 'the queue id')
    .option('--zone <+HHMM>', 'the time zone the date is written in (default: +0000)')
    .action(async (rcpt: string, input: string | undefined, o: StampOptions) => {
      code = await stamp(rcpt, input, o);
    });

  root.usage('[options] <command> [arguments]').argument('[command]').action((command: string | undefined) => {
    if (command !== undefined) throw usageError(`unknown command '${command}' (see blaze recv --help)`);
    throw usageError('missing command: extract or stamp (see blaze recv --help)');
  });

  await root.parseAsync(argv, { from: 'user' });
  return code;
}

/** The Received fields (and Date) of the message's top-level header; the body is not read. */
/**
 * Received fields read into the route. RFC 5321 §6.3 asks a relay to count at
 * least 100 before it calls a message looping, and MTAs bounce at 30 to 100;
 * past this many the rest are counted, not kept (the route is sorted, so
 * every kept hop stays in memory until the end).
 */
const MAX_HOPS = 5000;

async function readTrace(
  input: string | undefined,
  newline: CommonOptions['newline'],
): Promise<{ fields: RouteField[]; date?: string; skipped: SkippedField[]; dropped: number }> {
  const dec = new HeaderDecoder();
  const fields: RouteField[] = [];
  const skipped: SkippedField[] = [];
  let dropped = 0;
  let date: string | undefined;
  const take = (events: ReturnType<HeaderDecoder['push']>): boolean => {
    for (const ev of events) {
      if (ev.type === 'field') {
        releaseItems();
        const name = ev.field.name.toLowerCase();
        if (name === 'received') {
          if (fields.length < MAX_HOPS) fields.push({ value: fieldValue(ev.field.raw).toString('utf8'), line: ev.field.line });
          else dropped++;
        }
        else if (name === 'date' && date === undefined) date = fieldValue(ev.field.raw).toString('latin1');
      } else if (ev.type === 'too-long') skipped.push({ name: ev.name, line: ev.line, size: ev.size });
      else if (ev.type === 'end') return true;
    }
    return false;
  };
  let done = false;
  reading: for await (const chunk of readMessage(input, newline)) {
    // In slices: the decoder returns a slice's fields at once (see _lib/header-read.ts).
    for (let at = 0; at < chunk.length; at += 4096) {
      if (take(dec.push(chunk.subarray(at, at + 4096)))) {
        done = true;
        break reading;
      }
    }
  }
  if (!done) take(dec.finish());
  return { fields, date, skipped, dropped };
}

/** Lines for a terminal: each escaped (a value may hold an ESC sequence), the leading TAB of a detail line kept. */
function safeLines(text: string): string {
  return text
    .split('\n')
    .map((l) => (l.startsWith('\t') ? `\t${terminalSafe(l.slice(1))}` : terminalSafe(l)))
    .join('\n');
}

async function extract(input: string | undefined, o: ExtractOptions): Promise<number> {
  if (o.dot && o.json) throw usageError('--dot and --json cannot be used together');
  const { fields, date, skipped, dropped } = await readTrace(input, o.newline);
  const route = buildRoute(fields, date);
  // --reverse: the fields as they are stacked in the header (the newest first)
  const hops = o.reverse ? [...route].sort((a, b) => a.line - b.line) : route;
  const name = inputName(input);
  if (!o.quiet) for (const s of skipped) process.stderr.write(`blaze: recv extract: ${name}: ${skippedFieldWarning(s)}\n`);
  if (!o.quiet && dropped) process.stderr.write(`blaze: recv extract: ${name}: ${dropped} more Received field${dropped > 1 ? 's' : ''} after the first ${MAX_HOPS} not read\n`);
  if (o.verbose) {
    for (const h of hops) {
      if (h.error) process.stderr.write(`blaze: recv: ${name}: line ${h.line}: unparseable Received field (${terminalSafe(h.error)})\n`);
      else if (h.parsed?.date && !h.parsed.date.ok) process.stderr.write(`blaze: recv: ${name}: line ${h.line}: unreadable date (${terminalSafe(h.parsed.date.error)})\n`);
    }
  }
  if (o.quiet) return 0;
  const out = new Output();
  // Every value comes from the message: the JSON escapes what JSON.stringify leaves raw, the text escapes controls.
  if (o.json) {
    await out.write(safeJson({ input: name, hops: hops.map(hopJson) }) + '\n');
  } else if (o.dot) {
    await out.write(safeLines(formatRouteDot(hops)));
  } else {
    for (const h of hops) await out.write(safeLines(formatHopText(h, { delays: o.delays })));
  }
  await out.end();
  return 0;
}

const TOKEN = /^[\x21-\x7e]+$/;

async function stamp(rcpt: string, input: string | undefined, o: StampOptions): Promise<number> {
  for (const [flag, v] of [['FOR', rcpt], ['--from', o.from], ['--hostname', o.hostname], ['--via', o.via], ['--with', o.with], ['--id', o.id], ['--rdns', o.rdns]] as const) {
    if (v !== undefined && (!TOKEN.test(v) || /[;()<>]/.test(v.replace(/^<(.*)>$/, '$1')))) throw usageError(`${flag}: '${v}' is not a single word`);
  }
  if (o.rdns && !o.ip) throw usageError('--rdns needs --ip');
  const field = formatReceived({
    from: o.from || o.ip ? { helo: o.from, ip: o.ip, rdns: o.rdns } : undefined,
    by: o.hostname ?? hostname(),
    via: o.via,
    with: o.with,
    id: o.id,
    for: rcpt,
    date: parseNow(o.now),
    zoneMinutes: o.zone === undefined ? 0 : parseZone(o.zone),
  });
  // --newline lf says how to write; the input's line ends are detected.
  await writePrepended(field, readMessage(input, o.newline === 'lf' ? 'auto' : o.newline), o);
  return 0;
}
