// Reading one message file for the inbox: its Structure (one streaming pass
// of the MIME decoder, no body kept) and, for free-text search, its text
// (text/plain and text/html parts decoded to UTF-8, tags dropped, fed to a
// TextFinder until every word is found). Memory is one read piece plus the
// decoders' bounded state, whatever the size of the message.
import { openMessageFile, type MessageFile, type OpenedMessage } from '../maildir/index.ts';
import { MimeDecoder } from '../mime/multipart.ts';
import { NewlineNormalizer } from '../mime/newline.ts';
import { textStreamDecoder, type TextStreamDecoder } from '../mime/charset-stream.ts';
import { StructureBuilder, type Structure } from './structure.ts';
import { HeaderDecoder, fieldValue, type RawField } from '../mime/header-decoder.ts';
import { decodeHeaderBytes } from '../mime/charset.ts';
import { decodeUnstructured } from '../mime/unstructured.ts';
import { parseDate } from '../mime/date.ts';
import type { TextFinder } from './query.ts';

export interface StructureScan {
  structure: Structure;
  size: number;
  mtimeMs: number;
}

/**
 * The Structure of the message at PATH. With `headerOnly`, a message whose
 * top part is not a multipart is not read past its header (a summary needs
 * nothing from such a body).
 */
export function scanStructure(path: string, opts: { headerOnly?: boolean } = {}): StructureScan {
  const f = openMessageFile(path);
  try {
    const norm = new NewlineNormalizer('auto');
    const dec = new MimeDecoder();
    const b = new StructureBuilder();
    for (let chunk = f.read(); chunk; chunk = f.read()) {
      b.push(dec.push(norm.push(chunk)));
      if (opts.headerOnly && b.result.root && b.result.root.kind !== 'multipart') break;
    }
    if (!(opts.headerOnly && b.result.root && b.result.root.kind !== 'multipart')) {
      b.push(dec.push(norm.finish()));
      b.push(dec.finish());
    }
    return { structure: b.result, size: f.size, mtimeMs: f.mtimeMs };
  } finally {
    f.close();
  }
}

/** Removes tags and comments from HTML arriving in pieces (a search sees the words, not the markup). */
export class TagStripper {
  private inTag = false;
  push(s: string): string {
    let out = '';
    let i = 0;
    while (i < s.length) {
      if (this.inTag) {
        const end = s.indexOf('>', i);
        if (end < 0) return out;
        this.inTag = false;
        i = end + 1;
        out += ' ';
      } else {
        const start = s.indexOf('<', i);
        if (start < 0) return out + s.slice(i);
        out += s.slice(i, start);
        this.inTag = true;
        i = start + 1;
      }
    }
    return out;
  }
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** The common entities decoded (numeric ones too), so `caf&eacute;` is rare but `&amp;` reads as `&`. */
function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,6});/gi, (m, e: string) => {
    if (e[0] === '#') {
      const n = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : m;
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

/**
 * Feeds the text of the message at PATH to FINDER (lower-cased), part by
 * part, until it has found every word or the message ends. `pause` is
 * awaited every few megabytes so the server keeps answering.
 */
export async function scanText(path: string, finder: TextFinder, pause: () => Promise<void>): Promise<void> {
  let f: MessageFile;
  try {
    f = openMessageFile(path);
  } catch {
    return; // gone since it was listed: it has no text
  }
  try {
    const norm = new NewlineNormalizer('auto');
    const dec = new MimeDecoder({ data: true });
    const texts = new Map<string, { text: TextStreamDecoder; html?: TagStripper }>();
    let enclosedDepth = -1;
    const feed = (events: ReturnType<MimeDecoder['push']>): void => {
      for (const ev of events) {
        if (ev.type === 'part-start') {
          const p = ev.part;
          if (enclosedDepth >= 0 && p.path.length <= enclosedDepth) enclosedDepth = -1;
          if (p.kind === 'message' && enclosedDepth < 0) enclosedDepth = p.path.length;
          const t = `${p.contentType.type}/${p.contentType.subtype}`;
          if (p.kind === 'leaf' && enclosedDepth < 0 && p.disposition?.type !== 'attachment' && (t === 'text/plain' || t === 'text/html')) {
            texts.set(p.path.join('.'), { text: textStreamDecoder(p.contentType.params.charset), html: t === 'text/html' ? new TagStripper() : undefined });
          }
        } else if (ev.type === 'data') {
          const d = texts.get(ev.path.join('.'));
          if (d) {
            const s = d.text.push(ev.data);
            finder.push((d.html ? decodeEntities(d.html.push(s)) : s).toLowerCase());
          }
        } else if (ev.type === 'part-end') {
          const key = ev.path.join('.');
          const d = texts.get(key);
          if (d) {
            const s = d.text.finish();
            finder.push((d.html ? decodeEntities(d.html.push(s)) : s).toLowerCase() + '\n');
            texts.delete(key);
          }
        }
      }
    };
    let sincePause = 0;
    for (let chunk = f.read(); chunk && !finder.complete; chunk = f.read()) {
      feed(dec.push(norm.push(chunk)));
      sincePause += chunk.length;
      if (sincePause > 4 * 1024 * 1024) {
        sincePause = 0;
        await pause();
      }
    }
    if (!finder.complete) {
      feed(dec.push(norm.finish()));
      feed(dec.finish());
    }
  } finally {
    f.close();
  }
}

/** scanStructure without blocking: for one message a request asks about (it may be 100 MB). */
export async function scanStructureAsync(m: OpenedMessage): Promise<Structure> {
  const norm = new NewlineNormalizer('auto');
  const dec = new MimeDecoder();
  const b = new StructureBuilder();
  for await (const chunk of m.chunks()) b.push(dec.push(norm.push(chunk)));
  b.push(dec.push(norm.finish()));
  b.push(dec.finish());
  return b.result;
}

/**
 * The decoded body of the part at TARGET (a fresh buffer per piece), read as
 * a stream from the file. With `whole`, a multipart or message/rfc822 part is
 * given as its bytes: the decoder reads parts at that depth as leaves.
 */
export async function* partBody(m: OpenedMessage, target: number[], opts: { whole?: boolean } = {}): AsyncGenerator<Buffer> {
  const key = target.join('.');
  const norm = new NewlineNormalizer('auto');
  const dec = new MimeDecoder({ data: true, ...(opts.whole ? { maxDepth: target.length } : {}) });
  const pick = function* (events: ReturnType<MimeDecoder['push']>): Generator<Buffer | null> {
    for (const ev of events) {
      if (ev.type === 'data' && ev.path.join('.') === key) yield Buffer.from(ev.data);
      else if (ev.type === 'part-end' && ev.path.join('.') === key) yield null;
    }
  };
  for await (const chunk of m.chunks()) {
    for (const b of pick(dec.push(norm.push(chunk)))) {
      if (b === null) return;
      yield b;
    }
  }
  for (const b of pick([...dec.push(norm.finish()), ...dec.finish()])) {
    if (b === null) return;
    yield b;
  }
}

/** A part's body as UTF-8 text pieces. */
export async function* partText(m: OpenedMessage, target: number[], charset: string | undefined): AsyncGenerator<string> {
  const d = textStreamDecoder(charset);
  for await (const b of partBody(m, target)) {
    const s = d.push(b);
    if (s) yield s;
  }
  const tail = d.finish();
  if (tail) yield tail;
}

/** What the search index keeps of a message (lower-cased text; see Inbox). */
export interface IndexFields {
  from: string;
  /** To and Cc. */
  to: string;
  subject: string;
  attachments: number;
  /** The Date field (ms), when it parses. */
  dateMs?: number;
}

const INDEXED = new Set(['from', 'to', 'cc', 'subject', 'date', 'content-type']);

/** The indexed fields from a list of raw fields: values decoded (encoded-words too), as a reader would type them. */
export function indexFields(fields: readonly RawField[], attachments: number): IndexFields {
  const v = new Map<string, string>();
  for (const f of fields) {
    const k = f.name.toLowerCase();
    if (INDEXED.has(k) && !v.has(k)) v.set(k, decodeUnstructured(decodeHeaderBytes(fieldValue(f.raw))).replace(/\s+/g, ' ').trim());
  }
  const d = v.get('date');
  const date = d !== undefined ? parseDate(d) : undefined;
  return {
    from: (v.get('from') ?? '').toLowerCase(),
    to: [v.get('to'), v.get('cc')].filter((x) => x !== undefined).join(' ').toLowerCase(),
    subject: (v.get('subject') ?? '').toLowerCase(),
    attachments,
    ...(date?.ok ? { dateMs: date.epochMs } : {}),
  };
}

/**
 * The search fields of the message at PATH. Only its header is read, unless
 * it is a multipart: then the whole structure, to count the attachments.
 * About three times cheaper than a summary (no address or Date formatting).
 */
export function scanIndex(path: string): IndexFields {
  const f = openMessageFile(path, 16 * 1024);
  const fields: RawField[] = [];
  try {
    const dec = new HeaderDecoder();
    let done = false;
    let read = 0;
    while (!done && read < 1024 * 1024) {
      const chunk = f.read();
      const events = chunk ? dec.push(chunk) : dec.finish();
      for (const ev of events) {
        if (ev.type === 'field') fields.push(ev.field);
        else if (ev.type === 'end') done = true;
      }
      if (!chunk) break;
      read += chunk.length;
    }
  } finally {
    f.close();
  }
  const ct = fields.find((x) => x.name.toLowerCase() === 'content-type');
  if (ct && /^\s*multipart\//i.test(fieldValue(ct.raw).toString('latin1'))) {
    const s = scanStructure(path).structure;
    return indexFields(s.fields, s.attachments);
  }
  return indexFields(fields, 0);
}
