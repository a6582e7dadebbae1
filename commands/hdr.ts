// blaze hdr: the header fields of a message, unfolded, one per line; address
// lists one address per line, dates in the original tool's layout; -h selects,
// -p prints a parameter, -d decodes encoded-words and charsets to UTF-8.
import { program, addTerminalOptions, addInputOptions, addJsonOption, type CommonOptions } from './_lib/cli.ts';
import { BlazeError, EXIT_USAGE, usageError } from './_lib/errors.ts';
import { addBatchOptions, batchInputs, runBatch, type BatchFlags } from './_lib/batch.ts';
import { inputName, Output } from './_lib/io.ts';
import { ADDRESS_FIELDS, DATE_FIELDS, addressJson, headerFields, rawValue, withCommentName, type HeaderProblem } from './_lib/header-read.ts';
import type { RawField } from '../src/mime/header-decoder.ts';
import { decodeHeaderBytes } from '../src/mime/charset.ts';
import { formatAddress, isGroup, parseAddressList } from '../src/mime/address.ts';
import { formatDateIso, formatDateOriginal, parseDate } from '../src/mime/date.ts';
import { parseMessageIds } from '../src/mime/message-id.ts';
import { parseContentValue } from '../src/mime/content-type.ts';
import { decodeUnstructuredBytes, unfoldUnstructured } from '../src/mime/unstructured.ts';

interface HdrOptions extends CommonOptions, BatchFlags {
  header?: string[];
  param?: string;
  decode?: boolean;
  withFilename?: boolean;
}

/** One field as printed: its lines (first with the name) and the JSON record. */
interface Rendered {
  text: string;
  json: Record<string, unknown>;
}

/** One input's output (structured-cloneable: it may come from a worker thread). */
interface HdrOutcome {
  name: string;
  /** The lines to print, as characters to encode with the output encoding. */
  text: string;
  records: Array<Record<string, unknown>>;
  warnings: string[];
  /** Lines for stderr, in the order they arose. */
  notes: string[];
  printed: number;
  error?: string;
}

export default async function hdr(argv: string[]): Promise<number> {
  const cmd = addBatchOptions(addJsonOption(addInputOptions(addTerminalOptions(program('hdr', 'print header fields, unfolded and decoded')))));
  cmd
    .argument('[inputs...]', 'the messages (default: stdin)')
    .option('-h, --header <names>', 'only these fields, colon-separated; a name twice takes two occurrences (repeatable)', collect, [])
    .option('-p, --param <name>', 'print this Content-Type style parameter of the selected fields')
    .option('-d, --decode', 'decode encoded-words and charsets to UTF-8')
    .option('-H, --with-filename', 'prefix each output line with the file name and a tab (as mblaze\'s mhdr -H)');
  await cmd.parseAsync(argv, { from: 'user' });
  const o = cmd.opts<HdrOptions>();
  const inputs = batchInputs(cmd.args, o);

  const wanted = (o.header ?? []).flatMap((h) => h.split(':')).map((s) => s.trim());
  if (wanted.some((w) => w === '' || /[\s]/.test(w))) throw usageError(`-h: expected field names separated by ':', got '${o.header!.join(' ')}'`);
  const encoding: BufferEncoding = o.decode || o.json || o.param !== undefined ? 'utf8' : 'latin1';
  const several = inputs.length > 1;

  const out = new Output();
  let printed = 0;
  let failed = false;
  let first = true;
  const prefix = (name: string, text: string): string => (o.withFilename ? text.replace(/^(?=.)/gm, `${name}\t`) : text);
  if (!several) {
    // one input: the lines go out as the fields arrive (a huge header is never held)
    const sink = o.quiet || o.json ? undefined : (name: string, text: string) => out.write(Buffer.from(prefix(name, text), encoding));
    const r = await readOne(inputs[0], wanted, o, sink);
    for (const n of r.notes) process.stderr.write(n);
    if (r.error) throw new BlazeError(r.error);
    if (o.json && !o.quiet) await out.write(`${JSON.stringify({ input: r.name, fields: r.records, warnings: r.warnings }, null, 2)}\n`);
    await out.end();
    return (wanted.length || o.param !== undefined) && r.printed === 0 ? 1 : 0;
  }
  if (o.json && !o.quiet) await out.write('{\n  "files": [');
  const end = await runBatch<HdrOutcome>({
    label: 'hdr',
    inputs,
    quiet: o.quiet,
    verbose: o.verbose,
    run: (input) => readOne(input, wanted, o),
    async write(r) {
      for (const n of r.notes) process.stderr.write(n);
      if (r.error) {
        process.stderr.write(`blaze: hdr: ${r.error}\n`);
        failed = true;
        return;
      }
      printed += r.printed;
      if (o.quiet) return;
      if (o.json) {
        const doc = JSON.stringify({ input: r.name, fields: r.records, warnings: r.warnings }, null, 2);
        await out.write(`${first ? '' : ','}\n    ${doc.replace(/\n/g, '\n    ')}`);
        first = false;
        return;
      }
      // -H: every line (continuation lines of an address list too) starts with the file name and a tab
      if (r.text) await out.write(Buffer.from(prefix(r.name, r.text), encoding));
    },
  });
  if (end === 'worker') return 0;
  if (o.json && !o.quiet) await out.write(first ? ']\n}\n' : '\n  ]\n}\n');
  await out.end();
  if (failed) return EXIT_USAGE;
  return (wanted.length || o.param !== undefined) && printed === 0 ? 1 : 0;
}

/** The header of one input, rendered; a failure to read it is an outcome, not a throw (the batch goes on). */
async function readOne(input: string, wanted: string[], o: HdrOptions, sink?: (name: string, text: string) => Promise<void>): Promise<HdrOutcome> {
  const name = inputName(input);
  const r: HdrOutcome = { name, text: '', records: [], warnings: [], notes: [], printed: 0 };
  const slots: Array<{ name: string; field?: RawField }> = wanted.map((w) => ({ name: w.toLowerCase() }));
  const problem = (p: HeaderProblem): void => {
    if (p.kind === 'too-long') {
      const msg = `line ${p.line}: field ${p.name || '(unnamed)'} is too long (${p.size} bytes), skipped`;
      r.warnings.push(msg);
      if (!o.quiet) r.notes.push(`blaze: hdr: ${name}: ${msg}\n`);
    } else {
      const msg = `line ${p.line}: ${p.reason}`;
      r.warnings.push(msg);
      if (o.verbose) r.notes.push(`blaze: hdr: ${name}: ${msg}\n`);
    }
  };
  const emit = async (f: RawField): Promise<void> => {
    const x = render(f, o);
    if (x === undefined) return;
    r.printed++;
    if (o.json) r.records.push(x.json);
    else if (sink) await sink(name, x.text);
    else r.text += x.text;
  };
  try {
    for await (const f of headerFields(input, o.newline, problem)) {
      if (!slots.length) {
        await emit(f);
        continue;
      }
      const slot = slots.find((s) => s.field === undefined && s.name === f.name.toLowerCase());
      if (slot) slot.field = f;
    }
  } catch (err) {
    if (err instanceof BlazeError) return { ...r, error: err.message };
    throw err;
  }
  // With -h, the fields come out in the order they were asked for.
  for (const s of slots) if (s.field) await emit(s.field);
  return r;
}

const ID_FIELDS = new Set(['message-id', 'in-reply-to', 'references', 'resent-message-id', 'content-id']);

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

function render(f: RawField, o: HdrOptions): Rendered | undefined {
  const bytes = rawValue(f.raw);
  const lower = f.name.toLowerCase();
  const decodedText = decodeHeaderBytes(bytes);
  const text = o.decode || o.json ? decodedText : bytes.toString('latin1');
  const json: Record<string, unknown> = { name: f.name, line: f.line };

  if (o.param !== undefined) {
    const v = paramOf(decodedText, o.param.toLowerCase());
    if (v === undefined) return undefined;
    return { text: `${v}\n`, json: { ...json, param: o.param.toLowerCase(), value: v } };
  }

  const value = o.decode || o.json ? decodeUnstructuredBytes(bytes) : unfoldUnstructured(text);
  json.value = value;
  json.raw = decodeHeaderBytes(f.raw);
  let lines: string[] = [value];

  if (DATE_FIELDS.has(lower)) {
    const d = parseDate(text);
    if (d.ok) {
      lines = [formatDateOriginal(d)];
      json.date = { iso: formatDateIso(d), epoch: Math.floor(d.epochMs / 1000), offsetMinutes: d.offsetMinutes };
    } else json.error = d.error;
  } else if (ID_FIELDS.has(lower)) {
    json.ids = parseMessageIds(text);
  } else if (ADDRESS_FIELDS.has(lower)) {
    const decode = Boolean(o.decode || o.json);
    const r = parseAddressList(bytes.toString('latin1'), { decode, binary: decode });
    if (r.ok && r.addresses.length) {
      const shown = r.addresses.map((a) =>
        isGroup(a) ? { ...a, mailboxes: a.mailboxes.map((m) => withCommentName(m, decode)) } : withCommentName(a, decode),
      );
      lines = shown.map((a, i) => formatAddress(a) + (i < shown.length - 1 ? ',' : ''));
      json.addresses = r.addresses.map(addressJson);
    } else if (!r.ok) {
      json.error = r.error;
      if (r.addresses.length) json.addresses = r.addresses.map(addressJson);
    }
  }
  const indent = ' '.repeat(f.name.length + 2);
  return { text: `${f.name}: ${lines.join('\n' + indent)}\n`, json };
}

/** A parameter of a Content-Type style value (RFC 2231 continuations and charsets decoded). */
function paramOf(value: string, param: string): string | undefined {
  return parseContentValue(value)?.params.find(([k]) => k === param)?.[1];
}
