// `wrap`: a message becomes the first part of a new multipart, as a chunk
// transformer (push -> Buffer, finish -> result). The outer header keeps the
// message's fields except Content-*, gains the caller's outer fields,
// MIME-Version when missing and the multipart Content-Type; the inner part gets
// the Content-* fields (plus the caller's inner fields) and the body, copied
// byte for byte.
import { HeaderDecoder } from '../header-decoder.ts';
import { DelimiterSearch } from './delimiter-search.ts';
import { encodeContentValue } from './param-encoder.ts';
import { foldField } from './fold.ts';
import { err, ok, type Result } from '../../result.ts';

export const MULTIPART_SUBTYPES = ['mixed', 'alternative', 'related', 'parallel', 'digest', 'report', 'signed', 'form-data'] as const;
export type MultipartSubtype = (typeof MULTIPART_SUBTYPES)[number];

export interface WrapOptions {
  subtype: MultipartSubtype;
  boundary: string;
  /** Extra Content-Type parameters of the multipart (protocol=, micalg=, report-type=, type=). */
  params?: [string, string][];
  /** Encoded header text (each field ending in CRLF) added to the inner part. */
  innerFields?: string;
  /** Encoded header text added to the new outer header, after the message's own fields. */
  outerFields?: string;
  utf8?: boolean;
}

/**
 * The end of the wrapped message. A failure still carries the bytes to
 * write (`data`): `malformed` (a header line, with its line) or
 * `boundary-in-message` (the chosen boundary occurs in the message).
 */
export type WrapFinish = Result<Buffer, 'malformed' | 'boundary-in-message', { data: Buffer }>;

const CRLF = Buffer.from('\r\n', 'latin1');

/** Whether a boundary is valid per RFC 2046 §5.1.1 (1-70 bcharsnospace-ending chars). */
export function boundaryIsValid(b: string): boolean {
  return /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/.test(b);
}

export class MessageWrapper {
  private readonly header = new HeaderDecoder();
  private inBody = false;
  private readonly search: DelimiterSearch;
  private outer: Buffer[] = [];
  private inner: Buffer[] = [];
  private hasMimeVersion = false;
  private hasContentType = false;
  private problem: { line: number; reason: string } | undefined;

  constructor(private readonly opts: WrapOptions) {
    this.search = new DelimiterSearch(opts.boundary);
  }

  push(chunk: Buffer): Buffer {
    if (this.inBody) return this.body(chunk);
    const out: Buffer[] = [];
    for (const ev of this.header.push(chunk)) this.onHeaderEvent(ev, out);
    return Buffer.concat(out);
  }

  finish(): WrapFinish {
    const out: Buffer[] = [];
    if (!this.inBody) for (const ev of this.header.finish()) this.onHeaderEvent(ev, out);
    // the delimiter's own CRLF precedes it; a body without a final CRLF gets none added
    out.push(Buffer.from(`\r\n--${this.opts.boundary}--\r\n`, 'latin1'));
    const data = Buffer.concat(out);
    if (this.problem) return { ...err('malformed', `line ${this.problem.line}: ${this.problem.reason}`, this.problem.line), data };
    if (this.search.found) return { ...err('boundary-in-message', `the boundary "${this.opts.boundary}" occurs in the message; choose another`), data };
    return ok(data);
  }

  private onHeaderEvent(ev: ReturnType<HeaderDecoder['push']>[number], out: Buffer[]): void {
    if (ev.type === 'field') {
      const n = ev.field.name.toLowerCase();
      if (n.startsWith('content-')) {
        this.inner.push(ev.field.raw);
        if (n === 'content-type') this.hasContentType = true;
      } else {
        if (n === 'mime-version') this.hasMimeVersion = true;
        this.outer.push(ev.field.raw);
      }
    } else if (ev.type === 'malformed') {
      this.problem ??= { line: ev.line, reason: ev.reason };
      this.outer.push(ev.raw);
    } else if (ev.type === 'too-long') {
      this.problem ??= { line: ev.line, reason: `header field ${ev.name} too long (${ev.size} octets)` };
    } else {
      out.push(this.headers());
      this.inBody = true;
      if (ev.body.length) out.push(this.body(ev.body));
    }
  }

  private headers(): Buffer {
    const o = this.opts;
    const parts: Buffer[] = [...this.outer];
    if (o.outerFields) parts.push(Buffer.from(o.outerFields, 'utf8'));
    if (!this.hasMimeVersion) parts.push(Buffer.from('MIME-Version: 1.0\r\n', 'latin1'));
    const ct = foldField('Content-Type', encodeContentValue(`multipart/${o.subtype}`, [['boundary', o.boundary], ...(o.params ?? [])], o));
    parts.push(Buffer.from(ct.ok ? ct.value : `Content-Type: multipart/${o.subtype}; boundary="${o.boundary}"\r\n`, 'utf8'));
    parts.push(CRLF);
    parts.push(Buffer.from(`--${o.boundary}\r\n`, 'latin1'));
    // in a digest a part without Content-Type would be message/rfc822
    if (!this.hasContentType && o.subtype === 'digest') parts.push(Buffer.from('Content-Type: text/plain; charset=us-ascii\r\n', 'latin1'));
    parts.push(...this.inner);
    if (o.innerFields) parts.push(Buffer.from(o.innerFields, 'utf8'));
    parts.push(CRLF);
    return Buffer.concat(parts);
  }

  private body(chunk: Buffer): Buffer {
    if (chunk.length) this.search.push(chunk);
    return chunk;
  }
}
