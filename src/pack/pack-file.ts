// The file-system glue of the archive (the one file of src/pack that does
// I/O): writing a pack to a temporary file and renaming it into place when it
// is complete (the object count patched into the header, the trailing SHA-1
// computed over the finished file, the .idx written beside it), and opening a
// pack and its .idx for range reads.
import { closeSync, fstatSync, fsyncSync, openSync, readSync, renameSync, unlinkSync, writeSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { PackEncoder, packHeader, type PackEncoderOptions, type Added } from './encoder.ts';
import { MessagePacker, type PackedMessage } from './message-packer.ts';
import { encodeIdx, IdxReader, type ReadAt } from './idx.ts';
import { PackReader } from './reader.ts';
import { ArchiveReader } from './archive-reader.ts';
import type { ObjectType } from './object-id.ts';
import type { ObjectTable } from './object-table.ts';

/** ARCHIVE.pack -> ARCHIVE.idx (or ARCHIVE + .idx when the name has no .pack). */
export function siblingPath(packPath: string, ext: string): string {
  return packPath.endsWith('.pack') ? packPath.slice(0, -5) + ext : packPath + ext;
}

export interface PackWriteResult {
  path: string;
  idxPath: string;
  checksum: Buffer;
  objects: number;
  messages: number;
}

/**
 * Writes a new archive. Every message added is complete in the file before
 * the next starts; nothing appears at `path` until close() (a temporary file
 * beside it is renamed), so a failed run leaves the old archive, if any.
 */
export class PackFileWriter {
  readonly encoder: PackEncoder;
  private fd: number;
  private readonly tmp: string;
  private closed = false;
  private messageCount = 0;

  private constructor(readonly path: string, opts: PackEncoderOptions) {
    this.encoder = new PackEncoder(opts);
    this.tmp = `${path}.tmp-${process.pid}`;
    this.fd = openSync(this.tmp, 'w+');
    this.write([packHeader(0)]);
  }

  /** Opens `path`'s temporary file; fs errors are thrown as they are (ENOENT, EACCES...). */
  static create(path: string, opts: PackEncoderOptions = {}): PackFileWriter {
    return new PackFileWriter(path, opts);
  }

  get messages(): number {
    return this.messageCount;
  }

  /** Adds one message read from `chunks` (raw bytes, any line ends); returns its id. */
  async addMessage(chunks: AsyncIterable<Buffer> | Iterable<Buffer>): Promise<PackedMessage> {
    const p = new MessagePacker(this.encoder);
    for await (const c of chunks) this.write(p.push(c));
    const r = p.finish();
    this.write(r.bytes);
    if (r.message.added) this.messageCount++;
    return r.message;
  }

  /** Adds one message held in memory. */
  addMessageBytes(data: Buffer): PackedMessage {
    const p = new MessagePacker(this.encoder);
    this.write(p.push(data));
    const r = p.finish();
    this.write(r.bytes);
    if (r.message.added) this.messageCount++;
    return r.message;
  }

  /** Adds a raw object (for copying objects between archives). */
  addObject(type: ObjectType, data: Buffer, family?: string): Added {
    const r = this.encoder.add(type, data, family);
    this.write(r.bytes);
    return r;
  }

  private write(bufs: Buffer[]): void {
    for (const b of bufs) {
      let off = 0;
      while (off < b.length) off += writeSync(this.fd, b, off, b.length - off);
    }
  }

  /** Finishes the pack and its .idx and puts them in place. */
  close(): PackWriteResult {
    if (this.closed) throw new Error('pack already closed');
    this.closed = true;
    try {
      writeSync(this.fd, packHeader(this.encoder.count), 0, 12, 0);
      const checksum = hashFile(this.fd, this.encoder.position);
      writeSync(this.fd, checksum, 0, checksum.length, this.encoder.position);
      fsyncSync(this.fd);
      closeSync(this.fd);
      const idxPath = siblingPath(this.path, '.idx');
      writeIdx(idxPath, this.encoder.table, checksum);
      renameSync(this.tmp, this.path);
      return { path: this.path, idxPath, checksum, objects: this.encoder.count, messages: this.messageCount };
    } catch (err) {
      this.cleanup();
      throw err;
    }
  }

  /** Gives up: removes the temporary file. */
  abort(): void {
    if (this.closed) return;
    this.closed = true;
    this.cleanup();
  }

  private cleanup(): void {
    try {
      closeSync(this.fd);
    } catch {
      /* already closed */
    }
    try {
      unlinkSync(this.tmp);
    } catch {
      /* already gone */
    }
  }
}

/** Writes an .idx atomically (temporary file, fsync, rename). */
export function writeIdx(idxPath: string, table: ObjectTable, packChecksum: Buffer): void {
  writeFileAtomic(idxPath, encodeIdx(table, packChecksum));
}

export function writeFileAtomic(path: string, data: Buffer): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  const fd = openSync(tmp, 'r');
  fsyncSync(fd);
  closeSync(fd);
  renameSync(tmp, path);
}

function hashFile(fd: number, length: number): Buffer {
  const h = createHash('sha1');
  const buf = Buffer.allocUnsafe(1 << 20);
  let pos = 0;
  while (pos < length) {
    const n = readSync(fd, buf, 0, Math.min(buf.length, length - pos), pos);
    if (n === 0) throw new Error('pack file shorter than written');
    h.update(buf.subarray(0, n));
    pos += n;
  }
  return h.digest();
}

/** A file opened for range reads. */
export class RangeFile {
  readonly size: number;
  private constructor(private fd: number) {
    this.size = fstatSync(fd).size;
  }
  static open(path: string): RangeFile {
    return new RangeFile(openSync(path, 'r'));
  }
  readonly read: ReadAt = (position, length) => {
    const buf = Buffer.allocUnsafe(Math.max(0, Math.min(length, this.size - position)));
    let got = 0;
    while (got < buf.length) {
      const n = readSync(this.fd, buf, got, buf.length - got, position + got);
      if (n === 0) break;
      got += n;
    }
    return got === buf.length ? buf : buf.subarray(0, got);
  };
  close(): void {
    closeSync(this.fd);
  }
}

export interface OpenedArchive {
  archive: ArchiveReader;
  packFile: RangeFile;
  idxFile: RangeFile;
  close(): void;
}

/**
 * Opens ARCHIVE.pack and ARCHIVE.idx; a string says what is wrong (fs errors
 * are thrown as they are). The .idx must describe this pack (same checksum).
 */
export function openArchive(packPath: string, opts: { cacheBytes?: number } = {}): OpenedArchive | string {
  const idxPath = siblingPath(packPath, '.idx');
  const packFile = RangeFile.open(packPath);
  let idxFile: RangeFile;
  try {
    idxFile = RangeFile.open(idxPath);
  } catch (err) {
    packFile.close();
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return `${idxPath} is missing (run blaze pack index ${packPath})`;
    throw err;
  }
  const close = (): void => {
    packFile.close();
    idxFile.close();
  };
  const idx = IdxReader.open(idxFile.read, idxFile.size);
  if (typeof idx === 'string') {
    close();
    return `${idxPath}: ${idx}`;
  }
  const pack = PackReader.open(packFile.read, packFile.size, {
    cacheBytes: opts.cacheBytes,
    findOid: (oid) => {
      const k = idx.find(oid);
      return k === -1 ? undefined : idx.offsetAt(k);
    },
  });
  if (typeof pack === 'string') {
    close();
    return `${packPath}: ${pack}`;
  }
  if (!pack.checksum().equals(idx.packChecksum())) {
    close();
    return `${idxPath} does not describe ${packPath} (another pack's checksum; run blaze pack index ${packPath})`;
  }
  return { archive: new ArchiveReader(pack, idx), packFile, idxFile, close };
}
