// The archive: messages stored in a git PACKv2 file with a v2 .idx.
//
// A message is exploded (explode.ts) into content-addressed git objects: its
// header block (a blob), each leaf body as it is written in the message (a
// blob: identical attachments and bodies are stored once), and a structure
// blob (structure.ts) that lists the pieces in order with the bytes between
// them. The message's id is the object id of its structure. Rebuilding is
// concatenation, so it is byte-identical for every input. Entries are
// zlib-deflated, headers and text bodies OFS_DELTA-compressed against recent
// ones. `git verify-pack`, `git index-pack` and `git cat-file` read it.
//
// Writing (the API other commands use, e.g. `mbox FILE -o PACK`):
//
//   const w = PackFileWriter.create('archive.pack');     // fs errors thrown as they are
//   const m = await w.addMessage(chunks);                  // AsyncIterable|Iterable<Buffer>, raw bytes
//   m.id.toString('hex'); m.added; m.size                  // id = structure object id
//   const r = w.close();                                   // writes .pack and .idx (atomic rename)
//   w.abort();                                             // on failure: removes the temporary file
//
//   Memory: one message's pieces plus a delta window (10 objects per family)
//   and about 40 bytes per object for the id table the .idx is made from.
//   Sans I/O underneath: MessagePacker (one message -> pack bytes) over
//   PackEncoder (objects -> pack bytes) for callers with their own output.
//
// Reading: openArchive('archive.pack') -> { archive: ArchiveReader, close }
//   archive.lookup(hexOrPrefix), archive.structure(oid), archive.message(items)
export {
  siblingPath, PackFileWriter, writeIdx, writeFileAtomic, RangeFile, openArchive, type PackWriteResult, type OpenedArchive,
} from './pack-file.ts';
export { PACK_HEADER_BYTES, packHeader, PackEncoder, type PackEncoderOptions, type Added } from './encoder.ts';
export { MessagePacker, type PackedMessage } from './message-packer.ts';
export { MAX_HEADER, MessageExploder, type ExplodeEvent } from './explode.ts';
export {
  STRUCTURE_MAGIC, MAX_INLINE_LITERAL, encodeStructure, isStructure, parseStructure, structureBlobs, structureSize, OID_BYTES, type StructureItem,
} from './structure.ts';
export { ArchiveReader, ArchiveError, type Lookup } from './archive-reader.ts';
export { PackReader, type RawEntry, type PackObject } from './reader.ts';
export { encodeIdx, IdxReader, type ReadAt } from './idx.ts';
export { ObjectTable } from './object-table.ts';
export { scanPack, type ScannedObject, type ScanStep } from './scan.ts';
export {
  TYPE_CODE, OFS_DELTA, REF_DELTA, CODE_TYPE, objectHasher, objectId, oidHex, parseOidHex, EMPTY_BLOB_ID, type ObjectType,
} from './object-id.ts';
export { createDeltaIndex, createDelta, applyDelta, type DeltaIndex, type DeltaResult } from './delta.ts';
