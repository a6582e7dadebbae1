// DMARC evaluation (RFC 7489 §6.6, RFC 9989 options): discovery, SPF and DKIM
// identifier alignment, the policy that applies (p, sp, np) and the
// disposition after pct sampling. The sample is an input (0..99), so results
// are deterministic in tests; the CLI draws it at random.
import type { Answer, Question } from '../dns/index.ts';
import { isAligned } from './align.ts';
import { discoverPolicy, treeWalk, treeWalkOrgDomain, type Discovery, type LookupCache } from './discover.ts';
import { normalizeDomain, organizationalDomain } from './org-domain.ts';
import type { DmarcPolicy, DmarcRecord } from './record.ts';

export type DmarcStatus = 'pass' | 'fail' | 'none' | 'temperror' | 'permerror';

export interface DmarcInput {
  fromDomain: string;
  spf?: { result: string; domain: string };
  dkim: { status: string; domain: string; selector?: string }[];
  /** 0..99; the message is subject to the policy when sample < pct. Default 0 (always). */
  sample?: number;
  /** RFC 9989 DNS tree walk instead of the PSL. */
  treeWalk?: boolean;
}

export interface DmarcResult {
  status: DmarcStatus;
  reason?: string;
  fromDomain: string;
  policyDomain?: string;
  orgDomain: string;
  record?: DmarcRecord;
  /** The policy that applies to this message (p, sp or np). */
  policy?: DmarcPolicy;
  /** What to do: the policy after pct sampling (or none on pass). */
  disposition: DmarcPolicy;
  /** pct < 100 and the message fell outside the sample: the disposition was lowered. */
  sampledOut?: boolean;
  spfAligned: boolean;
  dkimAligned: boolean;
  /** The domain of the DKIM signature that aligned, if any. */
  dkimDomain?: string;
  /** Optional tags of the record that were ignored (RFC 7489 §6.3: their defaults applied). */
  warnings?: string[];
}

function lower(p: DmarcPolicy): DmarcPolicy {
  return p === 'reject' ? 'quarantine' : 'none';
}

export function* evaluateDmarc(input: DmarcInput): Generator<Question, DmarcResult, Answer> {
  const from = input.fromDomain.toLowerCase();
  const cache: LookupCache = new Map();
  const disc: Discovery = input.treeWalk ? yield* treeWalk(from, cache) : yield* discoverPolicy(from);
  const base: DmarcResult = { status: 'none', fromDomain: from, orgDomain: disc.orgDomain, policyDomain: disc.policyDomain, disposition: 'none', spfAligned: false, dkimAligned: false };
  const l = disc.lookup;
  if (l.kind === 'temperror') return { ...base, status: 'temperror', reason: l.message };
  if (l.kind === 'none') return { ...base, status: 'none', reason: 'no DMARC record' };
  if (l.kind === 'multiple') return { ...base, status: 'none', reason: `${l.count} DMARC records at _dmarc.${l.name}: discovery ends, no DMARC processing (RFC 7489 §6.6.3)` };
  if (l.kind === 'invalid') return { ...base, status: 'permerror', reason: `invalid DMARC record at _dmarc.${disc.policyDomain}: ${l.message}` };
  const record = l.record;
  const warnings = l.warnings.length ? { warnings: l.warnings } : {};
  // Relaxed alignment compares organisational domains found the same way as
  // the author's: the PSL, or (RFC 9989 §4.10.2) a tree walk of each identifier.
  const candidates = [
    ...(input.spf?.result === 'pass' && record.aspf === 'r' ? [input.spf.domain] : []),
    ...(record.adkim === 'r' ? input.dkim.filter((d) => d.status === 'pass').map((d) => d.domain) : []),
  ];
  let orgOf = organizationalDomain;
  let walkError: string | undefined;
  if (input.treeWalk) {
    const orgs = new Map<string, string>([[normalizeDomain(from), disc.orgDomain]]);
    for (const c of candidates) {
      const d = normalizeDomain(c);
      if (d === '' || orgs.has(d)) continue;
      const w = yield* treeWalkOrgDomain(d, cache);
      if (w.ok) orgs.set(d, w.orgDomain);
      else walkError ??= w.message;
    }
    // A name whose walk failed is its own organisational domain (aligned only when equal).
    orgOf = (d: string) => orgs.get(d) ?? d;
  }
  const spfAligned = !!input.spf && input.spf.result === 'pass' && isAligned(input.spf.domain, from, record.aspf, orgOf);
  const aligned = input.dkim.find((d) => d.status === 'pass' && isAligned(d.domain, from, record.adkim, orgOf));
  const dkimAligned = !!aligned;
  const res: DmarcResult = { ...base, record, spfAligned, dkimAligned, dkimDomain: aligned?.domain, ...warnings };
  if (l.lenient) res.reason = `record treated as p=none (${l.lenient})`;
  if (spfAligned || dkimAligned) return { ...res, status: 'pass', disposition: 'none' };
  if (walkError) return { ...res, status: 'temperror', reason: `organisational domain of an identifier: ${walkError}` };

  let policy: DmarcPolicy = record.p;
  if (disc.policyDomain !== from) {
    policy = record.sp ?? record.p;
    if (record.np) {
      const exists = yield* domainExists(from);
      if (exists === 'temperror') return { ...res, status: 'temperror', reason: `existence check of ${from} failed` };
      if (!exists) policy = record.np;
    }
  }
  const sample = input.sample ?? 0;
  const pct = record.testing ? 0 : record.pct;
  const sampledOut = sample >= pct;
  return {
    ...res,
    status: 'fail',
    reason: res.reason ?? (input.dkim.length === 0 && !input.spf ? 'no SPF or DKIM result' : 'no aligned SPF or DKIM pass'),
    policy,
    disposition: sampledOut ? lower(policy) : policy,
    sampledOut: sampledOut || undefined,
  };
}

/** RFC 9989 §4.10.4 non-existent domain: no A, AAAA or MX record at the name (NXDOMAIN). */
function* domainExists(domain: string): Generator<Question, boolean | 'temperror', Answer> {
  for (const type of ['A', 'AAAA', 'MX'] as const) {
    const a = yield { name: domain, type };
    if (a.ok) return true;
    if (a.error !== 'nxdomain' && a.error !== 'nodata') return 'temperror';
  }
  return false;
}
