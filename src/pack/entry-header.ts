// The variable-length integers of a pack (gitformat-pack(5)): the entry
// header (3-bit type, size in 4 + 7n bits, little-endian groups), the
// OFS_DELTA base offset ("offset encoding", big-endian groups with the +1
// bias), and the delta's base/result sizes (7-bit groups, little-endian).

/** Entry header: type and inflated size. */
export function encodeEntryHeader(type: number, size: number): Buffer {
  const out: number[] = [];
  let c = (type << 4) | (size & 0x0f);
  let rest = Math.floor(size / 16);
  while (rest > 0) {
    out.push(c | 0x80);
    c = rest & 0x7f;
    rest = Math.floor(rest / 128);
  }
  out.push(c);
  return Buffer.from(out);
}

export interface EntryHeader {
  type: number;
  size: number;
  /** Bytes of the header (the base offset of an OFS_DELTA not included). */
  length: number;
}

/** Reads an entry header at `pos`; undefined when `buf` ends first or it is absurdly long. */
export function decodeEntryHeader(buf: Uint8Array, pos: number): EntryHeader | undefined {
  if (pos >= buf.length) return undefined;
  let c = buf[pos];
  const type = (c >> 4) & 7;
  let size = c & 0x0f;
  let shift = 16;
  let i = pos + 1;
  while (c & 0x80) {
    if (i >= buf.length || shift > 2 ** 48) return undefined;
    c = buf[i++];
    size += (c & 0x7f) * shift;
    shift *= 128;
  }
  return { type, size, length: i - pos };
}

/** OFS_DELTA: the distance back to the base entry. */
export function encodeOffset(distance: number): Buffer {
  const out: number[] = [distance & 0x7f];
  let n = Math.floor(distance / 128);
  while (n > 0) {
    n -= 1;
    out.unshift(0x80 | (n & 0x7f));
    n = Math.floor(n / 128);
  }
  return Buffer.from(out);
}

export function decodeOffset(buf: Uint8Array, pos: number): { distance: number; length: number } | undefined {
  if (pos >= buf.length) return undefined;
  let c = buf[pos];
  let n = c & 0x7f;
  let i = pos + 1;
  while (c & 0x80) {
    if (i >= buf.length || n > 2 ** 45) return undefined;
    c = buf[i++];
    n = (n + 1) * 128 + (c & 0x7f);
  }
  return { distance: n, length: i - pos };
}

/** Delta header sizes: 7 bits per byte, least significant first. */
export function encodeDeltaSize(size: number, out: number[]): void {
  let n = size;
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
}

export function decodeDeltaSize(buf: Uint8Array, pos: number): { value: number; length: number } | undefined {
  let value = 0;
  let shift = 1;
  let i = pos;
  for (;;) {
    if (i >= buf.length || shift > 2 ** 49) return undefined;
    const c = buf[i++];
    value += (c & 0x7f) * shift;
    shift *= 128;
    if (!(c & 0x80)) break;
  }
  return { value, length: i - pos };
}
