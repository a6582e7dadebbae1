// Policy discovery. RFC 7489 §6.6.3: `_dmarc.<author domain>`, then
// `_dmarc.<organisational domain>` (from the PSL). RFC 9989 (DMARCbis) §4.10:
// the DNS tree walk, at most 8 queries, which also finds the organisational
// domain without the PSL (psd=y / psd=n / the shortest name with a record).
import type { Answer, Question } from '../dns/index.ts';
import { txtStrings, isTemporary } from '../dns/index.ts';
import { looksLikeDmarcRecord, parseDmarcRecord, isValidReportUri, type DmarcRecord } from './record.ts';
import { organizationalDomain } from './org-domain.ts';

export type Lookup =
  | { kind: 'record'; record: DmarcRecord; text: string; lenient?: string }
  | { kind: 'none' }
  | { kind: 'invalid'; message: string; text: string }
  | { kind: 'temperror'; message: string };

/** One `_dmarc.<domain>` query: the record if exactly one valid DMARC record is there. */
export function* lookupDmarc(domain: string): Generator<Question, Lookup, Answer> {
  const a = (yield { name: `_dmarc.${domain}`, type: 'TXT' }) as Answer<'TXT'>;
  if (!a.ok) return isTemporary(a) ? { kind: 'temperror', message: `_dmarc.${domain}: ${a.error}` } : { kind: 'none' };
  const texts = txtStrings(a).filter(looksLikeDmarcRecord);
  if (texts.length === 0) return { kind: 'none' };
  // More than one record: no DMARC (RFC 7489 §6.6.3 step 5).
  if (texts.length > 1) return { kind: 'none' };
  const p = parseDmarcRecord(texts[0]);
  if (p.ok) return { kind: 'record', record: p.record, text: texts[0] };
  // An invalid p/sp with a usable rua: act as p=none (RFC 7489 §6.6.3).
  if ((p.error === 'no-p' || p.error === 'bad-value') && p.rua.some(isValidReportUri)) {
    const fallback = parseDmarcRecord(`v=DMARC1; p=none; rua=${p.rua.join(',')}`);
    if (fallback.ok) return { kind: 'record', record: fallback.record, text: texts[0], lenient: p.message };
  }
  return { kind: 'invalid', message: p.message, text: texts[0] };
}

export interface Discovery {
  lookup: Lookup;
  /** The domain whose record applies (undefined when none was found). */
  policyDomain?: string;
  orgDomain: string;
}

/** RFC 7489 discovery. */
export function* discoverPolicy(fromDomain: string, orgOf: (d: string) => string = organizationalDomain): Generator<Question, Discovery, Answer> {
  const org = orgOf(fromDomain);
  const first = yield* lookupDmarc(fromDomain);
  if (first.kind !== 'none' || org === fromDomain) return { lookup: first, policyDomain: first.kind === 'none' ? undefined : fromDomain, orgDomain: org };
  const second = yield* lookupDmarc(org);
  return { lookup: second, policyDomain: second.kind === 'none' ? undefined : org, orgDomain: org };
}

/** The names the RFC 9989 tree walk visits: the name, then (after a jump to 7 labels when longer than 8) each parent. */
export function treeWalkNames(domain: string): string[] {
  let labels = domain.split('.').filter(Boolean);
  const names = [labels.join('.')];
  if (labels.length > 8) labels = labels.slice(labels.length - 7);
  else labels = labels.slice(1);
  while (labels.length >= 1) {
    names.push(labels.join('.'));
    labels = labels.slice(1);
  }
  return [...new Set(names)];
}

/**
 * RFC 9989 tree walk: the policy is the first record found from the author
 * domain upwards; the organisational domain is the first name with psd=n, the
 * name just below the first with psd=y, else the shortest name with a record.
 */
export function* treeWalk(fromDomain: string): Generator<Question, Discovery, Answer> {
  const names = treeWalkNames(fromDomain);
  const found: { name: string; lookup: Lookup }[] = [];
  let policy: { name: string; lookup: Lookup } | undefined;
  let org: string | undefined;
  for (let i = 0; i < names.length; i++) {
    const l = yield* lookupDmarc(names[i]);
    if (l.kind === 'temperror') return { lookup: l, orgDomain: fromDomain };
    if (l.kind === 'none') continue;
    policy ??= { name: names[i], lookup: l };
    if (l.kind !== 'record') continue;
    found.push({ name: names[i], lookup: l });
    if (l.record.psd === 'n') {
      org = names[i];
      break;
    }
    if (l.record.psd === 'y') {
      org = i > 0 ? names[i - 1] : names[i];
      break;
    }
  }
  org ??= found.length ? found[found.length - 1].name : fromDomain;
  if (!policy) return { lookup: { kind: 'none' }, orgDomain: org };
  return { lookup: policy.lookup, policyDomain: policy.name, orgDomain: org };
}
