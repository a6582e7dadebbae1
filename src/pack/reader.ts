// Reading objects out of a pack at known offsets (gitformat-pack(5)), given a
// function that reads a byte range of the file: no whole-file read, no I/O
// here. Deltas (OFS_DELTA, and REF_DELTA when an id lookup is given) are
// resolved through their chain, with recently inflated objects cached so a
// run of deltas against one base inflates the base once. Every length and
// offset is checked: a damaged pack gives an error value, never a throw.
import { crc32, inflateSync } from 'node:zlib';
import { CODE_TYPE, OFS_DELTA, OID_BYTES, REF_DELTA, type ObjectType } from './object-id.ts';
import { decodeEntryHeader, decodeOffset } from './entry-header.ts';
import { applyDelta } from './delta.ts';
import type { ReadAt } from './idx.ts';

export interface RawEntry {
  /** Pack type code: 1-4 an object, 6 OFS_DELTA, 7 REF_DELTA. */
  code: number;
  /** Inflated size (of the delta, for a delta). */
  size: number;
  /** OFS_DELTA: the base's offset. */
  baseOffset?: number;
  /** REF_DELTA: the base's id. */
  baseOid?: Buffer;
  /** The inflated data (the object, or the delta). */
  data: Buffer;
  /** Bytes of the whole entry in the pack (header + compressed data). */
  length: number;
  /** CRC-32 of those bytes (what a v2 .idx records). */
  crc: number;
}

export type PackObject = { ok: true; type: ObjectType; data: Buffer } | { ok: false; error: string };

/** The longest delta chain followed before calling the pack broken. */
const MAX_CHAIN = 10_000;

export class PackReader {
  private cache = new Map<number, { type: ObjectType; data: Buffer }>();
  private cached = 0;

  private constructor(
    private readonly read: ReadAt,
    readonly fileSize: number,
    readonly count: number,
    private readonly cacheBytes: number,
    private readonly findOid?: (oid: Buffer) => number | undefined,
  ) {}

  /** Checks the header; a string says what is wrong. */
  static open(read: ReadAt, fileSize: number, opts: { cacheBytes?: number; findOid?: (oid: Buffer) => number | undefined } = {}): PackReader | string {
    if (fileSize < 32) return 'too short for a pack';
    const h = read(0, 12);
    if (h.toString('latin1', 0, 4) !== 'PACK') return 'not a pack (no PACK signature)';
    const v = h.readUInt32BE(4);
    if (v !== 2 && v !== 3) return `pack version ${v} (2 or 3 expected)`;
    return new PackReader(read, fileSize, h.readUInt32BE(8), opts.cacheBytes ?? 32 * 1024 * 1024, opts.findOid);
  }

  /** The trailing SHA-1 of the pack. */
  checksum(): Buffer {
    return this.read(this.fileSize - OID_BYTES, OID_BYTES);
  }

  /** The entry at `offset`, inflated but not resolved. */
  entry(offset: number): RawEntry | string {
    const end = this.fileSize - OID_BYTES;
    if (offset < 12 || offset >= end) return `offset ${offset} outside the pack`;
    const head = this.read(offset, Math.min(32, end - offset));
    const h = decodeEntryHeader(head, 0);
    if (!h) return `bad entry header at ${offset}`;
    let p = h.length;
    let baseOffset: number | undefined;
    let baseOid: Buffer | undefined;
    if (h.type === OFS_DELTA) {
      const o = decodeOffset(head, p);
      if (!o) return `bad delta offset at ${offset}`;
      baseOffset = offset - o.distance;
      if (o.distance === 0 || baseOffset < 12) return `delta at ${offset} points outside the pack`;
      p += o.length;
    } else if (h.type === REF_DELTA) {
      if (head.length < p + OID_BYTES) return `truncated entry at ${offset}`;
      baseOid = Buffer.from(head.subarray(p, p + OID_BYTES));
      p += OID_BYTES;
    } else if (!CODE_TYPE[h.type]) return `bad object type ${h.type} at ${offset}`;
    // deflate output is at most a few bytes per 16 KiB block over its input
    const want = Math.min(end - offset - p, h.size + Math.ceil(h.size / 16384) * 5 + 64);
    const z = this.read(offset + p, want);
    let res: { buffer: Buffer; engine: { bytesWritten: number } };
    try {
      res = inflateSync(z, { info: true, maxOutputLength: Math.max(h.size, 1) }) as unknown as typeof res;
    } catch (err) {
      return `entry at ${offset}: ${(err as Error).message}`;
    }
    if (res.buffer.length !== h.size) return `entry at ${offset} inflates to ${res.buffer.length} bytes, its header says ${h.size}`;
    const used = res.engine.bytesWritten;
    const crc = crc32(z.subarray(0, used), crc32(head.subarray(0, p)));
    return { code: h.type, size: h.size, baseOffset, baseOid, data: res.buffer, length: p + used, crc };
  }

  /** The object at `offset`, deltas resolved. */
  objectAt(offset: number): PackObject {
    const chain: RawEntry[] = [];
    const offsets: number[] = [];
    let at = offset;
    let base: { type: ObjectType; data: Buffer } | undefined;
    for (;;) {
      const hit = this.cache.get(at);
      if (hit) {
        base = hit;
        break;
      }
      const e = this.entry(at);
      if (typeof e === 'string') return { ok: false, error: e };
      if (e.code !== OFS_DELTA && e.code !== REF_DELTA) {
        base = { type: CODE_TYPE[e.code]!, data: e.data };
        this.remember(at, base);
        break;
      }
      chain.push(e);
      offsets.push(at);
      if (chain.length > MAX_CHAIN) return { ok: false, error: `delta chain longer than ${MAX_CHAIN} at ${offset}` };
      if (e.baseOffset !== undefined) at = e.baseOffset;
      else {
        const found = this.findOid?.(e.baseOid!);
        if (found === undefined) return { ok: false, error: `delta at ${at} against ${e.baseOid!.toString('hex')}, not in this pack` };
        at = found;
      }
    }
    // apply from the base outwards; remember each step (the next object is often a delta of one of them)
    let type = base.type;
    let data = base.data;
    for (let i = chain.length - 1; i >= 0; i--) {
      const r = applyDelta(data, chain[i].data);
      if (!r.ok) return { ok: false, error: `delta at ${offsets[i]}: ${r.error}` };
      data = r.data;
      this.remember(offsets[i], { type, data });
    }
    return { ok: true, type, data };
  }

  private remember(offset: number, obj: { type: ObjectType; data: Buffer }): void {
    if (obj.data.length > this.cacheBytes / 4) return;
    if (this.cache.has(offset)) return;
    this.cache.set(offset, obj);
    this.cached += obj.data.length;
    // oldest first out (Map keeps insertion order)
    for (const [k, v] of this.cache) {
      if (this.cached <= this.cacheBytes) break;
      this.cache.delete(k);
      this.cached -= v.data.length;
    }
  }
}
