// One message as the web inbox lists it: from, to, subject, date, size,
// attachments, the SPF/DKIM/DMARC verdicts of this receiver's
// Authentication-Results (RFC 8601) when the message carries one, the read
// flag. Built from a Structure (src/web/structure.ts) and the Maildir entry;
// no I/O here.
import { fieldValue, type RawField } from '../mime/header-decoder.ts';
import { decodeHeaderBytes } from '../mime/charset.ts';
import { decodeUnstructured } from '../mime/unstructured.ts';
import { parseAddressList, flattenAddresses, addrSpec } from '../mime/address.ts';
import { parseDate, formatDateIso } from '../mime/date.ts';
import { parseMessageId } from '../mime/message-id.ts';
import { parseAuthResultsLenient } from '../authres/index.ts';
import type { Structure } from './structure.ts';
import type { Searchable } from './query.ts';

export interface Person {
  name: string;
  address: string;
}

export type Verdict = string | null;

export interface AuthVerdicts {
  /** The authserv-id of the field the verdicts come from. */
  by: string;
  spf: Verdict;
  dkim: Verdict;
  dmarc: Verdict;
}

export interface Summary {
  id: string;
  folder: 'new' | 'cur';
  flags: string;
  read: boolean;
  size: number;
  /** When the message arrived in the Maildir (ISO 8601, UTC). */
  received: string;
  /** The Date field in its own zone, or null when missing or unreadable. */
  date: string | null;
  from: Person | null;
  to: Person[];
  cc: Person[];
  subject: string;
  messageId: string | null;
  attachments: number;
  auth: AuthVerdicts | null;
  /** Why the message may not show as intended (malformed parts, unreadable file). */
  warnings: string[];
}

/** Recipients kept per field in a summary (the rest are counted in the headers view). */
const MAX_PEOPLE = 50;

function value(fields: RawField[], name: string): string | undefined {
  const f = fields.find((x) => x.name.toLowerCase() === name);
  return f ? decodeHeaderBytes(fieldValue(f.raw)) : undefined;
}

function people(v: string | undefined): Person[] {
  if (v === undefined) return [];
  const r = parseAddressList(v, { decode: true });
  return flattenAddresses(r.addresses)
    .slice(0, MAX_PEOPLE)
    .map((m) => ({ name: m.name ?? '', address: addrSpec(m) }));
}

/**
 * The verdicts of the first Authentication-Results field, when its
 * authserv-id is one this inbox trusts (RFC 8601 §5: a field naming another
 * server, or one the sender wrote, says nothing). blaze srv --verify writes
 * its field above the message, so the first one is the receiver's own.
 */
export function authVerdicts(fields: RawField[], trusted: readonly string[]): AuthVerdicts | null {
  const v = value(fields, 'authentication-results');
  if (v === undefined) return null;
  const r = parseAuthResultsLenient(v.replace(/\r\n/g, ''));
  if (!r.ok) return null;
  const id = r.value.authservId.toLowerCase();
  if (!trusted.some((t) => t.toLowerCase() === id)) return null;
  const pick = (method: string): Verdict => {
    const rs = r.value.results.filter((x) => x.method === method).map((x) => x.result);
    if (!rs.length) return null;
    // Several DKIM signatures: one that passes is what DMARC and a reader go by.
    return rs.includes('pass') ? 'pass' : rs[0];
  };
  return { by: r.value.authservId, spf: pick('spf'), dkim: pick('dkim'), dmarc: pick('dmarc') };
}

export interface EntryInfo {
  id: string;
  folder: 'new' | 'cur';
  flags: string;
  size: number;
  receivedMs: number;
}

export function summarize(e: EntryInfo, s: Structure, trusted: readonly string[]): Summary {
  const f = s.fields;
  const dateText = value(f, 'date');
  const date = dateText !== undefined ? parseDate(dateText) : undefined;
  const from = people(value(f, 'from'))[0] ?? null;
  const mid = value(f, 'message-id');
  const warnings = s.warnings.map((w) => (w.part === '0' ? w.message : `part ${w.part}: ${w.message}`));
  if (!f.length) warnings.unshift('no header field (not a message?)');
  return {
    id: e.id,
    folder: e.folder,
    flags: e.flags,
    read: e.flags.includes('S'),
    size: e.size,
    received: new Date(e.receivedMs).toISOString(),
    date: date?.ok ? formatDateIso(date) : null,
    from,
    to: people(value(f, 'to')),
    cc: people(value(f, 'cc')),
    subject: decodeUnstructured(value(f, 'subject') ?? '').replace(/\s+/g, ' ').trim(),
    messageId: mid !== undefined ? (parseMessageId(mid) ?? null) : null,
    attachments: s.attachments,
    auth: authVerdicts(f, trusted),
    warnings: warnings.slice(0, 10),
  };
}

/** A summary for a file that could not be read: listed, with why. */
export function unreadable(e: EntryInfo, why: string): Summary {
  return {
    id: e.id, folder: e.folder, flags: e.flags, read: e.flags.includes('S'), size: e.size,
    received: new Date(e.receivedMs).toISOString(), date: null, from: null, to: [], cc: [], subject: '',
    messageId: null, attachments: 0, auth: null, warnings: [why],
  };
}

const personText = (p: Person): string => `${p.name} ${p.address}`;

/** The lower-cased strings and facts the search predicates look at. */
export function searchable(s: Summary): Searchable {
  const dateMs = s.date ? Date.parse(s.date) : NaN;
  return {
    from: s.from ? personText(s.from).toLowerCase() : '',
    to: [...s.to, ...s.cc].map(personText).join(' ').toLowerCase(),
    subject: s.subject.toLowerCase(),
    unread: !s.read,
    attachments: s.attachments,
    epochMs: Number.isNaN(dateMs) ? Date.parse(s.received) : dateMs,
  };
}
