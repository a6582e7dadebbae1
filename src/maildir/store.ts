// Reading and changing a Maildir written by anyone (blaze, mblaze, Python's
// mailbox, exim, dovecot): listing new/ and cur/ as a stream, finding a message
// by name, moving new/ -> cur/ with flags, changing flags, removing.
import { opendir, rename, unlink, stat, open } from 'node:fs/promises';
import { opendirSync } from 'node:fs';
import { join, basename } from 'node:path';
import { parseFileName, fileNameWithFlags, applyFlagChanges, INFO_SEPARATOR } from './info.ts';
import { err, ok, type Result } from '../result.ts';

export type Folder = 'new' | 'cur';

export interface MaildirEntry {
  folder: Folder;
  /** The file name in its folder (unique part plus info). */
  file: string;
  /** The unique part: what identifies the message whatever its flags or folder. */
  name: string;
  flags: string;
  /** The info part as found (`2,S`), if any. */
  info?: string;
  path: string;
}

function entry(dir: string, folder: Folder, file: string): MaildirEntry {
  const p = parseFileName(file);
  return { folder, file, name: p.unique, flags: p.flags, info: p.info, path: join(dir, folder, file) };
}

/** The messages of one folder, streamed from the directory (never the whole listing in memory). */
export async function* listFolder(dir: string, folder: Folder): AsyncGenerator<MaildirEntry> {
  const d = await opendir(join(dir, folder), { bufferSize: 256 });
  for await (const dirent of d) {
    if (dirent.name.startsWith('.')) continue; // maildir(5): dot files are not messages
    if (dirent.isDirectory()) continue;
    yield entry(dir, folder, dirent.name);
  }
}

/**
 * The messages of one folder in batches, in directory order, read with
 * blocking calls: one await per batch instead of several per message (a
 * 100,000-message listing spent a second in promise hops).
 */
export async function* listFolderBatches(dir: string, folder: Folder, size = 512): AsyncGenerator<MaildirEntry[]> {
  const d = opendirSync(join(dir, folder), { bufferSize: 256 });
  try {
    let batch: MaildirEntry[] = [];
    for (let dirent = d.readSync(); dirent !== null; dirent = d.readSync()) {
      if (dirent.name.startsWith('.') || dirent.isDirectory()) continue;
      batch.push(entry(dir, folder, dirent.name));
      if (batch.length >= size) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length) yield batch;
  } finally {
    d.closeSync();
  }
}

/** new/ then cur/ (or the given folders). */
export async function* listMaildir(dir: string, folders: Folder[] = ['new', 'cur']): AsyncGenerator<MaildirEntry> {
  for (const f of folders) yield* listFolder(dir, f);
}

/** `not-found`: no message of that unique name, file name or path in new/ or cur/. */
export type FindResult = Result<MaildirEntry, 'not-found'>;

/**
 * Finds a message by its unique name, its file name (with info) or a path
 * ending in new/FILE or cur/FILE. Direct stats first; a scan only when the
 * flags in the name given do not match the file's.
 */
export async function findMessage(dir: string, nameOrPath: string): Promise<FindResult> {
  const file = basename(nameOrPath);
  if (!file || file === '.' || file === '..') return err('not-found', `no message '${nameOrPath}'`);
  const unique = parseFileName(file).unique;
  const parent = basename(nameOrPath.slice(0, Math.max(0, nameOrPath.length - file.length - 1)));
  const folders: Folder[] = parent === 'cur' ? ['cur', 'new'] : ['new', 'cur'];
  for (const folder of folders) {
    for (const candidate of new Set([file, unique, fileNameWithFlags(unique, '')])) {
      try {
        if ((await stat(join(dir, folder, candidate))).isFile()) return ok(entry(dir, folder, candidate));
      } catch {
        /* not this one */
      }
    }
  }
  for (const folder of folders) {
    for await (const e of listFolder(dir, folder)) if (e.name === unique) return ok(e);
  }
  return err('not-found', `no message '${nameOrPath}'`);
}

/** Renames a message to a folder and flag set; returns the new entry. */
async function moveTo(dir: string, e: MaildirEntry, folder: Folder, flags: string): Promise<MaildirEntry> {
  const file = fileNameWithFlags(e.name, flags);
  const target = join(dir, folder, file);
  if (target !== e.path) await rename(e.path, target);
  return entry(dir, folder, file);
}

/** Moves a message from new/ to cur/ adding the given flags (maildir(5) "the message has been seen by a reader"). */
export async function commitMessage(dir: string, e: MaildirEntry, addFlags = ''): Promise<MaildirEntry> {
  return moveTo(dir, e, 'cur', e.flags + addFlags);
}

/** Applies +X/-X changes to a message's flags; the message stays in its folder. */
export async function changeFlags(
  dir: string,
  e: MaildirEntry,
  changes: string[],
): Promise<Result<MaildirEntry, 'syntax'>> {
  const r = applyFlagChanges(e.flags, changes);
  if (!r.ok) return r;
  // A file in new/ without info keeps its bare name when no flag is set.
  if (e.folder === 'new' && r.value === '' && e.info === undefined) return ok(e);
  return ok(await moveTo(dir, e, e.folder, r.value));
}

export async function removeMessage(e: MaildirEntry): Promise<void> {
  await unlink(e.path);
}

/** Opens a message for reading (the caller streams it). */
export async function openMessage(e: MaildirEntry) {
  return open(e.path, 'r');
}

export { INFO_SEPARATOR };
