// Git object ids (gitformat-pack(5) "CHECKSUMS AND OBJECT IDS"): the SHA-1 of
// "<type> <size>\0" followed by the object's bytes. The archive stores every
// piece of a message as a git object, so a message's id is an object id too.
import { createHash, type Hash } from 'node:crypto';

export type ObjectType = 'commit' | 'tree' | 'blob' | 'tag';

/** Pack type numbers (gitformat-pack(5) "Object types"). */
export const TYPE_CODE: Record<ObjectType, number> = { commit: 1, tree: 2, blob: 3, tag: 4 };
export const OFS_DELTA = 6;
export const REF_DELTA = 7;
export const CODE_TYPE: Record<number, ObjectType | undefined> = { 1: 'commit', 2: 'tree', 3: 'blob', 4: 'tag' };

export const OID_BYTES = 20;

/** The hash state after "<type> <size>\0": feed it the object's bytes, then digest. */
export function objectHasher(type: ObjectType, size: number): Hash {
  return createHash('sha1').update(`${type} ${size}\0`, 'latin1');
}

/** The id (20 raw bytes) of an object held in memory. */
export function objectId(type: ObjectType, data: Uint8Array): Buffer {
  return objectHasher(type, data.length).update(data).digest();
}

export function oidHex(oid: Uint8Array): string {
  return Buffer.from(oid.buffer, oid.byteOffset, oid.byteLength).toString('hex');
}

/** 40 hexadecimal digits to 20 bytes; undefined when it is not a full object id. */
export function parseOidHex(hex: string): Buffer | undefined {
  return /^[0-9a-fA-F]{40}$/.test(hex) ? Buffer.from(hex, 'hex') : undefined;
}

/** The id of the empty blob (e69de29b...), the content of an empty part. */
export const EMPTY_BLOB_ID = objectId('blob', new Uint8Array(0));
