// Policy discovery. RFC 7489 §6.6.3: `_dmarc.<author domain>`, then
// `_dmarc.<organisational domain>` (from the PSL). RFC 9989 (DMARCbis) §4.10:
// the DNS tree walk, at most 8 queries, which also finds the organisational
// domain without the PSL (psd=y / psd=n / the shortest name with a record).
// At either kind of discovery point, more than one DMARC record ends
// discovery: no DMARC processing (§6.6.3 steps 3 and 5: the walk goes on only
// when the set of records is empty).
import type { Answer, Question } from '../dns/index.ts';
import { txtStrings, isTemporary } from '../dns/index.ts';
import { looksLikeDmarcRecord, parseDmarcRecord, isValidReportUri, type DmarcRecord } from './record.ts';
import { organizationalDomain } from './org-domain.ts';

export type Lookup =
  | { kind: 'record'; record: DmarcRecord; text: string; warnings: string[]; lenient?: string }
  | { kind: 'none' }
  /** Several v=DMARC1 records at one name: discovery ends there. */
  | { kind: 'multiple'; name: string; count: number }
  | { kind: 'invalid'; message: string; text: string }
  | { kind: 'temperror'; message: string };

/** Lookups already made during one evaluation, by domain: a tree walk asks each name once. */
export type LookupCache = Map<string, Lookup>;

/** One `_dmarc.<domain>` query: the record if exactly one DMARC record is there. */
export function* lookupDmarc(domain: string, cache?: LookupCache): Generator<Question, Lookup, Answer> {
  const known = cache?.get(domain);
  if (known) return known;
  const l = yield* queryDmarc(domain);
  cache?.set(domain, l);
  return l;
}

function* queryDmarc(domain: string): Generator<Question, Lookup, Answer> {
  const a = (yield { name: `_dmarc.${domain}`, type: 'TXT' }) as Answer<'TXT'>;
  if (!a.ok) return isTemporary(a) ? { kind: 'temperror', message: `_dmarc.${domain}: ${a.error}` } : { kind: 'none' };
  const texts = txtStrings(a).filter(looksLikeDmarcRecord);
  if (texts.length === 0) return { kind: 'none' };
  if (texts.length > 1) return { kind: 'multiple', name: domain, count: texts.length };
  const p = parseDmarcRecord(texts[0]);
  if (p.ok) return { kind: 'record', record: p.record, text: texts[0], warnings: p.warnings };
  // An invalid p with a usable rua: act as p=none (RFC 7489 §6.6.3 step 6).
  if ((p.error === 'no-p' || p.error === 'bad-value') && p.rua.some(isValidReportUri)) {
    const fallback = parseDmarcRecord(`v=DMARC1; p=none; rua=${p.rua.join(',')}`);
    if (fallback.ok) return { kind: 'record', record: fallback.record, text: texts[0], warnings: [], lenient: p.message };
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
  const at = (l: Lookup, d: string): Discovery => ({ lookup: l, policyDomain: l.kind === 'none' || l.kind === 'multiple' ? undefined : d, orgDomain: org });
  const first = yield* lookupDmarc(fromDomain);
  if (first.kind !== 'none' || org === fromDomain) return at(first, fromDomain);
  return at(yield* lookupDmarc(org), org);
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

export type OrgDomainWalk = { ok: true; orgDomain: string } | { ok: false; message: string };

/**
 * RFC 9989 §4.10.2: the organisational domain of any name (author domain,
 * SPF or DKIM identifier) by the tree walk: the first name with psd=n; the name
 * one label below the first with psd=y; else the shortest name with a record;
 * else the name itself. Names with several records count as having none.
 */
export function* treeWalkOrgDomain(domain: string, cache: LookupCache = new Map()): Generator<Question, OrgDomainWalk, Answer> {
  const names = treeWalkNames(domain);
  const labels = names[0].split('.');
  let shortest: string | undefined;
  for (const name of names) {
    const l = yield* lookupDmarc(name, cache);
    if (l.kind === 'temperror') return { ok: false, message: l.message };
    if (l.kind !== 'record') continue;
    if (l.record.psd === 'n') return { ok: true, orgDomain: name };
    if (l.record.psd === 'y') {
      // One label below the PSD, counted in the original name (the walk may have jumped).
      const n = name.split('.').length;
      return { ok: true, orgDomain: n >= labels.length ? name : labels.slice(labels.length - n - 1).join('.') };
    }
    shortest = name;
  }
  return { ok: true, orgDomain: shortest ?? names[0] };
}

/**
 * RFC 9989 tree walk: the policy is the first record found from the author
 * domain upwards (several records at a name end the walk with none); the
 * organisational domain comes from treeWalkOrgDomain over the same answers.
 */
export function* treeWalk(fromDomain: string, cache: LookupCache = new Map()): Generator<Question, Discovery, Answer> {
  let policy: { name: string; lookup: Lookup } | undefined;
  for (const name of treeWalkNames(fromDomain)) {
    const l = yield* lookupDmarc(name, cache);
    if (l.kind === 'none') continue;
    if (l.kind === 'temperror' || l.kind === 'multiple') return { lookup: l, orgDomain: fromDomain };
    policy = { name, lookup: l };
    break;
  }
  const org = yield* treeWalkOrgDomain(fromDomain, cache);
  if (!org.ok) return { lookup: { kind: 'temperror', message: org.message }, orgDomain: fromDomain };
  if (!policy) return { lookup: { kind: 'none' }, orgDomain: org.orgDomain };
  return { lookup: policy.lookup, policyDomain: policy.name, orgDomain: org.orgDomain };
}
