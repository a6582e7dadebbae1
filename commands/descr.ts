// blaze descr: the MIME tree of a message, one line per part: its type,
// charset, transfer encoding, decoded size and file name, in the original
// tool's layout (`.-- mixed` / `|   |-- text/plain`). The message is read
// once, streaming: bodies are decoded to count their bytes, never kept.
import { program, addTerminalOptions, addInputOptions, addJsonOption, presentation, type CommonOptions } from './_lib/cli.ts';
import { BlazeError, EXIT_USAGE } from './_lib/errors.ts';
import { inputName, Output, readMessage, releaseItems } from './_lib/io.ts';
import { MimeDecoder, type MimePart } from '../src/mime/multipart.ts';
import { fieldValue } from '../src/mime/header-decoder.ts';
import { decodeHeaderBytes } from '../src/mime/charset.ts';
import { parseMessageIds } from '../src/mime/message-id.ts';
import { safeJson, terminalSafe } from '../src/mime/safe-text.ts';

/**
 * What is kept of a part until the tree is printed: its line (text) or its
 * record (--json), never the parsed part with its raw header fields, so a
 * message of a million tiny parts costs the listed lines only.
 */
interface Node {
  /** Text: the label after the tree drawing. */
  label?: string;
  /** --json: the part's record without children. */
  json?: Record<string, unknown>;
  children: Node[];
}

/** While a part is open: what its label or record needs at its end (the size). */
interface OpenPart {
  node: Node;
  part: PartSummary;
}

/** The few facts of a part that descr prints. */
interface PartSummary {
  /** IMAP-like part number: "" for the message, "2.1". */
  number: string;
  kind: MimePart['kind'];
  type: string;
  subtype: string;
  params: Record<string, string>;
  charset?: string;
  encoding: string;
  disposition?: string;
  filename?: string;
  id?: string;
}

/** Parts kept for printing; past this the rest are counted, not listed (bounded memory). */
const MAX_NODES = 2_000;
/** Warnings kept; past this they are counted. */
const MAX_WARNINGS = 1000;
const GIVE_UP_BYTES = 1 << 20;
/** Bytes given to the MIME decoder at a time while parts are dense (see the read loop). */
const SLICE = 512;
/** Bytes at a time otherwise (a burst of tiny parts in one of them stays small). */
const SPARSE_SLICE = 64 * 1024;
/** Events and header fields per KiB of input above which the input is dense. */
const DENSE_EVENTS_PER_KIB = 4;

export default async function descr(argv: string[]): Promise<number> {
  const cmd = addJsonOption(addInputOptions(addTerminalOptions(program('descr', 'print the MIME tree of a message'))));
  cmd.argument('[input]', 'the message (default: stdin)');
  await cmd.parseAsync(argv, { from: 'user' });
  const o = cmd.opts<CommonOptions>();
  const input = cmd.args[0] as string | undefined;
  const name = inputName(input);

  const dec = new MimeDecoder();
  const open = new Map<string, OpenPart>();
  const { glyphs, paint } = presentation(o);
  let root: Node | undefined;
  let rootHasFields = false;
  let nodes = 0;
  let omitted = 0;
  let moreWarnings = 0;
  const warnings: Array<{ part: string; message: string; fatal: boolean }> = [];
  const handle = (events: ReturnType<MimeDecoder['push']>): void => {
    for (const ev of events) {
      if (ev.type === 'part-start') {
        const key = ev.part.path.join('.');
        const parent = open.get(ev.part.path.slice(0, -1).join('.'));
        if (ev.part.path.length && (!parent || nodes >= MAX_NODES)) {
          omitted++;
          continue;
        }
        const node: Node = { children: [] };
        const part = summary(ev.part);
        nodes++;
        open.set(key, { node, part });
        if (parent) parent.node.children.push(node);
        else {
          root = node;
          rootHasFields = ev.part.fields.length > 0;
        }
        if (part.kind !== 'leaf') finishNode(node, part, 0, 0, o.json === true, paint);
      } else if (ev.type === 'part-end') {
        const key = ev.path.join('.');
        const p = open.get(key);
        if (p) {
          if (p.part.kind === 'leaf') finishNode(p.node, p.part, ev.size, ev.rawSize, o.json === true, paint);
          open.delete(key);
        }
      } else if (ev.type === 'warning') {
        if (warnings.length < MAX_WARNINGS) warnings.push({ part: partName(ev.path), message: ev.message, fatal: ev.fatal });
        else {
          moreWarnings++;
          if (ev.fatal) warnings[warnings.length - 1].fatal = true;
        }
      }
    }
  };
  let bytes = 0;
  let gaveUp = false;
  let dense = true;
  for await (const chunk of readMessage(input, o.newline)) {
    // The decoder returns a chunk's events at once, and a 256 KiB chunk of
    // tiny parts is tens of thousands of them, all alive until handled (V8
    // then promotes them and spends its time in full collections): while the
    // parts are dense, the input goes in small slices; large bodies in 64 KiB.
    for (let i = 0; i < chunk.length; ) {
      const size: number = dense ? SLICE : SPARSE_SLICE;
      const fieldsBefore = dec.fields;
      const events = dec.push(chunk.subarray(i, i + size));
      // Parts and header fields alike: each is a few objects the decoder made.
      const items = events.length + dec.fields - fieldsBefore;
      releaseItems(items);
      dense = items * 1024 > size * DENSE_EVENTS_PER_KIB;
      handle(events);
      i += size;
    }
    bytes += chunk.length;
    // Like hdr: a megabyte without a header field begun is not a message.
    if (bytes > GIVE_UP_BYTES && !dec.sawField) {
      gaveUp = true;
      break;
    }
  }
  if (!gaveUp) handle(dec.finish());
  if (!root || !rootHasFields) throw new BlazeError(`${name}: no header field (not a message?)`, EXIT_USAGE);

  const out = new Output();
  if (o.json) {
    if (!o.quiet) await out.write(safeJson({ input: name, tree: toJson(root), omitted, warnings }) + '\n');
  } else if (!o.quiet) {
    const lines: string[] = [];
    const walk = (n: Node, prefix: string, connector: string, childPrefix: string): void => {
      lines.push(prefix + connector + n.label);
      n.children.forEach((c, i) => {
        const last = i === n.children.length - 1;
        walk(c, childPrefix, last ? glyphs.last : glyphs.tee, childPrefix + (last ? '    ' : glyphs.pipe));
      });
    };
    const rootConnector = glyphs.tee === '|-- ' ? '.-- ' : '.── ';
    walk(root, '', rootConnector, glyphs.pipe);
    if (omitted) lines.push(`(${omitted} more part${omitted > 1 ? 's' : ''} not listed)`);
    await out.write(lines.join('\n') + '\n');
  }
  await out.end();
  if (!o.quiet) for (const w of warnings) process.stderr.write(`blaze: descr: ${name}: ${w.part}: ${terminalSafe(w.message)}\n`);
  if (!o.quiet && moreWarnings) process.stderr.write(`blaze: descr: ${name}: ${moreWarnings} more warning${moreWarnings > 1 ? 's' : ''}\n`);
  return warnings.some((w) => w.fatal) ? 1 : 0;
}

/** IMAP-like part numbers: `message`, `part 2`, `part 2.1`. */
function partName(path: number[]): string {
  return path.length ? `part ${path.map((n) => n + 1).join('.')}` : 'message';
}

function field(part: MimePart, name: string): string | undefined {
  const f = part.fields.find((x) => x.name.toLowerCase() === name);
  return f ? decodeHeaderBytes(fieldValue(f.raw)) : undefined;
}

/** The facts descr prints, copied out of the part (its fields are not kept). */
function summary(part: MimePart): PartSummary {
  const ct = part.contentType;
  const id = field(part, 'content-id');
  return {
    number: part.path.map((x) => x + 1).join('.'),
    kind: part.kind,
    type: ct.type,
    subtype: ct.subtype,
    params: { ...ct.params },
    charset: ct.params.charset,
    encoding: part.encoding,
    disposition: part.disposition?.type,
    filename: part.disposition?.params.filename ?? ct.params.name,
    id: id === undefined ? undefined : (parseMessageIds(id)[0] ?? id),
  };
}

/** Fills the node's label (text) or record (--json) once the part's size is known. */
function finishNode(n: Node, p: PartSummary, size: number, rawSize: number, json: boolean, paint: ReturnType<typeof presentation>['paint']): void {
  if (json) n.json = record(p, size, rawSize);
  else n.label = label(p, size, paint);
}

function label(p: PartSummary, size: number, paint: ReturnType<typeof presentation>['paint']): string {
  if (p.kind === 'multipart') return paint.bold(terminalSafe(p.subtype));
  const details: string[] = [];
  if (p.charset !== undefined && (p.type === 'text' || p.charset.toLowerCase() !== 'us-ascii')) details.push(p.charset);
  details.push(p.encoding);
  if (p.kind === 'leaf') details.push(`${size} byte${size === 1 ? '' : 's'}`);
  return `${paint.bold(terminalSafe(`${p.type}/${p.subtype}`))} ${paint.dim(`(${terminalSafe(details.join(', '))})`)}${p.filename !== undefined ? ' ' + paint.cyan(clean(p.filename)) : ''}`;
}

/** A file name on one terminal line: control characters shown as U+FFFD. */
function clean(s: string): string {
  return terminalSafe(s.replace(/[\u0000-\u001f\u007f]/g, '\ufffd'));
}

function record(p: PartSummary, size: number, rawSize: number): Record<string, unknown> {
  const j: Record<string, unknown> = {
    part: p.number,
    kind: p.kind,
    type: `${p.type}/${p.subtype}`,
    params: p.params,
    encoding: p.encoding,
  };
  if (p.charset !== undefined) j.charset = p.charset;
  if (p.disposition) j.disposition = p.disposition;
  if (p.filename !== undefined) j.filename = p.filename;
  if (p.id !== undefined) j.id = p.id;
  if (p.kind === 'leaf') {
    j.size = size;
    j.encodedSize = rawSize;
  }
  return j;
}

function toJson(n: Node): Record<string, unknown> {
  const j = { ...n.json! };
  if (n.children.length) j.children = n.children.map(toJson);
  return j;
}
