// Writing a pack (gitformat-pack(5)), sans I/O: each object added comes back
// as the bytes to append to the file. Objects are content-addressed: adding
// one that is already in the pack writes nothing. An object may be stored as
// an OFS_DELTA against a recent object of the same family (headers against
// headers, structures against structures), chosen from a sliding window, so
// memory is the window, not the pack. The header's object count and the
// trailing SHA-1 are the caller's last step (packHeader, then hash the file),
// since neither is known before the last object.
import { crc32, deflateSync } from 'node:zlib';
import { objectId, TYPE_CODE, OFS_DELTA, type ObjectType } from './object-id.ts';
import { encodeEntryHeader, encodeOffset } from './entry-header.ts';
import { createDelta, createDeltaIndex, type DeltaIndex } from './delta.ts';
import { ObjectTable } from './object-table.ts';

export const PACK_HEADER_BYTES = 12;

/** "PACK", version 2, the object count (gitformat-pack(5)). */
export function packHeader(count: number): Buffer {
  const b = Buffer.alloc(PACK_HEADER_BYTES);
  b.write('PACK', 0, 'latin1');
  b.writeUInt32BE(2, 4);
  b.writeUInt32BE(count, 8);
  return b;
}

export interface PackEncoderOptions {
  /** zlib level of every entry (default 6, git's core.compression default). */
  level?: number;
  /** Recent objects of a family tried as delta bases (default 10, git's pack.window). */
  window?: number;
  /** Longest delta chain (default 20; git uses 50: shorter chains read faster). */
  maxDepth?: number;
  /** Objects larger than this are stored whole (default 4 MiB). */
  maxDeltaSize?: number;
}

interface Candidate {
  data: Uint8Array;
  offset: number;
  depth: number;
  index?: DeltaIndex;
}

export interface Added {
  oid: Buffer;
  /** False when the object was already in the pack (nothing to write). */
  added: boolean;
  /** The entry's bytes, to append to the file. */
  bytes: Buffer[];
}

/** Objects smaller than this are not worth a delta (the entry overhead eats it). */
const MIN_DELTA_TARGET = 64;

export class PackEncoder {
  readonly table = new ObjectTable();
  private pos = PACK_HEADER_BYTES;
  private readonly windows = new Map<string, Candidate[]>();
  private readonly level: number;
  private readonly window: number;
  private readonly maxDepth: number;
  private readonly maxDeltaSize: number;

  constructor(opts: PackEncoderOptions = {}) {
    this.level = opts.level ?? 6;
    this.window = opts.window ?? 10;
    this.maxDepth = opts.maxDepth ?? 20;
    this.maxDeltaSize = opts.maxDeltaSize ?? 4 * 1024 * 1024;
  }

  /** Bytes written so far, header included (the offset of the next entry). */
  get position(): number {
    return this.pos;
  }

  get count(): number {
    return this.table.size;
  }

  /** Whether an object is already in the pack. */
  has(oid: Uint8Array): boolean {
    return this.table.find(oid) !== -1;
  }

  /**
   * Adds an object; `family` names the objects it may be a delta of (none:
   * always stored whole).
   */
  add(type: ObjectType, data: Uint8Array, family?: string): Added {
    const oid = objectId(type, data);
    if (this.table.find(oid) !== -1) return { oid, added: false, bytes: [] };
    const at = this.pos;
    let entry: Buffer[] | undefined;
    let depth = 0;
    const win = family !== undefined ? this.windows.get(family) ?? [] : undefined;
    if (win && data.length >= MIN_DELTA_TARGET && data.length <= this.maxDeltaSize) {
      const best = this.bestDelta(win, data);
      if (best) {
        const body = deflateSync(best.delta, { level: this.level });
        entry = [encodeEntryHeader(OFS_DELTA, best.delta.length), encodeOffset(at - best.base.offset), body];
        depth = best.base.depth + 1;
      }
    }
    entry ??= [encodeEntryHeader(TYPE_CODE[type], data.length), deflateSync(data, { level: this.level })];
    let crc = 0;
    let len = 0;
    for (const b of entry) {
      crc = crc32(b, crc);
      len += b.length;
    }
    this.table.add(oid, at, crc);
    this.pos += len;
    if (win && family !== undefined && data.length <= this.maxDeltaSize) {
      win.unshift({ data, offset: at, depth });
      if (win.length > this.window) win.pop();
      this.windows.set(family, win);
    }
    return { oid, added: true, bytes: entry };
  }

  /** The smallest delta against a window member, if it is under half the object. */
  private bestDelta(win: Candidate[], data: Uint8Array): { delta: Uint8Array; base: Candidate } | undefined {
    let best: { delta: Uint8Array; base: Candidate } | undefined;
    // git's rule (try_delta): a delta must be under half the target, less 20.
    let limit = Math.floor(data.length / 2) - 20;
    for (const c of win) {
      if (c.depth >= this.maxDepth) continue;
      // a base much smaller than the target cannot give a small delta
      if (c.data.length < data.length / 4) continue;
      c.index ??= createDeltaIndex(c.data);
      const d = createDelta(c.index, data, limit);
      if (d && d.length < limit) {
        best = { delta: Buffer.from(d), base: c };
        limit = d.length;
      }
    }
    return best;
  }
}
