// `put`: appending a part to a multipart message while it streams through.
// The header is passed on unchanged (its Content-Type gives the boundary), the
// body is copied until the close delimiter `CRLF--boundary--`, and there the
// caller inserts `CRLF--boundary CRLF <part>`; the close delimiter and the
// epilogue follow unchanged. A multipart without a close delimiter gets one.
import { HeaderDecoder, fieldValue } from '../header-decoder.ts';
import { DelimiterSearch } from './delimiter-search.ts';
import { parseMediaTypeLite, type MediaTypeLite } from './content-type-lite.ts';

export type AppendEvent =
  | { type: 'data'; data: Buffer }
  /** End of the header: the multipart's media type and boundary. */
  | { type: 'multipart'; mediaType: MediaTypeLite; boundary: string }
  /** Write the new part here: `CRLF--boundary CRLF`, its header, CRLF, its content. */
  | { type: 'insert' }
  | { type: 'error'; error: string };

export class MultipartAppender {
  private readonly header = new HeaderDecoder();
  private contentType: string | undefined;
  private state: 'header' | 'body' | 'after' | 'failed' = 'header';
  private search: DelimiterSearch | undefined;
  private boundary = '';
  private held: Buffer = Buffer.alloc(0); // body bytes that may be the start of the delimiter

  push(chunk: Buffer): AppendEvent[] {
    if (this.state === 'failed') return [];
    if (this.state === 'after') return chunk.length ? [{ type: 'data', data: chunk }] : [];
    if (this.state === 'body') return this.body(chunk);
    const events: AppendEvent[] = [];
    for (const ev of this.header.push(chunk)) this.onHeader(ev, events);
    return events;
  }

  finish(): AppendEvent[] {
    const events: AppendEvent[] = [];
    if (this.state === 'header') for (const ev of this.header.finish()) this.onHeader(ev, events);
    if (this.state === 'body') {
      // no close delimiter: append the part and close the multipart ourselves
      if (this.held.length) events.push({ type: 'data', data: this.held });
      events.push({ type: 'insert' }, { type: 'data', data: Buffer.from(`\r\n--${this.boundary}--\r\n`, 'latin1') });
      this.state = 'after';
    }
    return events;
  }

  private onHeader(ev: ReturnType<HeaderDecoder['push']>[number], events: AppendEvent[]): void {
    if (this.state !== 'header') return;
    if (ev.type === 'field') {
      if (ev.field.name.toLowerCase() === 'content-type' && this.contentType === undefined) {
        this.contentType = fieldValue(ev.field.raw).toString('utf8');
      }
      events.push({ type: 'data', data: ev.field.raw });
    } else if (ev.type === 'malformed') {
      events.push({ type: 'data', data: ev.raw });
    } else if (ev.type === 'too-long') {
      this.fail(events, `line ${ev.line}: header field ${ev.name} too long (${ev.size} octets)`);
    } else {
      const mt = this.contentType === undefined ? undefined : parseMediaTypeLite(this.contentType);
      if (!mt || mt.type !== 'multipart') {
        const what = mt ? `${mt.type}/${mt.subtype}` : this.contentType === undefined ? 'no Content-Type (text/plain)' : 'an unreadable Content-Type';
        this.fail(events, `the message is not multipart (${what}); use --wrap or pipe it through blaze wrap first`);
        return;
      }
      const boundary = mt.params.get('boundary');
      if (!boundary) {
        this.fail(events, `multipart/${mt.subtype} without a boundary parameter`);
        return;
      }
      this.boundary = boundary;
      this.search = new DelimiterSearch(boundary, '--');
      events.push({ type: 'multipart', mediaType: mt, boundary });
      events.push({ type: 'data', data: Buffer.from('\r\n', 'latin1') });
      this.state = 'body';
      if (ev.body.length) events.push(...this.body(ev.body));
    }
  }

  private fail(events: AppendEvent[], error: string): void {
    this.state = 'failed';
    events.push({ type: 'error', error });
  }

  private body(chunk: Buffer): AppendEvent[] {
    const search = this.search!;
    const at = search.push(chunk);
    const all = this.held.length ? Buffer.concat([this.held, chunk]) : chunk;
    if (at === undefined) {
      // hold back what could be the start of `CRLF--boundary--`
      const keep = Math.min(all.length, this.boundary.length + 5);
      this.held = Buffer.from(all.subarray(all.length - keep));
      const out = all.subarray(0, all.length - keep);
      return out.length ? [{ type: 'data', data: out }] : [];
    }
    // `at` is relative to this chunk; the match may begin in the held bytes or
    // (at the very start of the body) in the virtual CRLF before it.
    const pos = this.held.length + at;
    this.held = Buffer.alloc(0);
    this.state = 'after';
    const events: AppendEvent[] = [];
    if (pos < 0) {
      // the body starts with the close delimiter: write the line break it lacks
      events.push({ type: 'insert' }, { type: 'data', data: Buffer.from('\r\n', 'latin1') }, { type: 'data', data: all });
      return events;
    }
    if (pos > 0) events.push({ type: 'data', data: all.subarray(0, pos) });
    events.push({ type: 'insert' }, { type: 'data', data: all.subarray(pos) });
    return events;
  }
}
