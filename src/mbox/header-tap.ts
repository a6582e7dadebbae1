// The few header fields a listing or a split needs, taken from a message's
// data as it streams by: the bytes go through the streaming HeaderDecoder
// until the blank line, the rest is not looked at. Only the wanted fields
// are kept (first occurrence each, unfolded raw value), so memory stays
// bounded whatever the header's size.
import { HeaderDecoder, fieldValue, type HeaderEvent } from '../mime/header-decoder.ts';

export class HeaderTap {
  private dec = new HeaderDecoder();
  private done = false;
  readonly fields = new Map<string, Buffer>();

  /** WANTED: lower-case field names. */
  constructor(private readonly wanted: readonly string[]) {}

  /** True once the header has ended (later data can be skipped). */
  get ended(): boolean {
    return this.done;
  }

  push(data: Buffer): void {
    if (!this.done) this.take(this.dec.push(data));
  }

  finish(): void {
    if (!this.done) this.take(this.dec.finish());
    this.done = true;
  }

  get(name: string): Buffer | undefined {
    return this.fields.get(name);
  }

  private take(events: HeaderEvent[]): void {
    for (const ev of events) {
      if (ev.type === 'field') {
        const key = ev.field.name.toLowerCase();
        if (this.wanted.includes(key) && !this.fields.has(key)) this.fields.set(key, Buffer.from(fieldValue(ev.field.raw)));
      } else if (ev.type === 'end') this.done = true;
    }
  }
}
