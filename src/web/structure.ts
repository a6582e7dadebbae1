// What the web inbox needs to know of one message, gathered from the events
// of the streaming MimeDecoder in one pass (no body kept): the top header
// fields, the part tree with decoded sizes, which parts are the text and the
// HTML to show, which are attachments, and the decoder's warnings. Memory is
// bounded by the number of parts kept (MAX_PARTS) and the header decoder's
// own bounds.
import type { MimeEvent, MimePart } from '../mime/multipart.ts';
import type { RawField } from '../mime/header-decoder.ts';
import { fieldValue } from '../mime/header-decoder.ts';
import { decodeHeaderBytes } from '../mime/charset.ts';
import { parseMessageIds } from '../mime/message-id.ts';

/** Parts kept in a tree; past this they are counted, not listed. */
export const MAX_PARTS = 2000;

export interface PartNode {
  /** descr's numbering: "0" for the message itself, "1", "2.1", ... */
  id: string;
  path: number[];
  kind: MimePart['kind'];
  type: string;
  params: Record<string, string>;
  encoding: string;
  disposition?: string;
  filename?: string;
  /** The Content-ID without its angle brackets. */
  contentId?: string;
  /** Decoded bytes of a leaf body. */
  size?: number;
  /** A part a person would save: an attachment, or a message/rfc822 inside the message. */
  attachment: boolean;
  /** Inside an attached message (its parts are not this message's body). */
  enclosed: boolean;
  children: PartNode[];
}

export interface Structure {
  /** The top header's fields, in order (bounded by the decoder). */
  fields: RawField[];
  root?: PartNode;
  /** Parts beyond MAX_PARTS. */
  omitted: number;
  attachments: number;
  /** The part to show as text and as HTML (ids), when there are such parts. */
  text?: string;
  html?: string;
  warnings: Array<{ part: string; message: string; fatal: boolean }>;
}

export function partId(path: number[]): string {
  return path.length ? path.map((n) => n + 1).join('.') : '0';
}

/** Parses descr's numbering back; undefined for anything else (a request can hold anything). */
export function parsePartId(id: string): number[] | undefined {
  if (id === '0') return [];
  if (!/^[1-9]\d{0,5}(\.[1-9]\d{0,5}){0,31}$/.test(id)) return undefined;
  return id.split('.').map((n) => Number(n) - 1);
}

function header(part: MimePart, name: string): string | undefined {
  const f = part.fields.find((x) => x.name.toLowerCase() === name);
  return f ? decodeHeaderBytes(fieldValue(f.raw)) : undefined;
}

/** The file name of a part, without directories or control characters (it goes into a header and onto disks). */
export function safeFileName(name: string | undefined, fallback: string): string {
  let s = (name ?? '').replace(/[\u0000-\u001f\u007f]/g, '');
  s = s.slice(Math.max(s.lastIndexOf('/'), s.lastIndexOf('\\')) + 1).trim();
  s = s.replace(/^\.+/, '').replace(/["*:<>?|]/g, '_');
  if (!s) s = fallback;
  return s.length > 200 ? s.slice(0, 200) : s;
}

export class StructureBuilder {
  readonly result: Structure = { fields: [], omitted: 0, attachments: 0, warnings: [] };
  private readonly open = new Map<string, PartNode>();
  private count = 0;

  /** Feeds the decoder's events. */
  push(events: MimeEvent[]): void {
    for (const ev of events) {
      if (ev.type === 'part-start') this.start(ev.part);
      else if (ev.type === 'part-end') {
        const key = ev.path.join('.');
        const node = this.open.get(key);
        if (node) {
          if (node.kind === 'leaf') node.size = ev.size;
          this.open.delete(key);
        }
      } else if (ev.type === 'warning') {
        if (this.result.warnings.length < 100) this.result.warnings.push({ part: partId(ev.path), message: ev.message, fatal: ev.fatal });
      }
    }
  }

  private start(part: MimePart): void {
    if (part.path.length === 0) this.result.fields = part.fields;
    const parent = part.path.length ? this.open.get(part.path.slice(0, -1).join('.')) : undefined;
    if (part.path.length && (!parent || this.count >= MAX_PARTS)) {
      this.result.omitted++;
      return;
    }
    this.count++;
    const ct = part.contentType;
    const filename = part.disposition?.params.filename ?? ct.params.name;
    const cid = header(part, 'content-id');
    const enclosed = !!parent && (parent.enclosed || parent.kind === 'message');
    const disposition = part.disposition?.type;
    const attachment =
      !enclosed &&
      part.path.length > 0 &&
      (part.kind === 'message' || (part.kind === 'leaf' && (disposition === 'attachment' || (filename !== undefined && disposition !== 'inline'))));
    const node: PartNode = {
      id: partId(part.path),
      path: part.path,
      kind: part.kind,
      type: `${ct.type}/${ct.subtype}`,
      params: { ...ct.params },
      encoding: part.encoding,
      ...(disposition ? { disposition } : {}),
      ...(filename !== undefined ? { filename } : {}),
      ...(cid !== undefined ? { contentId: parseMessageIds(cid)[0] ?? cid.trim().replace(/^<|>$/g, '') } : {}),
      attachment,
      enclosed,
      children: [],
    };
    if (attachment) this.result.attachments++;
    if (part.kind === 'leaf' && !enclosed && !attachment && disposition !== 'attachment') {
      if (node.type === 'text/plain' && this.result.text === undefined) this.result.text = node.id;
      if (node.type === 'text/html' && this.result.html === undefined) this.result.html = node.id;
    }
    this.open.set(part.path.join('.'), node);
    if (parent) parent.children.push(node);
    else this.result.root = node;
  }
}

/** Glyphs of a tree drawing (descr's UTF-8 and --ascii sets). */
export interface TreeGlyphs {
  tee: string;
  last: string;
  pipe: string;
  root: string;
}

export const UTF8_TREE: TreeGlyphs = { tee: '├── ', last: '└── ', pipe: '│   ', root: '.── ' };
export const ASCII_TREE: TreeGlyphs = { tee: '|-- ', last: '`-- ', pipe: '|   ', root: '.-- ' };

/** One line of the tree, as `blaze descr` writes it. */
function label(n: PartNode): string {
  if (n.kind === 'multipart') return n.type.slice(n.type.indexOf('/') + 1);
  const details: string[] = [];
  const charset = n.params.charset;
  if (charset !== undefined && (n.type.startsWith('text/') || charset.toLowerCase() !== 'us-ascii')) details.push(charset);
  details.push(n.encoding);
  if (n.kind === 'leaf') details.push(`${n.size ?? 0} byte${n.size === 1 ? '' : 's'}`);
  const file = n.filename !== undefined ? ' ' + n.filename.replace(/[\u0000-\u001f\u007f]/g, '\ufffd') : '';
  return `${n.type} (${details.join(', ')})${file}`;
}

/** The part tree drawn as `blaze descr` draws it (no colours). */
export function drawTree(root: PartNode, omitted = 0, g: TreeGlyphs = UTF8_TREE): string {
  const lines: string[] = [];
  const walk = (n: PartNode, prefix: string, connector: string, childPrefix: string): void => {
    lines.push(prefix + connector + label(n));
    n.children.forEach((c, i) => {
      const last = i === n.children.length - 1;
      walk(c, childPrefix, last ? g.last : g.tee, childPrefix + (last ? '    ' : g.pipe));
    });
  };
  walk(root, '', g.root, g.pipe);
  if (omitted) lines.push(`(${omitted} more part${omitted > 1 ? 's' : ''} not listed)`);
  return lines.join('\n') + '\n';
}

/** Finds a part by path in a tree. */
export function findPart(root: PartNode | undefined, path: number[]): PartNode | undefined {
  let n = root;
  for (const i of path) {
    n = n?.children.find((c) => c.path[c.path.length - 1] === i);
    if (!n) return undefined;
  }
  return n;
}
