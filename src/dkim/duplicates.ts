// Unsigned copies of signed fields (RFC 6376 §8.15). A signature covers the
// bottom-most instances of each name in h= (§5.4.2), so a From or Subject
// added on top of a signed message leaves the signature valid while a mail
// reader shows the added one. For the fields RFC 5322 §3.6 allows at most
// once, an instance the signature does not cover, beside one it does, is
// such an attack: the verifier says so and fails the signature (the
// "treat as fail" of §8.15) unless asked for the bare RFC 6376 result.
import type { RawField } from '../mime/header-decoder.ts';
import { selectHeaders } from './select.ts';

/** RFC 5322 §3.6, the "Max number" column: fields that may appear at most once (orig-date is Date). */
export const ONCE_ONLY_FIELDS: ReadonlySet<string> = new Set([
  'from',
  'sender',
  'reply-to',
  'to',
  'cc',
  'bcc',
  'message-id',
  'in-reply-to',
  'references',
  'subject',
  'date',
]);

/** An instance of a once-only field that the signature does not cover. */
export interface UnsignedField {
  /** The name as written in the message. */
  name: string;
  /** Its 1-based line. */
  line: number;
}

/**
 * The instances of once-only fields that a signature with h=NAMES leaves
 * unsigned although it signs that field name; in header order.
 */
export function unsignedDuplicates(fields: readonly RawField[], names: readonly string[]): UnsignedField[] {
  const signedNames = new Set(names.map((n) => n.toLowerCase()).filter((n) => ONCE_ONLY_FIELDS.has(n)));
  if (signedNames.size === 0) return [];
  const covered = new Set(selectHeaders(fields, names).filter((f) => f !== undefined));
  const out: UnsignedField[] = [];
  for (const f of fields) {
    if (signedNames.has(f.name.toLowerCase()) && !covered.has(f)) out.push({ name: f.name, line: f.line });
  }
  return out;
}

/** The reason a signature fails for its unsigned duplicates: names each field and its line. */
export function unsignedDuplicatesReason(list: readonly UnsignedField[]): string {
  const items = list.slice(0, 5).map((u) => `${u.name} at line ${u.line}`);
  if (list.length > 5) items.push(`${list.length - 5} more`);
  return `unsigned duplicate of a signed field: ${items.join(', ')} (RFC 6376 §8.15)`;
}
