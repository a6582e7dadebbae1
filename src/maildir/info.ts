// The info part of a Maildir file name (maildir(5), Courier's extension):
// `<unique>:2,<flags>`, flags one letter each in ASCII order. The standard
// ones are D (draft), F (flagged), P (passed), R (replied), S (seen),
// T (trashed); others (Dovecot keywords a-z, private letters) are kept as they are.
import { err, ok, type Result } from '../result.ts';

/** The separator between the unique name and the info (`:` everywhere but Windows, where Maildir is rarely used). */
export const INFO_SEPARATOR = ':';

export const STANDARD_FLAGS = {
  D: 'draft',
  F: 'flagged',
  P: 'passed',
  R: 'replied',
  S: 'seen',
  T: 'trashed',
} as const;

export type StandardFlag = keyof typeof STANDARD_FLAGS;

export interface ParsedFileName {
  /** The unique part, without the info. */
  unique: string;
  /** The info after the separator (`2,FS`), or undefined when the name has none. */
  info?: string;
  /** The flags when the info is experimental-semantics `2,` (sorted, deduplicated); '' otherwise. */
  flags: string;
}

/** Splits a file name into its unique part and its info. */
export function parseFileName(file: string): ParsedFileName {
  const i = file.indexOf(INFO_SEPARATOR);
  if (i === -1) return { unique: file, flags: '' };
  const info = file.slice(i + 1);
  return { unique: file.slice(0, i), info, flags: info.startsWith('2,') ? normalizeFlags(info.slice(2)) : '' };
}

/** Flags sorted in ASCII order, each once. */
export function normalizeFlags(flags: string): string {
  return [...new Set(flags)].sort().join('');
}

/** The file name for a unique part and a set of flags (`unique:2,FS`). */
export function fileNameWithFlags(unique: string, flags: string): string {
  return `${unique}${INFO_SEPARATOR}2,${normalizeFlags(flags)}`;
}

/**
 * Applies changes like `+S`, `-T`, `+FR`, `-ST` to a set of flags.
 * Returns an error value for anything that is not a +/- followed by flag letters.
 */
/** The flags after CHANGES (+LETTERS, -LETTERS), normalised; `syntax` for a change of another shape. */
export function applyFlagChanges(flags: string, changes: string[]): Result<string, 'syntax'> {
  const set = new Set(flags);
  for (const change of changes) {
    const m = /^([+-])([\x21-\x7e]+)$/.exec(change);
    if (!m || /[,:/]/.test(m[2])) return err('syntax', `bad flag change '${change}' (expected +LETTERS or -LETTERS, e.g. +S -T)`);
    for (const letter of m[2]) {
      if (m[1] === '+') set.add(letter);
      else set.delete(letter);
    }
  }
  return ok(normalizeFlags([...set].join('')));
}
