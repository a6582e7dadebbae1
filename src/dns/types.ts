// DNS questions and answers as plain data. Evaluators (SPF, DKIM, DMARC, ARC)
// yield a Question and receive an Answer; they never do I/O themselves.

export type RRType = 'TXT' | 'A' | 'AAAA' | 'MX' | 'PTR';

export interface Question {
  name: string; // a domain name without the trailing dot
  type: RRType;
}

export interface MxRecord {
  preference: number;
  exchange: string;
}

/** The record data per type: TXT records keep their character-strings. */
export interface RecordTypes {
  TXT: string[]; // one record = its <character-string>s, to be concatenated
  A: string;
  AAAA: string;
  MX: MxRecord;
  PTR: string;
}

/**
 * Why a lookup produced no records. `nxdomain` (the name does not exist) and
 * `nodata` (it exists, no record of that type) are distinct, as SPF's void
 * lookup rule and DMARC's discovery need; `timeout` and `servfail` are
 * temporary; `refused`/`malformed` are failures of the server.
 */
export type DnsErrorKind = 'nxdomain' | 'nodata' | 'timeout' | 'servfail' | 'refused' | 'malformed';

export type Answer<T extends RRType = RRType> =
  | { ok: true; type: T; records: RecordTypes[T][] }
  | { ok: false; type: T; error: DnsErrorKind; message?: string };

/** Temporary errors: the answer may differ if asked again later. */
export function isTemporary(a: Answer): boolean {
  return !a.ok && (a.error === 'timeout' || a.error === 'servfail' || a.error === 'refused' || a.error === 'malformed');
}

/** TXT records as strings: each record's character-strings concatenated (RFC 7208 §3.3, RFC 6376 §3.6.2.2). */
export function txtStrings(a: Answer<'TXT'>): string[] {
  return a.ok ? a.records.map((r) => r.join('')) : [];
}

export interface Resolver {
  resolve<T extends RRType>(q: { name: string; type: T }): Promise<Answer<T>>;
}

/** Normalises a name for lookup and comparison: lower case, no trailing dot. */
export function normalizeName(name: string): string {
  const n = name.endsWith('.') ? name.slice(0, -1) : name;
  return n.toLowerCase();
}
