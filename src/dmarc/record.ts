// DMARC policy records (RFC 7489 §6.3, RFC 9989 adds np, psd and t; drops pct,
// rf and ri, which are still read here). Unknown tags are ignored; a bad value
// of a known tag makes the record invalid (OpenDMARC's outcomes), and the
// caller applies RFC 7489 §6.6.3 (act as p=none when rua has a valid URI).
import { parseTagList } from '../dkim/index.ts';

export type DmarcPolicy = 'none' | 'quarantine' | 'reject';

export interface DmarcRecord {
  p: DmarcPolicy;
  sp?: DmarcPolicy;
  np?: DmarcPolicy;
  adkim: 'r' | 's';
  aspf: 'r' | 's';
  pct: number;
  fo: string[];
  rua: string[];
  ruf: string[];
  rf: string[];
  ri: number;
  /** RFC 9989 t=y: testing mode (like pct=0 for the disposition). */
  testing: boolean;
  /** RFC 9989 psd=y|n|u. */
  psd: 'y' | 'n' | 'u';
}

export type DmarcRecordError = 'empty' | 'bad-version' | 'bad-value' | 'no-p' | 'syntax';

export type DmarcRecordParse =
  | { ok: true; record: DmarcRecord }
  | { ok: false; error: DmarcRecordError; message: string; rua: string[] };

const POLICIES = new Set(['none', 'quarantine', 'reject']);

function uriList(v: string): string[] {
  return v
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
}

/** A reporting URI that could be used: mailto: with an address (RFC 7489 §6.2). */
export function isValidReportUri(u: string): boolean {
  return /^mailto:[^@\s]+@[^@\s!]+(![0-9]+[kmgt]?)?$/i.test(u);
}

/** Is this TXT string a DMARC record at all (RFC 7489 §6.6.3: starts with v=DMARC1)? */
export function looksLikeDmarcRecord(txt: string): boolean {
  return /^v[ \t]*=[ \t]*DMARC1[ \t]*(;|$)/.test(txt);
}

export function parseDmarcRecord(text: string): DmarcRecordParse {
  const fail = (error: DmarcRecordError, message: string, rua: string[] = []): DmarcRecordParse => ({ ok: false, error, message, rua });
  if (text.trim() === '') return fail('empty', 'empty record');
  const parsed = parseTagList(text);
  if (!parsed.ok) return fail('syntax', parsed.error);
  const { tags, order } = parsed;
  if (order[0] !== 'v' || tags.get('v') !== 'DMARC1') return fail('bad-version', 'the record does not start with v=DMARC1');
  const rua = uriList(tags.get('rua') ?? '');
  const bad = (tag: string) => fail('bad-value', `bad value ${tag}=${tags.get(tag)}`, rua);
  const policy = (tag: string): DmarcPolicy | undefined | null => {
    const v = tags.get(tag);
    if (v === undefined) return undefined;
    const l = v.toLowerCase();
    return POLICIES.has(l) ? (l as DmarcPolicy) : null;
  };
  const p = policy('p');
  if (p === null) return bad('p');
  const sp = policy('sp');
  if (sp === null) return bad('sp');
  const np = policy('np');
  if (np === null) return bad('np');
  const mode = (tag: string): 'r' | 's' | null => {
    const v = (tags.get(tag) ?? 'r').toLowerCase();
    return v === 'r' || v === 's' ? v : null;
  };
  const adkim = mode('adkim');
  if (adkim === null) return bad('adkim');
  const aspf = mode('aspf');
  if (aspf === null) return bad('aspf');
  let pct = 100;
  if (tags.has('pct')) {
    const v = tags.get('pct')!;
    if (!/^\d{1,3}$/.test(v) || Number(v) > 100) return bad('pct');
    pct = Number(v);
  }
  let ri = 86400;
  if (tags.has('ri')) {
    const v = tags.get('ri')!;
    if (!/^\d{1,10}$/.test(v)) return bad('ri');
    ri = Number(v);
  }
  const rf = (tags.get('rf') ?? 'afrf').split(':').map((x) => x.trim().toLowerCase());
  if (rf.some((x) => x !== 'afrf' && x !== 'iodef')) return bad('rf');
  const fo = (tags.get('fo') ?? '0').split(':').map((x) => x.trim().toLowerCase());
  if (fo.some((x) => !['0', '1', 'd', 's'].includes(x))) return bad('fo');
  const t = (tags.get('t') ?? 'n').toLowerCase();
  if (t !== 'y' && t !== 'n') return bad('t');
  const psd = (tags.get('psd') ?? 'u').toLowerCase();
  if (psd !== 'y' && psd !== 'n' && psd !== 'u') return bad('psd');
  if (p === undefined) return fail('no-p', 'no p= tag', rua);
  return {
    ok: true,
    record: { p, sp, np, adkim, aspf, pct, fo, rua, ruf: uriList(tags.get('ruf') ?? ''), rf, ri, testing: t === 'y', psd: psd as 'y' | 'n' | 'u' },
  };
}
