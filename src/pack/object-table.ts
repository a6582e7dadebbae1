// The objects of a pack in a few flat arrays: id (20 bytes), offset of the
// entry, CRC-32 of the entry's bytes (what a v2 .idx records), and an open-
// addressing hash set over the ids. About 40 bytes per object, no JavaScript
// object per entry, so 400,000 objects (100,000 messages) take about 16 MB.
import { OID_BYTES } from './object-id.ts';

export class ObjectTable {
  private oids: Buffer;
  private offsets: Float64Array;
  private crcs: Uint32Array;
  private slots: Int32Array;
  private n = 0;

  constructor(capacity = 1024) {
    this.oids = Buffer.alloc(capacity * OID_BYTES);
    this.offsets = new Float64Array(capacity);
    this.crcs = new Uint32Array(capacity);
    this.slots = new Int32Array(capacity * 2).fill(-1);
  }

  get size(): number {
    return this.n;
  }

  /** The entry index of an object id, or -1. */
  find(oid: Uint8Array): number {
    const mask = this.slots.length - 1;
    let s = slotOf(oid) & mask;
    for (;;) {
      const e = this.slots[s];
      if (e === -1) return -1;
      if (this.sameOid(e, oid)) return e;
      s = (s + 1) & mask;
    }
  }

  /** Adds an object (the caller checked it is absent); returns its entry index. */
  add(oid: Uint8Array, offset: number, crc: number): number {
    if (this.n === this.offsets.length) this.grow();
    const e = this.n++;
    this.oids.set(oid, e * OID_BYTES);
    this.offsets[e] = offset;
    this.crcs[e] = crc >>> 0;
    if (this.n * 2 > this.slots.length) this.rehash();
    else this.place(e);
    return e;
  }

  oid(e: number): Buffer {
    return this.oids.subarray(e * OID_BYTES, (e + 1) * OID_BYTES);
  }
  offset(e: number): number {
    return this.offsets[e];
  }
  crc(e: number): number {
    return this.crcs[e];
  }

  private sameOid(e: number, oid: Uint8Array): boolean {
    const at = e * OID_BYTES;
    for (let i = 0; i < OID_BYTES; i++) if (this.oids[at + i] !== oid[i]) return false;
    return true;
  }

  private place(e: number): void {
    const mask = this.slots.length - 1;
    let s = slotOf(this.oids.subarray(e * OID_BYTES)) & mask;
    while (this.slots[s] !== -1) s = (s + 1) & mask;
    this.slots[s] = e;
  }

  private grow(): void {
    const cap = this.offsets.length * 2;
    const oids = Buffer.alloc(cap * OID_BYTES);
    this.oids.copy(oids);
    this.oids = oids;
    const offsets = new Float64Array(cap);
    offsets.set(this.offsets);
    this.offsets = offsets;
    const crcs = new Uint32Array(cap);
    crcs.set(this.crcs);
    this.crcs = crcs;
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2).fill(-1);
    for (let e = 0; e < this.n; e++) this.place(e);
  }
}

/** Object ids are SHA-1 output: their first four bytes are already a good hash. */
function slotOf(oid: Uint8Array): number {
  return ((oid[0] << 24) | (oid[1] << 16) | (oid[2] << 8) | oid[3]) >>> 0;
}
