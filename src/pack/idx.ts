// The pack index, version 2 (gitformat-pack(5) "VERSION 2 PACK-*.IDX"):
// magic \377tOc, version 2, a 256-entry fan-out table, the sorted object ids,
// their CRC-32s, their 31-bit offsets (MSB set: an index into the table of
// 8-byte offsets for packs past 2 GiB), the pack checksum and the SHA-1 of all
// of it. Written exactly as `git index-pack` writes it, so the two agree byte
// for byte. The reader takes a function that reads a range of the file (it
// never needs the whole index for one lookup).
import { createHash } from 'node:crypto';
import { OID_BYTES } from './object-id.ts';
import type { ObjectTable } from './object-table.ts';

const MAGIC = Buffer.from([0xff, 0x74, 0x4f, 0x63]);
const HEADER = 8;
const FANOUT = 256 * 4;
const TRAILER = 2 * OID_BYTES;

/** The .idx of the objects in `table`, for the pack whose trailing checksum is `packChecksum`. */
export function encodeIdx(table: ObjectTable, packChecksum: Uint8Array): Buffer {
  const n = table.size;
  const order = sortedEntries(table);
  let large = 0;
  for (let i = 0; i < n; i++) if (table.offset(i) > 0x7fffffff) large++;
  const size = HEADER + FANOUT + n * (OID_BYTES + 4 + 4) + large * 8 + TRAILER;
  const out = Buffer.alloc(size);
  MAGIC.copy(out, 0);
  out.writeUInt32BE(2, 4);
  const fanout = new Uint32Array(256);
  for (let i = 0; i < n; i++) fanout[table.oid(i)[0]]++;
  let acc = 0;
  for (let b = 0; b < 256; b++) {
    acc += fanout[b];
    out.writeUInt32BE(acc, HEADER + b * 4);
  }
  const names = HEADER + FANOUT;
  const crcs = names + n * OID_BYTES;
  const offs = crcs + n * 4;
  const larges = offs + n * 4;
  let nextLarge = 0;
  for (let k = 0; k < n; k++) {
    const e = order[k];
    table.oid(e).copy(out, names + k * OID_BYTES);
    out.writeUInt32BE(table.crc(e), crcs + k * 4);
    const off = table.offset(e);
    if (off > 0x7fffffff) {
      out.writeUInt32BE((0x80000000 | nextLarge) >>> 0, offs + k * 4);
      out.writeBigUInt64BE(BigInt(off), larges + nextLarge * 8);
      nextLarge++;
    } else out.writeUInt32BE(off, offs + k * 4);
  }
  const trailer = larges + large * 8;
  Buffer.from(packChecksum).copy(out, trailer);
  createHash('sha1').update(out.subarray(0, trailer + OID_BYTES)).digest().copy(out, trailer + OID_BYTES);
  return out;
}

/** Entry numbers in object-id order. */
function sortedEntries(table: ObjectTable): Uint32Array {
  const n = table.size;
  const keys = new Float64Array(n);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const o = table.oid(i);
    // the first six bytes as an exact integer: ties are rare, then compare all
    keys[i] = o.readUIntBE(0, 6);
    order[i] = i;
  }
  return order.sort((a, b) => keys[a] - keys[b] || Buffer.compare(table.oid(a), table.oid(b)));
}

/** Reads `length` bytes at `position` (fewer only at the end of the file). */
export type ReadAt = (position: number, length: number) => Buffer;

export class IdxReader {
  readonly count: number;
  private readonly fanout: Uint32Array;

  private constructor(private readonly read: ReadAt, readonly fileSize: number, head: Buffer) {
    this.fanout = new Uint32Array(256);
    for (let b = 0; b < 256; b++) this.fanout[b] = head.readUInt32BE(HEADER + b * 4);
    this.count = this.fanout[255];
  }

  /** Opens an index; a string says what is wrong with it. */
  static open(read: ReadAt, fileSize: number): IdxReader | string {
    if (fileSize < HEADER + FANOUT + TRAILER) return 'too short for a pack index';
    const head = read(0, HEADER + FANOUT);
    if (!head.subarray(0, 4).equals(MAGIC)) return 'not a version 2 pack index (no \\377tOc magic)';
    if (head.readUInt32BE(4) !== 2) return `pack index version ${head.readUInt32BE(4)} (only 2 is read)`;
    let prev = 0;
    for (let b = 0; b < 256; b++) {
      const v = head.readUInt32BE(HEADER + b * 4);
      if (v < prev) return 'fan-out table not monotonic';
      prev = v;
    }
    const n = prev;
    const min = HEADER + FANOUT + n * (OID_BYTES + 8) + TRAILER;
    if (fileSize < min || fileSize > min + n * 8) return `size ${fileSize} does not fit ${n} objects`;
    return new IdxReader(read, fileSize, head);
  }

  private get namesAt(): number {
    return HEADER + FANOUT;
  }

  /** The checksum of the pack this index describes. */
  packChecksum(): Buffer {
    return this.read(this.fileSize - TRAILER, OID_BYTES);
  }

  /** The index's own trailing checksum. */
  idxChecksum(): Buffer {
    return this.read(this.fileSize - OID_BYTES, OID_BYTES);
  }

  /** Object ids whose hex form starts with `prefix` (at most `limit`), each with its position. */
  findPrefix(prefix: string, limit = 2): number[] {
    const p = prefix.toLowerCase();
    if (!/^[0-9a-f]{1,40}$/.test(p)) return [];
    const first = parseInt(p.slice(0, 2).padEnd(2, '0'), 16);
    const lastByte = p.length >= 2 ? first : first + 15;
    const lo = first === 0 ? 0 : this.fanout[first - 1];
    const hi = this.fanout[lastByte];
    if (hi <= lo) return [];
    const names = this.read(this.namesAt + lo * OID_BYTES, (hi - lo) * OID_BYTES);
    if (p.length === 40) {
      const want = Buffer.from(p, 'hex');
      let a = 0;
      let b = hi - lo;
      while (a < b) {
        const m = (a + b) >>> 1;
        const c = names.compare(want, 0, OID_BYTES, m * OID_BYTES, (m + 1) * OID_BYTES);
        if (c === 0) return [lo + m];
        if (c > 0) b = m;
        else a = m + 1;
      }
      return [];
    }
    const out: number[] = [];
    for (let k = 0; k < hi - lo && out.length < limit; k++) {
      if (names.toString('hex', k * OID_BYTES, (k + 1) * OID_BYTES).startsWith(p)) out.push(lo + k);
    }
    return out;
  }

  /** The position (in id order) of an object id, or -1. */
  find(oid: Uint8Array): number {
    return this.findPrefix(Buffer.from(oid).toString('hex'))[0] ?? -1;
  }

  oidAt(k: number): Buffer {
    return this.read(this.namesAt + k * OID_BYTES, OID_BYTES);
  }

  crcAt(k: number): number {
    return this.read(this.namesAt + this.count * OID_BYTES + k * 4, 4).readUInt32BE(0);
  }

  offsetAt(k: number): number {
    const base = this.namesAt + this.count * (OID_BYTES + 4);
    const v = this.read(base + k * 4, 4).readUInt32BE(0);
    if (!(v & 0x80000000)) return v;
    const at = base + this.count * 4 + (v & 0x7fffffff) * 8;
    return Number(this.read(at, 8).readBigUInt64BE(0));
  }

  /** Every entry (id, offset, crc), read in three passes over the file: for verify and list. */
  *entries(): Generator<{ oid: Buffer; offset: number; crc: number }> {
    const n = this.count;
    const STEP = 4096;
    for (let s = 0; s < n; s += STEP) {
      const m = Math.min(STEP, n - s);
      const names = this.read(this.namesAt + s * OID_BYTES, m * OID_BYTES);
      const crcs = this.read(this.namesAt + n * OID_BYTES + s * 4, m * 4);
      for (let k = 0; k < m; k++) {
        yield { oid: names.subarray(k * OID_BYTES, (k + 1) * OID_BYTES), offset: this.offsetAt(s + k), crc: crcs.readUInt32BE(k * 4) };
      }
    }
  }
}
