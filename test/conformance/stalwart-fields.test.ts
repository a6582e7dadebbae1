// Stalwart mail-parser's header-field vectors (address, date, id, list,
// unstructured, content_type), read as they are. Each vector's `header` is a raw field value
// that may run past the end of the field; like the header decoder, we cut it
// at the first line break not followed by whitespace, keep the folds, and hand
// it to our parser. Our results are mapped to Stalwart's shapes (see `shape`).
// Every vector either matches or is listed with its reason in
// stalwart-fields.known-failures.json; an unlisted failure, a listed
// vector that now passes, or a key naming no vector, fails the test.
import { expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { addrSpec, isGroup, parseAddressList, type Mailbox } from '../../src/mime/address.ts';
import { parseDate } from '../../src/mime/date.ts';
import { parseMessageIds } from '../../src/mime/message-id.ts';
import { decodeTextList, decodeUnstructured } from '../../src/mime/unstructured.ts';
import { parseContentValue } from '../../src/mime/content-type.ts';
import { describeCorpus } from '../support/corpus.ts';
import { judgeKnownFailures, loadKnownFailures } from '../support/known-failures.ts';

const KNOWN = loadKnownFailures(new URL('./stalwart-fields.known-failures.json', import.meta.url));

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
  content_type(value) {
    const p = parseContentValue(value);
    if (!p) return null;
    // Stalwart lists an RFC 2231 language as a `<name>-language` attribute before the value.
    const attributes = p.params.flatMap(([k, v]) => (p.languages[k] ? [[`${k}-language`, p.languages[k]], [k, v]] : [[k, v]]));
    return { c_type: p.type, c_subtype: p.subtype ?? null, attributes: attributes.length ? attributes : null };
  },
};

/** Representation only: one content_type vector omits `attributes` where the others write null. */
const expectedShape: Record<string, (e: any) => unknown> = {
  content_type: (e) => e && { c_type: e.c_type, c_subtype: e.c_subtype, attributes: e.attributes ?? null },
};

describeCorpus('MIME header fields (Stalwart)', 'mime/stalwart-mail-parser/', 'Stalwart header-field vectors', (DIR) => {
  for (const file of Object.keys(shape)) {
    it(`${file}.json matches except the listed known failures`, () => {
      const vectors = JSON.parse(readFileSync(`${DIR}${file}.json`, 'utf8')) as Vector[];
      const outcomes = vectors.map((v, i) => {
        const id = `${file}#${i}`;
        const header = KNOWN.headers.get(id);
        if (header !== undefined) expect(v.header.startsWith(header), `known failure ${id} names another header`).toBe(true);
        const got = shape[file](fieldValue(v.header));
        const same = JSON.stringify(got) === JSON.stringify(expectedShape[file]?.(v.expected) ?? v.expected);
        return { id, ok: same, detail: `${JSON.stringify(v.header)}\n  expected ${JSON.stringify(v.expected)}\n  got      ${JSON.stringify(got)}` };
      });
      judgeKnownFailures(KNOWN, `${file}.json`, outcomes, `${file}#`);
    });
  }
});

// Every header field of every message of $BLAZE_CORPUS/mime, read by
// the header decoder and handed to the parser its name calls for: a value, never
// an exception. Date fields that do not parse are counted and must stay few.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { HeaderDecoder } from '../../src/mime/header-decoder.ts';
import { NewlineNormalizer } from '../../src/mime/newline.ts';
import { decodeHeaderBytes } from '../../src/mime/charset.ts';
import { formatAddress } from '../../src/mime/address.ts';


function messages(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return messages(p);
    return /\.(eml|txt|mbox)$/.test(n) && !/SOURCE|COPYING|LICENSE|EXPECTATIONS|summary|structure/i.test(n) ? [p] : [];
  });
}

describeCorpus('MIME', 'mime/', 'header fields of the conformance messages', (CORPUS) => {
  it('every field parses to a value', () => {
    const files = messages(CORPUS);
    expect(files.length).toBeGreaterThan(200);
    let fields = 0;
    const badDates: string[] = [];
    for (const file of files) {
      const norm = new NewlineNormalizer('auto');
      const dec = new HeaderDecoder();
      const data = readFileSync(file);
      const events = [...dec.push(norm.push(data.subarray(0, 1 << 20))), ...dec.push(norm.finish()), ...dec.finish()];
      for (const ev of events) {
        if (ev.type !== 'field') continue;
        fields++;
        const raw = ev.field.raw;
        const text = decodeHeaderBytes(raw.subarray(raw.indexOf(0x3a) + 1));
        const name = ev.field.name.toLowerCase();
        expect(typeof decodeUnstructured(text)).toBe('string');
        if (['from', 'to', 'cc', 'bcc', 'sender', 'reply-to'].includes(name)) {
          const r = parseAddressList(text, { decode: true });
          for (const a of r.addresses) expect(typeof formatAddress(a)).toBe('string');
        } else if (name === 'date') {
          const d = parseDate(text);
          if (!d.ok) badDates.push(`${file.slice(CORPUS.length)}: ${text.trim()}`);
        } else if (['message-id', 'references', 'in-reply-to'].includes(name)) {
          expect(Array.isArray(parseMessageIds(text))).toBe(true);
        }
      }
    }
    console.log(`conformance corpus: ${files.length} messages, ${fields} header fields, ${badDates.length} unreadable Date fields`);
    if (badDates.length) console.log(badDates.join('\n'));
    expect(fields).toBeGreaterThan(1500);
    expect(badDates.length).toBeLessThanOrEqual(2); // malformed/019.eml ("10:00:t") and rfc/001.eml ("Whenever")
  });
});
