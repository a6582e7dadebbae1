// RFC 6376 §3.2 tag=value lists (DKIM-Signature, key records, ARC fields).
// Values keep their inner FWS (callers strip it where the grammar allows it,
// e.g. base64 in b=/bh=/p=); names are case-sensitive; a duplicate tag is an error.
import { err, ok, type Result } from '../result.ts';

export interface TagList {
  tags: Map<string, string>;
  /** Tag names in the order written (v= must come first in a key record). */
  order: string[];
}

/** `syntax`: not a tag-list (RFC 6376 §3.2); the message names the tag. */
export type TagListResult = Result<TagList, 'syntax'>;

const TAG_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Removes folding (CRLF before WSP) and trims WSP at both ends. */
function trimFws(s: string): string {
  return s.replace(/\r?\n(?=[ \t])/g, '').replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
}

export function parseTagList(text: string): TagListResult {
  const tags = new Map<string, string>();
  const order: string[] = [];
  const specs = text.split(';');
  // A trailing ';' (and FWS after it) is allowed.
  if (specs.length > 1 && trimFws(specs[specs.length - 1]) === '') specs.pop();
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    if (eq < 0) {
      if (trimFws(spec) === '' && specs.length === 1) break; // an empty list
      return err('syntax', `tag without '=': '${trimFws(spec).slice(0, 40)}'`);
    }
    const name = trimFws(spec.slice(0, eq));
    if (!TAG_NAME.test(name)) return err('syntax', `bad tag name '${name.slice(0, 40)}'`);
    if (tags.has(name)) return err('syntax', `duplicate tag '${name}'`);
    const value = trimFws(spec.slice(eq + 1));
    // tag-value: VALCHAR (%x21-3A / %x3C-7E) runs separated by FWS; allow 8-bit for robustness.
    if (/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(value)) return err('syntax', `control character in tag '${name}'`);
    tags.set(name, value);
    order.push(name);
  }
  return ok({ tags, order });
}

/** A base64 value with its FWS removed (b=, bh=, p=). */
export function stripFws(value: string): string {
  return value.replace(/[ \t\r\n]+/g, '');
}

/** Strict base64 check (after stripFws). */
export function isBase64(value: string): boolean {
  return /^[A-Za-z0-9+/]*={0,2}$/.test(value) && value.length % 4 === 0;
}
