// blaze descr: the MIME tree of a message, one line per part: its type,
// charset, transfer encoding, decoded size and file name, in the original
// tool's layout (`.-- mixed` / `|   |-- text/plain`). The message is read
// once, streaming: bodies are decoded to count their bytes, never kept.
import { program, addTerminalOptions, addInputOptions, addJsonOption, presentation, type CommonOptions } from './_lib/cli.ts';
import { BlazeError, EXIT_USAGE } from './_lib/errors.ts';
import { inputName, Output, readMessage } from './_lib/io.ts';
import { MimeDecoder, type MimePart } from '../src/mime/multipart.ts';
import { fieldValue } from '../src/mime/header-decoder.ts';
import { decodeHeaderBytes } from '../src/mime/charset.ts';
import { parseMessageIds } from '../src/mime/message-id.ts';

interface Node {
  part: MimePart;
  children: Node[];
  size: number;
  rawSize: number;
}

/** Parts kept for printing; past this the rest are counted, not listed. */
const MAX_NODES = 100_000;
const GIVE_UP_BYTES = 1 << 20;

export default async function descr(argv: string[]): Promise<number> {
  const cmd = addJsonOption(addInputOptions(addTerminalOptions(program('descr', 'print the MIME tree of a message'))));
  cmd.argument('[input]', 'the message (default: stdin)');
  await cmd.parseAsync(argv, { from: 'user' });
  const o = cmd.opts<CommonOptions>();
  const input = cmd.args[0] as string | undefined;
  const name = inputName(input);

  const dec = new MimeDecoder();
  const open = new Map<string, Node>();
  let root: Node | undefined;
  let nodes = 0;
  let omitted = 0;
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
        const node: Node = { part: ev.part, children: [], size: 0, rawSize: 0 };
        nodes++;
        open.set(key, node);
        if (parent) parent.children.push(node);
        else root = node;
      } else if (ev.type === 'part-end') {
        const key = ev.path.join('.');
        const node = open.get(key);
        if (node) {
          node.size = ev.size;
          node.rawSize = ev.rawSize;
          open.delete(key);
        }
      } else if (ev.type === 'warning') {
        warnings.push({ part: partName(ev.path), message: ev.message, fatal: ev.fatal });
      }
    }
  };
  let bytes = 0;
  let gaveUp = false;
  for await (const chunk of readMessage(input, o.newline)) {
    handle(dec.push(chunk));
    bytes += chunk.length;
    // Like hdr: a megabyte without a header field begun is not a message.
    if (bytes > GIVE_UP_BYTES && !dec.sawField) {
      gaveUp = true;
      break;
    }
  }
  if (!gaveUp) handle(dec.finish());
  if (!root || root.part.fields.length === 0) throw new BlazeError(`${name}: no header field (not a message?)`, EXIT_USAGE);

  const out = new Output();
  if (o.json) {
    if (!o.quiet) await out.write(JSON.stringify({ input: name, tree: toJson(root), omitted, warnings }, null, 2) + '\n');
  } else if (!o.quiet) {
    const { glyphs, paint } = presentation(o);
    const lines: string[] = [];
    const walk = (n: Node, prefix: string, connector: string, childPrefix: string): void => {
      lines.push(prefix + connector + label(n, paint));
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
  if (!o.quiet) for (const w of warnings) process.stderr.write(`blaze: descr: ${name}: ${w.part}: ${w.message}\n`);
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

function filename(part: MimePart): string | undefined {
  return part.disposition?.params.filename ?? part.contentType.params.name;
}

function label(n: Node, paint: ReturnType<typeof presentation>['paint']): string {
  const ct = n.part.contentType;
  if (n.part.kind === 'multipart') return paint.bold(ct.subtype);
  const details: string[] = [];
  if (ct.params.charset !== undefined && (ct.type === 'text' || ct.params.charset.toLowerCase() !== 'us-ascii')) details.push(ct.params.charset);
  details.push(n.part.encoding);
  if (n.part.kind === 'leaf') details.push(`${n.size} byte${n.size === 1 ? '' : 's'}`);
  const file = filename(n.part);
  return `${paint.bold(`${ct.type}/${ct.subtype}`)} ${paint.dim(`(${details.join(', ')})`)}${file !== undefined ? ' ' + paint.cyan(clean(file)) : ''}`;
}

/** A file name on one terminal line: control characters shown as U+FFFD. */
function clean(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f]/g, '\ufffd');
}

function toJson(n: Node): Record<string, unknown> {
  const ct = n.part.contentType;
  const j: Record<string, unknown> = {
    part: n.part.path.map((x) => x + 1).join('.'),
    kind: n.part.kind,
    type: `${ct.type}/${ct.subtype}`,
    params: { ...ct.params },
    encoding: n.part.encoding,
  };
  if (ct.params.charset !== undefined) j.charset = ct.params.charset;
  if (n.part.disposition) j.disposition = n.part.disposition.type;
  const file = filename(n.part);
  if (file !== undefined) j.filename = file;
  const id = field(n.part, 'content-id');
  if (id !== undefined) j.id = parseMessageIds(id)[0] ?? id;
  if (n.part.kind === 'leaf') {
    j.size = n.size;
    j.encodedSize = n.rawSize;
  }
  if (n.children.length) j.children = n.children.map(toJson);
  return j;
}
