// Writing key files (dkim gen): a private key goes only where no one else can
// read it. A new file is created 0600; an existing one must be a regular file
// of ours with one name, and its mode is narrowed to 0600 before a byte of
// the new key is written; a symbolic link is refused (O_NOFOLLOW also closes
// the race between the check and the open). `-` is standard output, which
// takes --force when it is a terminal.
import { closeSync, constants, fstatSync, fchmodSync, ftruncateSync, fsyncSync, lstatSync, openSync, writeSync } from 'node:fs';
import { BlazeError, describeFsError, usageError } from './errors.ts';
import { Output } from './io.ts';
import { stdoutIsTTY } from './stdout.ts';

export interface KeyFileNote {
  /** The mode the existing file had, when it was wider than 0600 and has been narrowed. */
  narrowedFrom?: number;
}

/** Writes a private key PEM to FILE (or stdout for `-`). */
export async function writePrivateKeyFile(file: string, pem: string, opts: { force?: boolean; command: string }): Promise<KeyFileNote> {
  if (file === '-') {
    if (stdoutIsTTY() && !opts.force) throw usageError('refusing to print a private key on a terminal (add --force, or give a file)');
    const out = new Output();
    await out.write(pem);
    await out.end();
    return {};
  }
  let existing: ReturnType<typeof lstatSync> | undefined;
  try {
    existing = lstatSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw describeFsError(file, err);
  }
  if (existing?.isSymbolicLink()) throw usageError(`${file}: is a symbolic link; refusing to write a private key through it`);
  if (existing && !existing.isFile()) throw usageError(`${file}: not a regular file`);
  if (existing && existing.nlink > 1) throw usageError(`${file}: has ${existing.nlink} names (hard links); refusing to write a private key into it`);
  let fd: number;
  try {
    fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') throw usageError(`${file}: is a symbolic link; refusing to write a private key through it`);
    throw describeFsError(file, err);
  }
  const note: KeyFileNote = {};
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw usageError(`${file}: not a regular file`);
    if (typeof process.getuid === 'function' && st.uid !== process.getuid()) throw usageError(`${file}: belongs to another user; refusing to write a private key into it`);
    if ((st.mode & 0o777) !== 0o600) {
      // narrowed before the old content goes and the key is written
      fchmodSync(fd, 0o600);
      if (st.mode & 0o077) note.narrowedFrom = st.mode & 0o777;
    }
    ftruncateSync(fd, 0);
    const b = Buffer.from(pem, 'latin1');
    for (let off = 0; off < b.length; ) off += writeSync(fd, b, off, b.length - off);
    fsyncSync(fd);
  } catch (err) {
    if (err instanceof BlazeError) throw err;
    throw describeFsError(file, err);
  } finally {
    closeSync(fd);
  }
  return note;
}

/** Writes a public key PEM to FILE (or stdout for `-`). */
export async function writePublicKeyFile(file: string, pem: string): Promise<void> {
  const out = new Output(file === '-' ? undefined : file);
  await out.write(pem);
  await out.end();
}
