// One message into pack objects, streaming, sans I/O: the exploder splits it
// (explode.ts), each blob goes to the PackEncoder as soon as it is complete
// (the header block first, then each body), the structure object last. What
// comes back is the bytes to append to the pack. Deltas: headers against
// recent headers, text bodies against recent text bodies, structures against
// structures; encoded attachments are stored whole (identical ones once, by
// their id).
import { MessageExploder, type ExplodeEvent } from './explode.ts';
import { encodeStructure, MAX_INLINE_LITERAL, structureSize, type StructureItem } from './structure.ts';
import type { PackEncoder } from './encoder.ts';

export interface PackedMessage {
  /** The message's id: the object id of its structure. */
  id: Buffer;
  /** False when the same message was already in the pack. */
  added: boolean;
  /** Bytes of the message. */
  size: number;
}

export class MessagePacker {
  private readonly exploder = new MessageExploder();
  private readonly items: StructureItem[] = [];
  private literal: Buffer[] = [];
  private literalSize = 0;
  private body: Buffer[] | undefined;
  private bodySize = 0;
  private out: Buffer[] = [];

  constructor(private readonly encoder: PackEncoder) {}

  /** Feeds a chunk of the message; returns pack bytes to append. */
  push(chunk: Buffer): Buffer[] {
    this.on(this.exploder.push(chunk));
    return this.take();
  }

  /** The end of the message: its last objects and its structure. */
  finish(): { message: PackedMessage; bytes: Buffer[] } {
    this.on(this.exploder.finish());
    this.flushLiteral();
    const structure = encodeStructure(this.items);
    const r = this.encoder.add('blob', structure, 'structure');
    this.out.push(...r.bytes);
    return { message: { id: r.oid, added: r.added, size: structureSize(this.items) }, bytes: this.take() };
  }

  private take(): Buffer[] {
    const o = this.out;
    this.out = [];
    return o;
  }

  private on(events: ExplodeEvent[]): void {
    for (const ev of events) {
      switch (ev.type) {
        case 'header': {
          const r = this.encoder.add('blob', ev.data, 'header');
          this.out.push(...r.bytes);
          this.items.push({ kind: 'header', oid: r.oid, size: ev.data.length });
          break;
        }
        case 'literal':
          this.literal.push(ev.data);
          this.literalSize += ev.data.length;
          break;
        case 'body-start':
          this.flushLiteral();
          this.body = [];
          this.bodySize = 0;
          break;
        case 'body':
          this.body!.push(Buffer.from(ev.data));
          this.bodySize += ev.data.length;
          break;
        case 'body-end': {
          const data = Buffer.concat(this.body!, this.bodySize);
          this.body = undefined;
          if (data.length) this.blob(data, bodyFamily(data));
          break;
        }
      }
    }
  }

  private flushLiteral(): void {
    if (!this.literalSize) return;
    const data = Buffer.concat(this.literal, this.literalSize);
    this.literal = [];
    this.literalSize = 0;
    if (data.length <= MAX_INLINE_LITERAL) this.items.push({ kind: 'literal', data });
    else this.blob(data, 'text');
  }

  private blob(data: Buffer, family: string | undefined): void {
    const r = this.encoder.add('blob', data, family);
    this.out.push(...r.bytes);
    this.items.push({ kind: 'blob', oid: r.oid, size: data.length });
  }
}

/**
 * Text bodies may be deltas of recent text bodies (quoted replies); base64
 * and other dense data are stored whole. Decided from the first bytes: a
 * body whose first line is base64 alphabet only, 60+ characters, is dense.
 */
function bodyFamily(data: Buffer): string | undefined {
  const nl = data.indexOf(0x0a);
  const first = data.toString('latin1', 0, nl === -1 ? Math.min(data.length, 200) : Math.min(nl, 200)).replace(/\r$/, '');
  if (first.length >= 60 && /^[A-Za-z0-9+/=]+$/.test(first)) return undefined;
  return 'text';
}
