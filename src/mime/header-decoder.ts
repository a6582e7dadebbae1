// A streaming decoder for a header block (RFC 5322 §2.2): feed chunks of a
// CRLF message, get back one event per field with its raw bytes (folding and
// the final CRLF included, so DKIM/ARC hash exactly what arrived), then `end`
// with whatever followed the blank line. Never pulls, never throws.

export interface RawField {
  /** The field name as written (case kept), without the colon. */
  name: string;
  /** Every byte of the field: name, colon, value, folds, final CRLF. */
  raw: Buffer;
  /** 1-based line number of the field's first line in the message. */
  line: number;
}

export type HeaderEvent =
  | { type: 'field'; field: RawField }
  /** A line that is not a field (no colon, or a continuation with nothing to continue). */
  | { type: 'malformed'; line: number; raw: Buffer; reason: string }
  /** A field longer than the bound: its bytes are dropped, the header goes on. */
  | { type: 'too-long'; line: number; name: string; size: number }
  /** End of header: `body` is the start of the body (the blank line excluded). */
  | { type: 'end'; body: Buffer; line: number; sawBlankLine: boolean };

export interface HeaderDecoderOptions {
  /** Bound on one field's raw size (default 128 KiB). */
  maxFieldBytes?: number;
  /**
   * A first line that is neither a field nor blank starts the body: the
   * header is empty (`end` with sawBlankLine false). For an enclosed message
   * (message/rfc822), whose content some senders give without a header (the
   * returned text of many DSNs); as Python's email reads it.
   */
  headerMayBeAbsent?: boolean;
}

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const TAB = 0x09;
const COLON = 0x3a;

export class HeaderDecoder {
  private readonly maxFieldBytes: number;
  private readonly headerMayBeAbsent: boolean;
  private pending: Buffer[] = []; // the current field's lines
  private pendingSize = 0;
  private pendingLine = 0;
  private pendingName = '';
  private overflow = false; // current field exceeded the bound
  private partial: Buffer[] = []; // an unfinished line across chunks
  private partialSize = 0;
  private lineNo = 0;
  private done = false;
  private started = false; // a field's first line was seen

  /**
   * Whether a field has begun: one was read, or the line being read starts
   * like one (`Name:`). A reader that gives up on input without a header
   * asks this, so a long second field (still being read) does not make it
   * forget the first.
   */
  get sawField(): boolean {
    if (this.started) return true;
    if (!this.partialSize) return false;
    let head = '';
    for (const p of this.partial) {
      head += p.toString('latin1', 0, Math.min(p.length, 1024 - head.length));
      if (head.length >= 1024) break;
    }
    return /^[\x21-\x39\x3b-\x7e]+[ \t]*:/.test(head);
  }

  constructor(opts: HeaderDecoderOptions = {}) {
    this.maxFieldBytes = opts.maxFieldBytes ?? 128 * 1024;
    this.headerMayBeAbsent = opts.headerMayBeAbsent ?? false;
  }

  get ended(): boolean {
    return this.done;
  }

  /** Feeds a chunk; once `end` is returned the decoder ignores further input. */
  push(chunk: Buffer): HeaderEvent[] {
    const events: HeaderEvent[] = [];
    if (this.done) return events;
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(LF, start);
      if (nl === -1) {
        this.addPartial(chunk.subarray(start));
        break;
      }
      let line = chunk.subarray(start, nl + 1);
      if (this.partialSize) {
        this.addPartial(line);
        line = this.partialSize > this.maxFieldBytes ? this.partial[0] : Buffer.concat(this.partial);
        const wasTooLong = this.partialSize > this.maxFieldBytes;
        const size = this.partialSize;
        this.partial = [];
        this.partialSize = 0;
        if (wasTooLong) {
          this.lineNo++;
          this.longLine(line, size, events);
          start = nl + 1;
          continue;
        }
      }
      start = nl + 1;
      this.lineNo++;
      if (this.startsBody(line)) {
        events.push({ type: 'end', body: Buffer.concat([line, chunk.subarray(start)]), line: this.lineNo - 1, sawBlankLine: false });
        this.done = true;
        return events;
      }
      if (this.onLine(line, events)) {
        events.push({ type: 'end', body: chunk.subarray(start), line: this.lineNo, sawBlankLine: true });
        this.done = true;
        return events;
      }
    }
    return events;
  }

  /** End of input: flushes a last field (a message with no body and no blank line). */
  finish(): HeaderEvent[] {
    const events: HeaderEvent[] = [];
    if (this.done) return events;
    if (this.partialSize) {
      const size = this.partialSize;
      const line = size > this.maxFieldBytes ? this.partial[0] : Buffer.concat(this.partial);
      this.partial = [];
      this.partialSize = 0;
      this.lineNo++;
      if (size <= this.maxFieldBytes && this.startsBody(line)) {
        events.push({ type: 'end', body: line, line: this.lineNo - 1, sawBlankLine: false });
        this.done = true;
        return events;
      }
      if (size > this.maxFieldBytes) this.longLine(line, size, events);
      else if (this.onLine(line, events)) {
        events.push({ type: 'end', body: Buffer.alloc(0), line: this.lineNo, sawBlankLine: true });
        this.done = true;
        return events;
      }
    }
    this.flush(events);
    events.push({ type: 'end', body: Buffer.alloc(0), line: this.lineNo, sawBlankLine: false });
    this.done = true;
    return events;
  }

  private addPartial(b: Buffer): void {
    // Keep only the head of an over-long line: enough for its name.
    if (this.partialSize <= this.maxFieldBytes) this.partial.push(b);
    this.partialSize += b.length;
  }

  private longLine(head: Buffer, size: number, events: HeaderEvent[]): void {
    if ((head[0] === SP || head[0] === TAB) && this.pending.length) {
      this.overflow = true;
      this.pendingSize += size;
      return;
    }
    this.flush(events);
    const colon = head.indexOf(COLON);
    events.push({ type: 'too-long', line: this.lineNo, name: colon > 0 ? head.subarray(0, colon).toString('latin1').trim() : '', size });
  }

  /** With headerMayBeAbsent: the first line is not a field (nor blank), so the header is empty and it starts the body. */
  private startsBody(line: Buffer): boolean {
    if (!this.headerMayBeAbsent || this.lineNo !== 1) return false;
    const first = line[0];
    if ((first === CR && line.length === 2) || (first === LF && line.length === 1)) return false;
    if (first === SP || first === TAB) return true;
    const colon = line.indexOf(COLON);
    return colon <= 0 || !isFieldName(line.subarray(0, colon).toString('latin1').replace(/[ \t]+$/, ''));
  }

  /** Handles one complete line; returns true at the blank line ending the header. */
  private onLine(line: Buffer, events: HeaderEvent[]): boolean {
    const first = line[0];
    if (first === CR && line.length === 2) {
      this.flush(events);
      return true;
    }
    if (first === LF && line.length === 1) {
      this.flush(events);
      return true;
    }
    if (first === SP || first === TAB) {
      if (!this.pending.length && !this.overflow) {
        events.push({ type: 'malformed', line: this.lineNo, raw: line, reason: 'continuation line without a field' });
        return false;
      }
      this.pendingSize += line.length;
      if (this.pendingSize > this.maxFieldBytes) this.overflow = true;
      else this.pending.push(line);
      return false;
    }
    this.flush(events);
    const colon = line.indexOf(COLON);
    const name = colon > 0 ? line.subarray(0, colon).toString('latin1').replace(/[ \t]+$/, '') : '';
    if (colon <= 0 || !isFieldName(name)) {
      events.push({ type: 'malformed', line: this.lineNo, raw: line, reason: 'header field without a colon' });
      return false;
    }
    this.started = true;
    this.pending = [line];
    this.pendingSize = line.length;
    this.pendingLine = this.lineNo;
    this.pendingName = name;
    if (line.length > this.maxFieldBytes) {
      this.overflow = true;
      this.pending = [];
    }
    return false;
  }

  private flush(events: HeaderEvent[]): void {
    if (this.overflow) {
      events.push({ type: 'too-long', line: this.pendingLine, name: this.pendingName, size: this.pendingSize });
    } else if (this.pending.length) {
      const raw = this.pending.length === 1 ? Buffer.from(this.pending[0]) : Buffer.concat(this.pending);
      events.push({ type: 'field', field: { name: this.pendingName, raw, line: this.pendingLine } });
    }
    this.pending = [];
    this.pendingSize = 0;
    this.overflow = false;
  }
}

/** RFC 5322 ftext: printable US-ASCII except colon (obsolete syntax allows WSP before the colon, trimmed above). */
function isFieldName(name: string): boolean {
  if (name.length === 0) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 33 || c > 126) return false;
  }
  return true;
}

/** The value of a raw field: after the colon, CRLF-folding removed, ends trimmed (RFC 5322 §2.2.3 unfolding). */
export function fieldValue(raw: Buffer): Buffer {
  const colon = raw.indexOf(COLON);
  let v = raw.subarray(colon + 1);
  // unfold: drop every line break (each one in a field is followed by WSP)
  if (v.indexOf(LF) !== -1) {
    const parts: Buffer[] = [];
    let s = 0;
    for (let i = v.indexOf(LF); i !== -1; i = v.indexOf(LF, i + 1)) {
      const end = i > 0 && v[i - 1] === CR ? i - 1 : i;
      parts.push(v.subarray(s, end));
      s = i + 1;
    }
    parts.push(v.subarray(s));
    v = Buffer.concat(parts);
  }
  let a = 0;
  let b = v.length;
  while (a < b && (v[a] === SP || v[a] === TAB)) a++;
  while (b > a && (v[b - 1] === SP || v[b - 1] === TAB || v[b - 1] === CR || v[b - 1] === LF)) b--;
  return v.subarray(a, b);
}
