// Loads the OpenSPF-format YAML suites ($BLAZE_CORPUS/spf) and turns a
// scenario's zonedata into DNS answers with the driver rules of SOURCE.md:
// TIMEOUT times out the types not listed above it, SPF-type records are served
// as TXT where the name has no TXT (unless `TXT: NONE`), CNAME is followed,
// unknown names are NXDOMAIN. Shared by the conformance runner and the pyspf
// interop test.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { Answer, Question, RRType } from '../../src/dns/index.ts';

export interface SuiteTest {
  id: string;
  name: string;
  scenario: number;
  helo: string;
  host: string;
  mailfrom: string;
  results: string[];
  explanation?: string;
  receiver?: string;
  header?: string;
}

export type ZoneEntry = { type: string; value: unknown } | 'TIMEOUT';

export interface Scenario {
  index: number;
  description: string;
  zonedata: Record<string, ZoneEntry[]>;
  tests: SuiteTest[];
}

/** `dir` is the suite's directory ($BLAZE_CORPUS/spf/, see test/support/corpus.ts). */
export function loadSuite(dir: string, file: string): Scenario[] {
  const text = readFileSync(`${dir}${file}`, 'utf8');
  const docs = parseAllDocuments(text);
  const out: Scenario[] = [];
  docs.forEach((doc, index) => {
    const js = (Array.isArray(doc) ? undefined : doc.toJS()) as
      | { description?: string; comment?: string; tests?: Record<string, Record<string, unknown>>; zonedata?: Record<string, unknown[]> }
      | undefined;
    if (!js || !js.tests) return;
    const zonedata: Record<string, ZoneEntry[]> = {};
    for (const [name, list] of Object.entries(js.zonedata ?? {})) {
      zonedata[name] = (list ?? []).map((e) => (e === 'TIMEOUT' ? 'TIMEOUT' : { type: Object.keys(e as object)[0], value: Object.values(e as object)[0] }));
    }
    const tests: SuiteTest[] = Object.entries(js.tests).map(([name, t]) => ({
      id: `${file.replace(/\.yml$/, '')}:${name}`,
      name,
      scenario: index,
      helo: String(t.helo ?? ''),
      host: String(t.host),
      mailfrom: String(t.mailfrom ?? ''),
      results: Array.isArray(t.result) ? (t.result as string[]).map(String) : [String(t.result)],
      explanation: t.explanation === undefined ? undefined : String(t.explanation),
      receiver: t.receiver === undefined ? undefined : String(t.receiver),
      header: t.header === undefined ? undefined : String(t.header),
    }));
    out.push({ index, description: String(js.description ?? js.comment ?? `scenario ${index}`).trim(), zonedata, tests });
  });
  return out;
}

function norm(name: string): string {
  return (name.endsWith('.') ? name.slice(0, -1) : name).toLowerCase();
}

/** Records per normalised name and type, with the TIMEOUT rule and the SPF-as-TXT copy applied. */
export interface ZoneName {
  records: Map<string, unknown[]>;
  /** Types that time out (all types not listed above TIMEOUT). */
  timeoutExcept?: Set<string>;
  cname?: string;
}

export function buildZone(zonedata: Record<string, ZoneEntry[]>): Map<string, ZoneName> {
  const zone = new Map<string, ZoneName>();
  for (const [rawName, entries] of Object.entries(zonedata)) {
    const z: ZoneName = { records: new Map() };
    let txtNone = false;
    const seen = new Set<string>();
    for (const e of entries) {
      if (e === 'TIMEOUT') {
        z.timeoutExcept = new Set(seen);
        continue;
      }
      if (e.type === 'TXT' && e.value === 'NONE') {
        txtNone = true; // no TXT record: not an answered type for TIMEOUT either
        continue;
      }
      seen.add(e.type);
      if (e.type === 'CNAME') {
        z.cname = String(e.value ?? '');
        continue;
      }
      const list = z.records.get(e.type) ?? [];
      list.push(e.value);
      z.records.set(e.type, list);
    }
    if (!txtNone && !z.records.has('TXT') && z.records.has('SPF')) {
      z.records.set('TXT', z.records.get('SPF')!);
      if (z.timeoutExcept?.has('SPF')) z.timeoutExcept.add('TXT');
    }
    zone.set(norm(rawName), z);
  }
  return zone;
}

/** Answers a question from a built zone (synchronously, for runSync). */
export function answerFrom(zone: Map<string, ZoneName>, q: Question): Answer {
  let name = norm(q.name);
  for (let hops = 0; hops <= 10; hops++) {
    const z = zone.get(name);
    if (!z) return { ok: false, type: q.type, error: 'nxdomain' };
    if (z.timeoutExcept && !z.timeoutExcept.has(q.type)) return { ok: false, type: q.type, error: 'timeout' };
    if (z.cname !== undefined) {
      if (z.cname === '') return { ok: false, type: q.type, error: 'nxdomain' };
      name = norm(z.cname);
      continue;
    }
    const data = z.records.get(q.type);
    if (!data || data.length === 0) return { ok: false, type: q.type, error: 'nodata' };
    return { ok: true, type: q.type, records: data.map((v) => convert(q.type, v)) } as Answer;
  }
  return { ok: false, type: q.type, error: 'servfail', message: 'CNAME loop' };
}

function convert(type: RRType, v: unknown): unknown {
  switch (type) {
    case 'TXT':
      return Array.isArray(v) ? v.map(String) : [String(v)];
    case 'MX': {
      const [pref, host] = v as [number, string];
      return { preference: Number(pref), exchange: norm(String(host ?? '')) };
    }
    case 'PTR':
      return norm(String(v));
    default:
      return String(v);
  }
}
