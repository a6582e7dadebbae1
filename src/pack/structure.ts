// The structure object of an archived message: a git blob that ties the
// message's pieces together in order, so that concatenating them gives the
// message back byte for byte. Its id is the message's id. Text, so that
// `git cat-file -p ID` shows it:
//
//   blaze-message 1
//   h <object id> <size>     the message's header block (a blob)
//   b <object id> <size>     a blob: a leaf body, or a large piece of structure
//   l <size>                 literal bytes follow (part headers, delimiter
//   <size bytes>             lines, preamble, epilogue up to 4 KiB)
//
// `h` comes first, once. Part headers and delimiters are kept inline: they
// are small and mostly unique to the message, and an object each would cost
// more than it could ever save.
import { OID_BYTES } from './object-id.ts';

export const STRUCTURE_MAGIC = Buffer.from('blaze-message 1\n', 'latin1');
/** Literal runs up to this size are kept in the structure; longer ones become blobs. */
export const MAX_INLINE_LITERAL = 4096;

export type StructureItem =
  | { kind: 'header'; oid: Buffer; size: number }
  | { kind: 'blob'; oid: Buffer; size: number }
  | { kind: 'literal'; data: Buffer };

export function encodeStructure(items: StructureItem[]): Buffer {
  const parts: Buffer[] = [STRUCTURE_MAGIC];
  for (const it of items) {
    if (it.kind === 'literal') parts.push(Buffer.from(`l ${it.data.length}\n`, 'latin1'), it.data);
    else parts.push(Buffer.from(`${it.kind === 'header' ? 'h' : 'b'} ${it.oid.toString('hex')} ${it.size}\n`, 'latin1'));
  }
  return Buffer.concat(parts);
}

/** Whether an object's bytes are a message structure (cheap: the magic line). */
export function isStructure(data: Uint8Array): boolean {
  return data.length >= STRUCTURE_MAGIC.length && Buffer.from(data.buffer, data.byteOffset, STRUCTURE_MAGIC.length).equals(STRUCTURE_MAGIC);
}

/** The items of a structure object, or what is wrong with it. */
export function parseStructure(data: Buffer): StructureItem[] | string {
  if (!isStructure(data)) return 'not a message structure (no "blaze-message 1" line)';
  const items: StructureItem[] = [];
  let i = STRUCTURE_MAGIC.length;
  while (i < data.length) {
    const nl = data.indexOf(0x0a, i);
    if (nl === -1 || nl - i > 100) return `structure: unterminated record at byte ${i}`;
    const line = data.toString('latin1', i, nl);
    i = nl + 1;
    let m = /^([hb]) ([0-9a-f]{40}) (\d{1,15})$/.exec(line);
    if (m) {
      if ((m[1] === 'h') !== (items.length === 0)) return `structure: "${m[1]}" record out of place`;
      items.push({ kind: m[1] === 'h' ? 'header' : 'blob', oid: Buffer.from(m[2], 'hex'), size: Number(m[3]) });
      continue;
    }
    m = /^l (\d{1,15})$/.exec(line);
    if (!m || items.length === 0) return `structure: bad record "${line.slice(0, 60)}"`;
    const n = Number(m[1]);
    if (i + n > data.length) return 'structure: literal past the end';
    items.push({ kind: 'literal', data: data.subarray(i, i + n) });
    i += n;
  }
  if (items.length === 0) return 'structure: no header record';
  return items;
}

/** The ids of the blobs a structure refers to (header first). */
export function structureBlobs(items: StructureItem[]): Buffer[] {
  return items.flatMap((it) => (it.kind === 'literal' ? [] : [it.oid]));
}

/** The size of the message a structure rebuilds. */
export function structureSize(items: StructureItem[]): number {
  let n = 0;
  for (const it of items) n += it.kind === 'literal' ? it.data.length : it.size;
  return n;
}

export { OID_BYTES };
