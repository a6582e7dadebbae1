// blaze hdr: the header fields of a message, unfolded, one per line; address
// lists one address per line, dates in the original tool's layout; -h selects,
// -p prints a parameter, -d decodes encoded-words and charsets to UTF-8.
import { program, addTerminalOptions, addInputOptions, addJsonOption, type CommonOptions } from './_lib/cli.ts';
import { usageError } from './_lib/errors.ts';
import { inputName, Output } from './_lib/io.ts';
import { ADDRESS_FIELDS, DATE_FIELDS, addressJson, headerFields, rawValue, withCommentName, type HeaderProblem } from './_lib/header-read.ts';
import type { RawField } from '../src/mime/header-decoder.ts';
import { decodeHeaderBytes } from '../src/mime/charset.ts';
import { formatAddress, isGroup, parseAddressList } from '../src/mime/address.ts';
import { formatDateIso, formatDateOriginal, parseDate } from '../src/mime/date.ts';
import { parseMessageIds } from '../src/mime/message-id.ts';
import { parseContentValue } from '../src/mime/content-type.ts';
import { decodeUnstructuredBytes, unfoldUnstructured } from '../src/mime/unstructured.ts';

interface HdrOptions extends CommonOptions {
  header?: string[];
  param?: string;
  decode?: boolean;
}

/** One field as printed: its lines (first with the name) and the JSON record. */
interface Rendered {
  text: string;
  json: Record<string, unknown>;
}

export default async function hdr(argv: string[]): Promise<number> {
  const cmd = addJsonOption(addInputOptions(addTerminalOptions(program('hdr', 'print header fields, unfolded and decoded'))));
  cmd
    .argument('[input]', 'the message (default: stdin)')
    .option('-h, --header <names>', 'only these fields, colon-separated; a name twice takes two occurrences (repeatable)', collect, [])
    .option('-p, --param <name>', 'print this Content-Type style parameter of the selected fields')
    .option('-d, --decode', 'decode encoded-words and charsets to UTF-8');
  await cmd.parseAsync(argv, { from: 'user' });
  const o = cmd.opts<HdrOptions>();
  const input = cmd.args[0] as string | undefined;
  const name = inputName(input);

  const wanted = (o.header ?? []).flatMap((h) => h.split(':')).map((s) => s.trim());
  if (wanted.some((w) => w === '' || /[\s]/.test(w))) throw usageError(`-h: expected field names separated by ':', got '${o.header!.join(' ')}'`);
  const slots: Array<{ name: string; field?: RawField }> = wanted.map((w) => ({ name: w.toLowerCase() }));
  const encoding: BufferEncoding = o.decode || o.json || o.param !== undefined ? 'utf8' : 'latin1';

  const warnings: string[] = [];
  const problem = (p: HeaderProblem): void => {
    if (p.kind === 'too-long') {
      const msg = `line ${p.line}: field ${p.name || '(unnamed)'} is too long (${p.size} bytes), skipped`;
      warnings.push(msg);
      if (!o.quiet) process.stderr.write(`blaze: hdr: ${name}: ${msg}\n`);
    } else {
      const msg = `line ${p.line}: ${p.reason}`;
      warnings.push(msg);
      if (o.verbose) process.stderr.write(`blaze: hdr: ${name}: ${msg}\n`);
    }
  };

  const out = new Output();
  const records: Array<Record<string, unknown>> = [];
  let printed = 0;
  const emit = async (f: RawField): Promise<void> => {
    const r = render(f, o);
    if (r === undefined) return;
    printed++;
    if (o.json) records.push(r.json);
    else if (!o.quiet) await out.write(Buffer.from(r.text, encoding));
  };

  for await (const f of headerFields(input, o.newline, problem)) {
    if (!slots.length) {
      await emit(f);
      continue;
    }
    const slot = slots.find((s) => s.field === undefined && s.name === f.name.toLowerCase());
    if (slot) slot.field = f;
  }
  // With -h, the fields come out in the order they were asked for.
  for (const s of slots) if (s.field) await emit(s.field);

  if (o.json && !o.quiet) await out.write(JSON.stringify({ input: name, fields: records, warnings }, null, 2) + '\n');
  await out.end();
  return (slots.length || o.param !== undefined) && printed === 0 ? 1 : 0;
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
