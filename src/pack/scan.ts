// Walking a pack from its first entry to its trailer, as `git index-pack`
// does: every object's id (deltas resolved), offset, entry CRC-32 and type.
// This is how `pack index` and `pack verify` learn what a pack holds without
// trusting any index.
import { CODE_TYPE, objectId, OID_BYTES, type ObjectType } from './object-id.ts';
import { PACK_HEADER_BYTES } from './encoder.ts';
import type { PackReader } from './reader.ts';

export interface ScannedObject {
  offset: number;
  oid: Buffer;
  type: ObjectType;
  data: Buffer;
  crc: number;
  /** Whether the entry is a delta (of what, the reader knows). */
  delta: boolean;
}

export type ScanStep = { ok: true; object: ScannedObject } | { ok: false; offset: number; error: string };

/** Every object of the pack in file order; stops at the first damaged entry (reported as a step). */
export function* scanPack(reader: PackReader): Generator<ScanStep, void, undefined> {
  const end = reader.fileSize - OID_BYTES;
  let offset = PACK_HEADER_BYTES;
  for (let n = 0; n < reader.count; n++) {
    if (offset >= end) {
      yield { ok: false, offset, error: `the pack ends after ${n} of its ${reader.count} objects` };
      return;
    }
    const e = reader.entry(offset);
    if (typeof e === 'string') {
      yield { ok: false, offset, error: e };
      return;
    }
    let type: ObjectType;
    let data: Buffer;
    const plain = CODE_TYPE[e.code];
    if (plain) {
      type = plain;
      data = e.data;
    } else {
      const o = reader.objectAt(offset);
      if (!o.ok) {
        yield { ok: false, offset, error: o.error };
        return;
      }
      type = o.type;
      data = o.data;
    }
    yield { ok: true, object: { offset, oid: objectId(type, data), type, data, crc: e.crc, delta: !plain } };
    offset += e.length;
  }
  if (offset !== end) yield { ok: false, offset, error: `${end - offset} bytes between the last object and the trailer` };
}
