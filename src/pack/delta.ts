// Git's binary delta (gitformat-pack(5) "Deltified representation"): a
// target made of copies from a base and inserted bytes. The encoder follows
// git's diff-delta idea: the base is indexed by a hash of each aligned
// 16-byte block, the target is scanned with a rolling hash of the same
// 16 bytes, and each candidate is verified and extended both ways.
import { decodeDeltaSize, encodeDeltaSize } from './entry-header.ts';

const BLOCK = 16;
/** Candidates verified per target position (git keeps at most 64 per bucket). */
const MAX_CHAIN = 24;
/** git writes copies of at most 64 KiB so that old readers accept them. */
const MAX_COPY = 0x10000;
const MAX_INSERT = 0x7f;
/** Rolling-hash multiplier and its 15th power (the weight of the byte leaving the window). */
const P = 0x01000193;
const P15 = powMod32(P, BLOCK - 1);

function powMod32(b: number, e: number): number {
  let r = 1;
  for (let i = 0; i < e; i++) r = Math.imul(r, b);
  return r;
}

export interface DeltaIndex {
  base: Uint8Array;
  mask: number;
  head: Int32Array;
  next: Int32Array;
}

/** Indexes a base for createDelta (about base.length / 4 bytes of tables). */
export function createDeltaIndex(base: Uint8Array): DeltaIndex {
  const blocks = Math.floor(base.length / BLOCK);
  let size = 16;
  while (size < blocks) size *= 2;
  const head = new Int32Array(size).fill(-1);
  const next = new Int32Array(Math.max(blocks, 1));
  const mask = size - 1;
  // Later blocks first in each chain: matches near the end of the base are
  // as good as any, and inserting in reverse keeps chains in ascending order.
  for (let k = blocks - 1; k >= 0; k--) {
    const h = blockHash(base, k * BLOCK) & mask;
    next[k] = head[h];
    head[h] = k;
  }
  return { base, mask, head, next };
}

function blockHash(buf: Uint8Array, at: number): number {
  let h = 0;
  for (let i = 0; i < BLOCK; i++) h = (Math.imul(h, P) + buf[at + i]) | 0;
  return h;
}

/**
 * The delta turning `index.base` into `target`, or undefined when it would
 * be `maxSize` bytes or more (not worth storing as a delta).
 */
export function createDelta(index: DeltaIndex, target: Uint8Array, maxSize = target.length): Uint8Array | undefined {
  const base = index.base;
  const header: number[] = [];
  encodeDeltaSize(base.length, header);
  encodeDeltaSize(target.length, header);
  if (header.length >= maxSize) return undefined;
  const out = new DeltaOutput(maxSize);
  out.raw(header);
  const tlen = target.length;
  let insertFrom = 0; // target bytes not yet written
  let i = 0;
  let h = tlen >= BLOCK ? blockHash(target, 0) : 0;
  const { head, next, mask } = index;
  while (i + BLOCK <= tlen) {
    let bestLen = 0;
    let bestBase = 0;
    let bestStart = i;
    let k = head[h & mask];
    let chain = 0;
    while (k !== -1 && chain++ < MAX_CHAIN) {
      const p = k * BLOCK;
      // forward: from the block start, as far as both go
      let f = 0;
      const room = Math.min(base.length - p, tlen - i);
      while (f < room && base[p + f] === target[i + f]) f++;
      if (f >= BLOCK) {
        // backward: reclaim target bytes waiting to be inserted
        let b = 0;
        while (b < i - insertFrom && b < p && base[p - b - 1] === target[i - b - 1]) b++;
        if (f + b > bestLen) {
          bestLen = f + b;
          bestBase = p - b;
          bestStart = i - b;
        }
      }
      k = next[k];
    }
    if (bestLen >= BLOCK) {
      if (!out.insert(target, insertFrom, bestStart)) return undefined;
      if (!out.copy(bestBase, bestLen)) return undefined;
      i = bestStart + bestLen;
      insertFrom = i;
      if (i + BLOCK <= tlen) h = blockHash(target, i);
      continue;
    }
    // roll the window one byte
    if (i + BLOCK < tlen) h = (Math.imul(h - Math.imul(target[i], P15), P) + target[i + BLOCK]) | 0;
    i++;
  }
  if (!out.insert(target, insertFrom, tlen)) return undefined;
  return out.result();
}

class DeltaOutput {
  private buf: Uint8Array;
  private n = 0;
  constructor(private readonly max: number) {
    this.buf = new Uint8Array(Math.min(max, 4096) + 32);
  }
  private room(k: number): boolean {
    if (this.n + k >= this.max) return false;
    if (this.n + k > this.buf.length) {
      const b = new Uint8Array(Math.min(this.max + 32, Math.max(this.buf.length * 2, this.n + k)));
      b.set(this.buf.subarray(0, this.n));
      this.buf = b;
    }
    return true;
  }
  raw(bytes: number[]): void {
    this.room(bytes.length);
    for (const b of bytes) this.buf[this.n++] = b;
  }
  insert(src: Uint8Array, from: number, to: number): boolean {
    for (let s = from; s < to; s += MAX_INSERT) {
      const len = Math.min(MAX_INSERT, to - s);
      if (!this.room(len + 1)) return false;
      this.buf[this.n++] = len;
      this.buf.set(src.subarray(s, s + len), this.n);
      this.n += len;
    }
    return true;
  }
  copy(offset: number, length: number): boolean {
    for (let done = 0; done < length; done += MAX_COPY) {
      const size = Math.min(MAX_COPY, length - done);
      if (!this.room(8)) return false;
      const at = this.n++;
      let op = 0x80;
      const off = offset + done;
      for (let b = 0; b < 4; b++) {
        const v = Math.floor(off / 2 ** (8 * b)) & 0xff;
        if (v) {
          op |= 1 << b;
          this.buf[this.n++] = v;
        }
      }
      // size 0x10000 is written as no size bytes (gitformat-pack(5))
      const sz = size === 0x10000 ? 0 : size;
      for (let b = 0; b < 3; b++) {
        const v = (sz >> (8 * b)) & 0xff;
        if (v) {
          op |= 0x10 << b;
          this.buf[this.n++] = v;
        }
      }
      this.buf[at] = op;
    }
    return true;
  }
  result(): Uint8Array {
    return this.buf.subarray(0, this.n);
  }
}

export type DeltaResult = { ok: true; data: Buffer } | { ok: false; error: string };

/** Applies a delta to its base; every size and range is checked (the delta may be hostile). */
export function applyDelta(base: Uint8Array, delta: Uint8Array): DeltaResult {
  const bs = decodeDeltaSize(delta, 0);
  if (!bs) return { ok: false, error: 'truncated delta header' };
  if (bs.value !== base.length) return { ok: false, error: `delta expects a ${bs.value}-byte base, the base has ${base.length}` };
  const ts = decodeDeltaSize(delta, bs.length);
  if (!ts) return { ok: false, error: 'truncated delta header' };
  const size = ts.value;
  if (size > 2 ** 32) return { ok: false, error: `delta result too large (${size} bytes)` };
  const out = Buffer.allocUnsafe(size);
  let o = 0;
  let i = bs.length + ts.length;
  while (i < delta.length) {
    const op = delta[i++];
    if (op & 0x80) {
      let off = 0;
      let len = 0;
      for (let b = 0; b < 4; b++) if (op & (1 << b)) {
        if (i >= delta.length) return { ok: false, error: 'truncated copy instruction' };
        off += delta[i++] * 2 ** (8 * b);
      }
      for (let b = 0; b < 3; b++) if (op & (0x10 << b)) {
        if (i >= delta.length) return { ok: false, error: 'truncated copy instruction' };
        len |= delta[i++] << (8 * b);
      }
      if (len === 0) len = 0x10000;
      if (off + len > base.length || o + len > size) return { ok: false, error: 'copy outside the base or the result' };
      out.set(base.subarray(off, off + len), o);
      o += len;
    } else if (op) {
      if (i + op > delta.length || o + op > size) return { ok: false, error: 'insert past the end of the delta or the result' };
      out.set(delta.subarray(i, i + op), o);
      o += op;
      i += op;
    } else {
      return { ok: false, error: 'reserved delta instruction 0' };
    }
  }
  if (o !== size) return { ok: false, error: `delta gives ${o} bytes, its header says ${size}` };
  return { ok: true, data: out };
}
