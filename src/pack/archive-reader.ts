// An archive opened for reading: the pack and its .idx, both through range
// reads (no whole-file read). Finds objects by id or unique id prefix and
// rebuilds messages from their structure, blob by blob.
import { IdxReader } from './idx.ts';
import { PackReader, type PackObject } from './reader.ts';
import { parseStructure, type StructureItem } from './structure.ts';
import { objectId } from './object-id.ts';

export type Lookup = { ok: true; oid: Buffer; offset: number } | { ok: false; error: string; ambiguous?: boolean };

export class ArchiveReader {
  constructor(readonly pack: PackReader, readonly idx: IdxReader) {}

  /** An object by full id or by a unique prefix of at least 4 hex digits (as git). */
  lookup(idOrPrefix: string): Lookup {
    const p = idOrPrefix.toLowerCase();
    if (!/^[0-9a-f]{4,40}$/.test(p)) return { ok: false, error: `'${idOrPrefix}' is not an object id (4 to 40 hex digits)` };
    const found = this.idx.findPrefix(p, 2);
    if (found.length === 0) return { ok: false, error: `no object ${idOrPrefix} in the archive` };
    if (found.length > 1) return { ok: false, error: `${idOrPrefix} is ambiguous (several objects start with it)`, ambiguous: true };
    return { ok: true, oid: this.idx.oidAt(found[0]), offset: this.idx.offsetAt(found[0]) };
  }

  /** An object by full id, its id checked against its bytes. */
  object(oid: Uint8Array): PackObject {
    const k = this.idx.find(oid);
    if (k === -1) return { ok: false, error: `object ${Buffer.from(oid).toString('hex')} is missing from the archive` };
    const o = this.pack.objectAt(this.idx.offsetAt(k));
    if (!o.ok) return o;
    if (!objectId(o.type, o.data).equals(oid)) return { ok: false, error: `object ${Buffer.from(oid).toString('hex')} is damaged (its bytes hash to another id)` };
    return o;
  }

  /** The structure of the message `oid`, or what is wrong. */
  structure(oid: Uint8Array): StructureItem[] | string {
    const o = this.object(oid);
    if (!o.ok) return o.error;
    if (o.type !== 'blob') return `${Buffer.from(oid).toString('hex')} is a ${o.type}, not a message`;
    const s = parseStructure(o.data);
    return typeof s === 'string' ? `${Buffer.from(oid).toString('hex')} is not a message (${s})` : s;
  }

  /** The message's bytes, piece by piece (one blob in memory at a time). */
  *message(items: StructureItem[]): Generator<Buffer, void, undefined> {
    for (const it of items) {
      if (it.kind === 'literal') {
        yield it.data;
        continue;
      }
      const o = this.object(it.oid);
      if (!o.ok) throw new ArchiveError(o.error);
      if (o.data.length !== it.size) throw new ArchiveError(`object ${it.oid.toString('hex')} has ${o.data.length} bytes, the structure says ${it.size}`);
      yield o.data;
    }
  }
}

/** A damaged archive found while rebuilding a message. */
export class ArchiveError extends Error {}
