// Stalwart mail-parser's header-field vectors (address, date, id, list,
// unstructured), read as they are. Each vector's `header` is a raw field value
// that may run past the end of the field; like the header decoder, we cut it
// at the first line break not followed by whitespace, keep the folds, and hand
// it to our parser. Our results are mapped to Stalwart's shapes (see `shape`).
// Every vector either matches or is listed with its reason in
// stalwart-fields.known-failures.json; an unlisted failure, or a listed
// vector that now passes, fails the test.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { addrSpec, isGroup, parseAddressList, type Mailbox } from '../../src/mime/address.ts';
import { parseDate } from '../../src/mime/date.ts';
import { parseMessageIds } from '../../src/mime/message-id.ts';
import { decodeTextList, decodeUnstructured } from '../../src/mime/unstructured.ts';

const DIR = fileURLToPath(new URL('../../../shared/conformance/mime/stalwart-mail-parser/', import.meta.url));
const KNOWN = JSON.parse(readFileSync(new URL('./stalwart-fields.known-failures.json', import.meta.url), 'utf8')) as {
  failures: Record<string, { header: string; reason: string }>;
};

interface Vector {
  header: string;
  expected: unknown;
}

/** The field value as the header decoder would give it: up to the end of the field, folds kept. */
export function fieldValue(header: string): string {
  const m = /\r?\n(?![ \t])/.exec(header);
  return m ? header.slice(0, m.index) : header;
}

function mailbox(m: Mailbox): { name: string | null; address: string | null } {
  // Stalwart shows a comment as the name when there is no display name.
  return { name: m.name ?? m.comment ?? null, address: addrSpec(m) || null };
}

const shape: Record<string, (value: string) => unknown> = {
  address(value) {
    const list = parseAddressList(value, { decode: true }).addresses;
    if (!list.some(isGroup)) return list.length ? { List: list.map((a) => mailbox(a as Mailbox)) } : null;
    // Stalwart puts runs of mailboxes outside a group into a group named null.
    const groups: Array<{ name: string | null; addresses: unknown[] }> = [];
    for (const a of list) {
      if (isGroup(a)) groups.push({ name: a.group, addresses: a.mailboxes.map(mailbox) });
      else {
        const last = groups[groups.length - 1];
        if (last && last.name === null) last.addresses.push(mailbox(a));
        else groups.push({ name: null, addresses: [mailbox(a)] });
      }
    }
    return { Group: groups };
  },
  date(value) {
    const d = parseDate(value);
    if (!d.ok) return null;
    const off = Math.abs(d.offsetMinutes);
    return {
      ...d.parts,
      tz_before_gmt: d.offsetMinutes < 0,
      tz_hour: Math.floor(off / 60),
      tz_minute: off % 60,
    };
  },
  id(value) {
    const ids = parseMessageIds(value);
    return ids.length ? ids : null;
  },
  list(value) {
    return decodeTextList(value);
  },
  unstructured(value) {
    return decodeUnstructured(value);
  },
};

describe('Stalwart header-field vectors', () => {
  const totals: string[] = [];
  for (const file of Object.keys(shape)) {
    it(`${file}.json matches except the listed known failures`, () => {
      const vectors = JSON.parse(readFileSync(`${DIR}${file}.json`, 'utf8')) as Vector[];
      const unexpected: string[] = [];
      const stale: string[] = [];
      let pass = 0;
      let known = 0;
      vectors.forEach((v, i) => {
        const key = `${file}#${i}`;
        const listed = KNOWN.failures[key];
        if (listed) {
          known++;
          expect(v.header.startsWith(listed.header), `known failure ${key} names another header`).toBe(true);
        }
        const got = shape[file](fieldValue(v.header));
        const same = JSON.stringify(got) === JSON.stringify(v.expected);
        if (same) {
          pass++;
          if (listed) stale.push(`${key}: passes now; remove it from the known failures`);
        } else if (!listed) {
          unexpected.push(`${key} ${JSON.stringify(v.header)}\n  expected ${JSON.stringify(v.expected)}\n  got      ${JSON.stringify(got)}`);
        }
      });
      totals.push(`${file}.json: ${pass}/${vectors.length} pass, ${known} known failures`);
      console.log(totals[totals.length - 1]);
      expect(unexpected).toEqual([]);
      expect(stale).toEqual([]);
      expect(pass + known).toBe(vectors.length);
    });
  }
});
