// An in-memory zone for tests and conformance runners: names map to records
// per type, or to 'TIMEOUT' (every question about the name times out).
import type { Answer, MxRecord, RRType, Resolver } from './types.ts';
import { normalizeName } from './types.ts';

export interface MemoryRecords {
  /** Either records as lists of character-strings, or one string per record. */
  TXT: Array<string | string[]>;
  A: string[];
  AAAA: string[];
  MX: MxRecord[];
  PTR: string[];
}

export type MemoryZone = Record<string, Partial<MemoryRecords> | 'TIMEOUT' | 'SERVFAIL'>;

/** Synchronous answer from a zone: nxdomain for an absent name, nodata for an absent type. */
export function answerFromZone<T extends RRType>(zone: MemoryZone, q: { name: string; type: T }): Answer<T> {
  const want = normalizeName(q.name);
  let entry: MemoryZone[string] | undefined;
  for (const [k, v] of Object.entries(zone)) {
    if (normalizeName(k) === want) {
      entry = v;
      break;
    }
  }
  if (entry === undefined) return { ok: false, type: q.type, error: 'nxdomain' };
  if (entry === 'TIMEOUT') return { ok: false, type: q.type, error: 'timeout' };
  if (entry === 'SERVFAIL') return { ok: false, type: q.type, error: 'servfail' };
  const data = entry[q.type];
  if (!data || data.length === 0) return { ok: false, type: q.type, error: 'nodata' };
  const records = q.type === 'TXT' ? (data as Array<string | string[]>).map((r) => (typeof r === 'string' ? [r] : [...r])) : [...data];
  return { ok: true, type: q.type, records } as Answer<T>;
}

export function memoryResolver(zone: MemoryZone): Resolver {
  return {
    async resolve<T extends RRType>(q: { name: string; type: T }): Promise<Answer<T>> {
      return answerFromZone(zone, q);
    },
  };
}
