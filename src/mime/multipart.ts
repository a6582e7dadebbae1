// A streaming MIME decoder (RFC 2045, RFC 2046): chunks of a CRLF message
// in, events out: each part's start (its raw header fields and what they
// say), its decoded body data, its end (decoded size), and warnings. Nested
// multiparts, preamble and epilogue, message/rfc822 descent, a missing close
// delimiter (an enclosing boundary, or the end of input, closes the part),
// delimiters split across chunks, boundary-looking lines that are not one.
// Bodies are never held: memory is one header at a time, a few bytes of
// held-back input, and the body decoders' one-line carry.
//
// Delimiters are found with native searches for "\r\n--" (absent from
// base64), then compared with every active boundary, innermost first.
import { HeaderDecoder, fieldValue, type RawField } from './header-decoder.ts';
import { parseContentDisposition, parseContentType, type ContentDisposition, type ContentType } from './content-type.ts';
import { bodyDecoder, transferEncodingOf, type BodyDecoder } from './body-decoder.ts';
import { decodeHeaderBytes } from './charset.ts';

export interface MimePart {
  /** Position in the tree: [] the message, [1, 0] the first part of the second part. */
  path: number[];
  fields: RawField[];
  contentType: ContentType;
  /** Lower-case Content-Transfer-Encoding, `7bit` when absent. */
  encoding: string;
  disposition?: ContentDisposition;
  /** multipart: has children; message: one child (the enclosed message); leaf: a body. */
  kind: 'leaf' | 'multipart' | 'message';
}

export type MimeEvent =
  | { type: 'part-start'; part: MimePart }
  /** Decoded body bytes, valid until the next push (copy them to keep them). */
  | { type: 'data'; path: number[]; data: Buffer }
  /** size: decoded bytes of a leaf body; rawSize: bytes of the body as written. */
  | { type: 'part-end'; path: number[]; size: number; rawSize: number }
  | { type: 'warning'; path: number[]; message: string; fatal: boolean };

export interface MimeDecoderOptions {
  /** Emit `data` events with the decoded bodies (default false: sizes only). */
  data?: boolean;
  /** Deeper multiparts and messages are read as leaves (default 32). */
  maxDepth?: number;
  /** Header fields kept per part (default 1000); more are dropped with a warning. */
  maxFields?: number;
}

interface Entity {
  kind: 'entity';
  path: number[];
  depth: number;
  inDigest: boolean;
  header?: HeaderDecoder;
  fields: RawField[];
  dropped: number;
  malformed: number;
  part?: MimePart;
  body?: BodyDecoder;
  size: number;
  rawSize: number;
}

interface Multipart {
  kind: 'multipart';
  path: number[];
  delimiter: Buffer; // "--" + boundary
  digest: boolean;
  closed: boolean;
  children: number;
}

type Frame = Entity | Multipart;

type Found =
  | { kind: 'delimiter'; at: number; end: number; level: number; close: boolean }
  | { kind: 'hold'; at: number }
  | { kind: 'none' };

const CRLF_DASHES = Buffer.from('\r\n--');
const DASH = 0x2d;
const CR = 0x0d;
const LF = 0x0a;
/** Transport padding allowed after a boundary (RFC 2046 §5.1.1 LWSP), bounded. */
const MAX_PADDING = 256;

export class MimeDecoder {
  private readonly opts: Required<MimeDecoderOptions>;
  private readonly stack: Frame[] = [];
  private held: Buffer | undefined;
  /** The next byte starts a line (after a delimiter line or a header's blank line). */
  private lineStart = false;
  /** Set by content() when a header ended with a multipart or message: scan again from there. */
  private restart = false;
  private events: MimeEvent[] = [];
  private ended = false;
  /** Header fields read so far, in every part (0 after a megabyte: not a message). */
  fields = 0;

  constructor(opts: MimeDecoderOptions = {}) {
    this.opts = { data: opts.data ?? false, maxDepth: opts.maxDepth ?? 32, maxFields: opts.maxFields ?? 1000 };
    this.stack.push(newEntity([], 0, false));
  }

  /** Whether the message header has begun (a field read, or one being read): see HeaderDecoder.sawField. */
  get sawField(): boolean {
    if (this.fields > 0) return true;
    const first = this.stack[0];
    return first?.kind === 'entity' && first.header !== undefined && first.header.sawField;
  }

  push(chunk: Buffer): MimeEvent[] {
    if (this.ended || chunk.length === 0) return [];
    const buf = this.held ? Buffer.concat([this.held, chunk]) : chunk;
    this.held = undefined;
    this.scan(buf, false);
    return this.take();
  }

  finish(): MimeEvent[] {
    if (this.ended) return [];
    const buf = this.held;
    this.held = undefined;
    if (buf) this.scan(buf, true);
    while (this.stack.length) this.pop(true);
    this.ended = true;
    return this.take();
  }

  private take(): MimeEvent[] {
    const e = this.events;
    this.events = [];
    return e;
  }

  private scan(buf: Buffer, final: boolean): void {
    let pos = 0;
    while (pos < buf.length) {
      const found = this.find(buf, pos, final);
      const end = found.kind === 'none' ? buf.length : found.at;
      if (end > pos) {
        const used = this.content(buf.subarray(pos, end));
        pos += used;
        // A header ended and changed the boundaries: look again from there (at a line start).
        if (this.restart) {
          this.restart = false;
          continue;
        }
        this.lineStart = false;
      }
      if (found.kind === 'delimiter') {
        this.delimiter(found.level, found.close);
        pos = found.end;
        this.lineStart = !found.close;
      } else if (found.kind === 'hold') {
        // (a hold at a line start keeps `lineStart` for the bytes held)
        this.held = Buffer.from(buf.subarray(found.at));
        return;
      } else {
        this.lineStart = false;
        return;
      }
    }
  }

  /** The next delimiter of an active boundary at or after `pos`, or where to hold back input. */
  private find(buf: Buffer, pos: number, final: boolean): Found {
    if (!this.stack.some((f) => f.kind === 'multipart' && !f.closed)) return { kind: 'none' };
    if (this.lineStart) {
      const m = this.match(buf, pos, final);
      if (m === 'more') return { kind: 'hold', at: pos };
      if (m) return { kind: 'delimiter', at: pos, ...m };
    }
    let c = buf.indexOf(CRLF_DASHES, pos);
    while (c !== -1) {
      const m = this.match(buf, c + 2, final);
      if (m === 'more') return { kind: 'hold', at: c };
      if (m) return { kind: 'delimiter', at: c, ...m };
      c = buf.indexOf(CRLF_DASHES, c + 2);
    }
    if (!final) {
      // A delimiter may start in the last bytes: "\r", "\r\n", "\r\n-".
      for (let k = Math.max(pos, buf.length - 3); k < buf.length; k++) {
        if (buf[k] === CR && CRLF_DASHES.subarray(0, buf.length - k).equals(buf.subarray(k))) return { kind: 'hold', at: k };
      }
    }
    return { kind: 'none' };
  }

  /** Does a delimiter line of an open multipart start at `d` ("--boundary")? */
  private match(buf: Buffer, d: number, final: boolean): { end: number; level: number; close: boolean } | 'more' | undefined {
    if (d + 2 > buf.length) return final ? undefined : buf.subarray(d).every((b) => b === DASH) ? 'more' : undefined;
    if (buf[d] !== DASH || buf[d + 1] !== DASH) return undefined;
    let more = false;
    for (let level = this.stack.length - 1; level >= 0; level--) {
      const f = this.stack[level];
      if (f.kind !== 'multipart' || f.closed) continue;
      const delim = f.delimiter;
      const avail = buf.length - d;
      if (avail < delim.length) {
        if (buf.compare(delim, 0, avail, d, buf.length) === 0) more = true;
        continue;
      }
      if (buf.compare(delim, 0, delim.length, d, d + delim.length) !== 0) continue;
      const e = d + delim.length;
      if (e + 2 <= buf.length && buf[e] === DASH && buf[e + 1] === DASH) return { end: e + 2, level, close: true };
      let k = e;
      while (k < buf.length && k - e <= MAX_PADDING && (buf[k] === 0x20 || buf[k] === 0x09)) k++;
      if (k >= buf.length || (buf[k] === CR && k + 1 >= buf.length) || (buf[k] === DASH && e + 1 >= buf.length)) {
        if (final) {
          if (k >= buf.length) return { end: k, level, close: false };
          continue;
        }
        more = true;
        continue;
      }
      if (buf[k] === CR && buf[k + 1] === LF) return { end: k + 2, level, close: false };
      if (buf[k] === LF) return { end: k + 1, level, close: false };
    }
    return more && !final ? 'more' : undefined;
  }

  /** Content bytes for the innermost frame; returns how many it took (fewer when a header ended). */
  private content(b: Buffer): number {
    const top = this.stack[this.stack.length - 1];
    if (top.kind === 'multipart') return b.length; // preamble or epilogue
    if (top.header) {
      for (const ev of top.header.push(b)) {
        if (ev.type === 'end') {
          // (a header that turned out absent hands back its first line too: only a leaf has none, and takes it all below)
          const used = Math.max(0, b.length - ev.body.length);
          this.headerEnded(top);
          if (top.body) {
            this.body(top, ev.body);
            return b.length;
          }
          this.lineStart = true;
          this.restart = true;
          return used;
        }
        this.headerEvent(top, ev);
      }
      return b.length;
    }
    if (top.body) this.body(top, b);
    return b.length;
  }

  private body(e: Entity, b: Buffer): void {
    if (!b.length) return;
    e.rawSize += b.length;
    const out = e.body!.push(b);
    e.size += out.length;
    if (this.opts.data && out.length) this.events.push({ type: 'data', path: e.path, data: out });
  }

  private headerEvent(e: Entity, ev: ReturnType<HeaderDecoder['push']>[number]): void {
    if (ev.type === 'field') {
      this.fields++;
      if (e.fields.length < this.opts.maxFields) e.fields.push(ev.field);
      else if (e.dropped++ === 0) this.warn(e.path, `more than ${this.opts.maxFields} header fields: the rest are ignored`);
    } else if (ev.type === 'malformed') {
      // One warning per part (the first line), the rest counted at the end of the header.
      if (e.malformed++ === 0) this.warn(e.path, `line ${ev.line}: ${ev.reason}`);
    }
    else if (ev.type === 'too-long') this.warn(e.path, `line ${ev.line}: field ${ev.name || '(unnamed)'} is too long (${ev.size} bytes), skipped`);
  }

  /** The header is complete: say what the part is and open its body (or its children). */
  private headerEnded(e: Entity): void {
    e.header = undefined;
    if (e.malformed > 1) this.warn(e.path, `${e.malformed - 1} more header line${e.malformed > 2 ? 's' : ''} without a colon, ignored`);
    const get = (name: string): string | undefined => {
      const f = e.fields.find((x) => x.name.toLowerCase() === name);
      return f ? decodeHeaderBytes(fieldValue(f.raw)) : undefined;
    };
    const contentType = parseContentType(get('content-type'), { inDigest: e.inDigest });
    const encoding = transferEncodingOf(get('content-transfer-encoding'));
    const disposition = parseContentDisposition(get('content-disposition'));
    let kind: MimePart['kind'] = 'leaf';
    const boundary = contentType.params.boundary;
    const identity = encoding === '7bit' || encoding === '8bit' || encoding === 'binary';
    if (contentType.type === 'multipart') {
      if (!boundary) this.warn(e.path, 'multipart without a boundary parameter: read as one body');
      else if (e.depth >= this.opts.maxDepth) this.warn(e.path, `nested deeper than ${this.opts.maxDepth}: read as one body`);
      else kind = 'multipart';
    } else if (contentType.type === 'message' && (contentType.subtype === 'rfc822' || contentType.subtype === 'global') && identity) {
      if (e.depth >= this.opts.maxDepth) this.warn(e.path, `nested deeper than ${this.opts.maxDepth}: read as one body`);
      else kind = 'message';
    }
    e.part = { path: e.path, fields: e.fields, contentType, encoding, disposition, kind };
    this.events.push({ type: 'part-start', part: e.part });
    if (kind === 'multipart') {
      this.stack.push({ kind: 'multipart', path: e.path, delimiter: Buffer.from('--' + boundary, 'utf8'), digest: contentType.subtype === 'digest', closed: false, children: 0 });
    } else if (kind === 'message') {
      this.stack.push(newEntity([...e.path, 0], e.depth + 1, false, true));
    } else {
      const d = bodyDecoder(encoding);
      if (!d.known) this.warn(e.path, `unknown Content-Transfer-Encoding '${encoding}': body read as binary`);
      e.body = d.decoder;
    }
  }

  /** A delimiter of the multipart at `level`: close what is inside it, open a part or close it. */
  private delimiter(level: number, close: boolean): void {
    while (this.stack.length - 1 > level) this.pop(false);
    const m = this.stack[level] as Multipart;
    if (close) {
      m.closed = true;
      return;
    }
    const owner = this.stack[level - 1] as Entity;
    this.stack.push(newEntity([...m.path, m.children++], owner.depth + 1, m.digest));
  }

  private pop(atEnd: boolean): void {
    const f = this.stack[this.stack.length - 1];
    if (f.kind === 'multipart') {
      this.stack.pop();
      if (!f.closed) {
        const where = atEnd ? 'the input ended' : 'an enclosing boundary came';
        this.warn(f.path, `no close delimiter "--${f.delimiter.subarray(2).toString('utf8')}--" (${where} first)`, true);
      } else if (f.children === 0) this.warn(f.path, 'multipart with no part');
      return;
    }
    if (f.header) {
      // The part ends inside its header: what it is still counts (a multipart or message opens and closes empty).
      const depth = this.stack.length;
      for (const ev of f.header.finish()) {
        if (ev.type === 'end') this.headerEnded(f);
        else this.headerEvent(f, ev);
      }
      while (this.stack.length > depth) this.pop(atEnd);
    }
    this.stack.pop();
    if (f.body) {
      const out = f.body.finish();
      f.size += out.length;
      if (this.opts.data && out.length) this.events.push({ type: 'data', path: f.path, data: out });
      const invalid = f.body.invalid;
      if (invalid) this.warn(f.path, `${invalid} invalid ${f.part!.encoding} sequence${invalid > 1 ? 's' : ''} in the body`);
    }
    this.events.push({ type: 'part-end', path: f.path, size: f.size, rawSize: f.rawSize });
  }

  private warn(path: number[], message: string, fatal = false): void {
    this.events.push({ type: 'warning', path, message, fatal });
  }
}

/** ENCLOSED: the entity is the content of a message/rfc822 part, which may come without a header. */
function newEntity(path: number[], depth: number, inDigest: boolean, enclosed = false): Entity {
  return {
    kind: 'entity', path, depth, inDigest, header: new HeaderDecoder({ headerMayBeAbsent: enclosed }), fields: [], dropped: 0, malformed: 0, size: 0, rawSize: 0,
  };
}
