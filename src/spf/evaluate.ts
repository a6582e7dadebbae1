// check_host() (RFC 7208 §4-§6) as a generator: it yields DNS questions and
// receives answers, never doing I/O. Limits are counted here, where the RFC puts
// them: 10 DNS-querying terms (include, a, mx, ptr, exists, redirect), 2 void
// lookups, 10 MX and 10 PTR records per lookup.
import { domainToASCII } from 'node:url';
import { isTemporary, txtStrings, type Answer, type Question, type RRType } from '../dns/index.ts';
import { dottedIp, formatIp, inNetwork, parseIp, reverseName, sameIp, unmapIpv4, type IpAddress } from './ip.ts';
import { expandMacros, parseExplanation, usesMacro, type MacroToken, type MacroValues } from './macro.ts';
import { countsLookup, isSpfRecord, parseSpfRecord, type Directive, type DomainSpec, type Qualifier } from './record.ts';
import type { SpfRequest, SpfResult, SpfResultKind, SpfTraceEntry } from './types.ts';

export const SPF_LOOKUP_LIMIT = 10;
export const SPF_VOID_LIMIT = 2;
export const SPF_MX_LIMIT = 10;
export const SPF_PTR_LIMIT = 10;
export const DEFAULT_EXPLANATION = 'SPF fail - not authorized';

type Gen<T> = Generator<Question, T, Answer>;

interface Outcome {
  status: SpfResultKind;
  mechanism?: string;
  explanation?: string;
  problem?: string;
}

/** A term's effect: matched or not, or an error that ends check_host(). */
type Match = { match: boolean } | { error: 'temperror' | 'permerror'; problem: string };

interface State {
  ip: IpAddress;
  sender: string;
  local: string;
  senderDomain: string;
  helo: string;
  receiver: string;
  now: Date;
  defaultExplanation: string;
  lookups: number;
  voids: number;
  trace: SpfTraceEntry[];
  /** Validated names of <ip> (from its PTR records), computed once. */
  validated?: string[];
}

const QUALIFIER_RESULT: Record<Qualifier, SpfResultKind> = { '+': 'pass', '-': 'fail', '~': 'softfail', '?': 'neutral' };

/** Evaluates SPF for one identity; yields Questions, returns the result value. */
export function* evaluateSpf(req: SpfRequest): Gen<SpfResult> {
  const parsed = parseIp(req.ip.trim());
  const helo = req.helo ?? '';
  const rawSender = req.sender ?? '';
  const identity = req.identity ?? (rawSender !== '' ? 'mailfrom' : 'helo');
  let sender: string;
  let local: string;
  let domain: string;
  if (identity === 'mailfrom') {
    const at = rawSender.lastIndexOf('@');
    local = at < 0 ? '' : rawSender.slice(0, at);
    domain = at < 0 ? rawSender : rawSender.slice(at + 1);
  } else {
    local = '';
    domain = helo;
  }
  if (local === '') local = 'postmaster';
  sender = `${local}@${domain}`;
  const base = { domain, identity, sender, ip: req.ip, helo: req.helo };
  const trace: SpfTraceEntry[] = [];
  if (!parsed) return { ...base, status: 'permerror', problem: `invalid client IP '${req.ip}'`, lookups: 0, voidLookups: 0, trace };
  const st: State = {
    ip: unmapIpv4(parsed),
    sender,
    local,
    senderDomain: domain,
    helo,
    receiver: req.receiver ?? 'unknown',
    now: req.now ?? new Date(),
    defaultExplanation: req.defaultExplanation ?? DEFAULT_EXPLANATION,
    lookups: 0,
    voids: 0,
    trace,
  };
  // RFC 7208 §4.3: an internationalized domain is checked in its A-label form.
  const name = toALabels(stripDot(domain));
  let out: Outcome;
  // RFC 7208 §4.3: a malformed or non-FQDN domain gives "none" without a lookup.
  if (!isQueryableDomain(name) || !name.includes('.')) out = { status: 'none', problem: `'${domain}' is not a valid domain name` };
  else out = yield* checkHost(st, name);
  return { ...base, ...out, lookups: st.lookups, voidLookups: st.voids, trace };
}

function* checkHost(st: State, domain: string): Gen<Outcome> {
  const done = (o: Outcome): Outcome => {
    st.trace.push({ step: 'result', domain, result: o.status, term: o.mechanism, problem: o.problem });
    return o;
  };
  if (!isQueryableDomain(domain)) return done({ status: 'none', problem: `'${domain}' is not a valid domain name` });
  const ans = yield* ask(st, domain, 'TXT');
  if (!ans.ok) {
    if (isTemporary(ans)) return done({ status: 'temperror', problem: `TXT lookup of ${domain}: ${ans.error}` });
    return done({ status: 'none', problem: `no SPF record at ${domain}` });
  }
  // Identical records are one record: an RRset holds no duplicates (RFC 2181 §5), and resolvers merge them.
  const spf = [...new Set(txtStrings(ans).filter(isSpfRecord))];
  if (spf.length === 0) return done({ status: 'none', problem: `no SPF record at ${domain}` });
  if (spf.length > 1) return done({ status: 'permerror', problem: `${spf.length} SPF records at ${domain}` });
  st.trace.push({ step: 'record', domain, record: spf[0] });
  const parsed = parseSpfRecord(spf[0]);
  if (!parsed.ok) return done({ status: 'permerror', problem: `${domain}: ${parsed.message}` });
  const rec = parsed.value;
  for (const d of rec.directives) {
    if (countsLookup(d.mechanism) && ++st.lookups > SPF_LOOKUP_LIMIT) {
      return done({ status: 'permerror', mechanism: d.text, problem: `more than ${SPF_LOOKUP_LIMIT} DNS-querying terms` });
    }
    const m = yield* matchDirective(st, d, domain);
    st.trace.push({ step: 'term', domain, term: d.text, outcome: 'error' in m ? m.error : m.match ? 'match' : 'no match', lookups: st.lookups, voidLookups: st.voids });
    if ('error' in m) return done({ status: m.error, mechanism: d.text, problem: m.problem });
    if (!m.match) continue;
    const result = QUALIFIER_RESULT[d.qualifier];
    const o: Outcome = { status: result, mechanism: d.text };
    if (result === 'fail') o.explanation = yield* explain(st, rec.exp, domain);
    return done(o);
  }
  if (rec.redirect) {
    const term = `redirect=${rec.redirect.text}`;
    if (++st.lookups > SPF_LOOKUP_LIMIT) return done({ status: 'permerror', mechanism: term, problem: `more than ${SPF_LOOKUP_LIMIT} DNS-querying terms` });
    const target = yield* targetName(st, rec.redirect, domain);
    st.trace.push({ step: 'term', domain, term, outcome: `-> ${target}`, lookups: st.lookups, voidLookups: st.voids });
    if (!isQueryableDomain(target)) return done({ status: 'permerror', mechanism: term, problem: `redirect to invalid name '${target}'` });
    const r = yield* checkHost(st, target);
    if (r.status === 'none') return done({ status: 'permerror', mechanism: term, problem: `redirect: ${r.problem ?? `no SPF record at ${target}`}` });
    return done(r);
  }
  return done({ status: 'neutral', mechanism: 'default' });
}

function* matchDirective(st: State, d: Directive, domain: string): Gen<Match> {
  const m = d.mechanism;
  switch (m.kind) {
    case 'all':
      return { match: true };
    case 'ip4':
    case 'ip6':
      return { match: inNetwork(st.ip, m.ip, m.prefix) };
    case 'include': {
      const target = yield* targetName(st, m.domain, domain);
      if (!isQueryableDomain(target)) return { error: 'permerror', problem: `include of invalid name '${target}'` };
      const r = yield* checkHost(st, target);
      switch (r.status) {
        case 'pass':
          return { match: true };
        case 'fail':
        case 'softfail':
        case 'neutral':
          return { match: false };
        case 'temperror':
          return { error: 'temperror', problem: `include:${target}: ${r.problem ?? 'temporary error'}` };
        case 'none':
          return { error: 'permerror', problem: `include:${target}: no SPF record` };
        default:
          return { error: 'permerror', problem: `include:${target}: ${r.problem ?? 'permanent error'}` };
      }
    }
    case 'a': {
      const target = m.domain ? yield* targetName(st, m.domain, domain) : domain;
      if (!isQueryableDomain(target)) return { match: false };
      const a = yield* askAddresses(st, target, true);
      if ('error' in a) return a;
      return { match: a.addrs.some((x) => inNetwork(st.ip, x, st.ip.version === 4 ? m.cidr4 : m.cidr6)) };
    }
    case 'mx': {
      const target = m.domain ? yield* targetName(st, m.domain, domain) : domain;
      if (!isQueryableDomain(target)) return { match: false };
      const ans = yield* ask(st, target, 'MX');
      if (!ans.ok) return yield* voidOrError(st, ans, `MX ${target}`);
      const mxs = ans.records as { preference: number; exchange: string }[];
      if (mxs.length > SPF_MX_LIMIT) return { error: 'permerror', problem: `${target} has ${mxs.length} MX records (limit ${SPF_MX_LIMIT})` };
      // RFC 7208 §5.4: no implicit MX (never the A/AAAA of the target itself); a null MX (RFC 7505) names no host.
      for (const mx of [...mxs].sort((x, y) => x.preference - y.preference)) {
        const host = stripDot(mx.exchange);
        if (host === '' || !isQueryableDomain(host)) continue;
        const a = yield* askAddresses(st, host, false);
        if ('error' in a) return a;
        if (a.addrs.some((x) => inNetwork(st.ip, x, st.ip.version === 4 ? m.cidr4 : m.cidr6))) return { match: true };
      }
      return { match: false };
    }
    case 'ptr': {
      const target = m.domain ? yield* targetName(st, m.domain, domain) : domain;
      if (!isQueryableDomain(target)) return { match: false };
      const names = yield* validatedNames(st, target, true);
      if ('error' in names) return names;
      return { match: names.names.some((n) => isSubdomainOf(n, target)) };
    }
    case 'exists': {
      const target = yield* targetName(st, m.domain, domain);
      if (!isQueryableDomain(target)) return { match: false };
      const ans = yield* ask(st, target, 'A');
      if (!ans.ok) return yield* voidOrError(st, ans, `A ${target}`);
      return { match: ans.records.length > 0 };
    }
  }
}

/** A/AAAA (by the client's family) of a name; `countVoid` for a mechanism's own lookup. */
function* askAddresses(st: State, name: string, countVoid: boolean): Gen<{ addrs: IpAddress[] } | { error: 'temperror' | 'permerror'; problem: string }> {
  const type = st.ip.version === 4 ? 'A' : 'AAAA';
  const ans = yield* ask(st, name, type);
  if (!ans.ok) {
    if (isTemporary(ans)) return { error: 'temperror', problem: `${type} ${name}: ${ans.error}` };
    if (countVoid && ++st.voids > SPF_VOID_LIMIT) return { error: 'permerror', problem: `more than ${SPF_VOID_LIMIT} void lookups` };
    return { addrs: [] };
  }
  const addrs: IpAddress[] = [];
  for (const r of ans.records as string[]) {
    const ip = parseIp(r);
    if (ip && ip.version === st.ip.version) addrs.push(ip);
  }
  return { addrs };
}

function* voidOrError(st: State, ans: Answer, what: string): Gen<Match> {
  if (isTemporary(ans)) return { error: 'temperror', problem: `${what}: ${ans.ok ? '' : ans.error}` };
  if (++st.voids > SPF_VOID_LIMIT) return { error: 'permerror', problem: `more than ${SPF_VOID_LIMIT} void lookups` };
  return { match: false };
}

/**
 * The validated names of <ip> (RFC 7208 §5.5): its first 10 PTR names whose
 * A/AAAA include <ip>. Only names under `under` are validated (the others
 * cannot match ptr), unless `under` is undefined (the p macro).
 */
function* validatedNames(st: State, under: string | undefined, countVoid: boolean): Gen<{ names: string[] } | { error: 'permerror'; problem: string }> {
  const ans = yield* ask(st, reverseName(st.ip), 'PTR');
  if (!ans.ok) {
    if (countVoid && !isTemporary(ans) && ++st.voids > SPF_VOID_LIMIT) return { error: 'permerror', problem: `more than ${SPF_VOID_LIMIT} void lookups` };
    return { names: [] };
  }
  const names: string[] = [];
  for (const raw of (ans.records as string[]).slice(0, SPF_PTR_LIMIT)) {
    const n = stripDot(raw);
    if (!isQueryableDomain(n)) continue;
    if (under !== undefined && !isSubdomainOf(n, under)) continue;
    const a = yield* ask(st, n, st.ip.version === 4 ? 'A' : 'AAAA');
    if (!a.ok) continue; // a DNS error skips that name (§5.5)
    if ((a.records as string[]).some((r) => {
      const ip = parseIp(r);
      return ip !== undefined && sameIp(ip, st.ip);
    })) names.push(n);
  }
  return { names };
}

/** The `p` macro: a validated name, preferring <domain> or a subdomain of it; "unknown" otherwise. */
function* pMacro(st: State, domain: string): Gen<string> {
  if (!st.validated) {
    const v = yield* validatedNames(st, undefined, false);
    st.validated = 'names' in v ? v.names : [];
  }
  const names = st.validated;
  return names.find((n) => n.toLowerCase() === domain.toLowerCase()) ?? names.find((n) => isSubdomainOf(n, domain)) ?? names[0] ?? 'unknown';
}

function* macroValues(st: State, tokens: readonly MacroToken[], domain: string): Gen<MacroValues> {
  const p = usesMacro(tokens, 'p') ? yield* pMacro(st, domain) : 'unknown';
  return {
    s: st.sender,
    l: st.local,
    o: st.senderDomain,
    d: domain,
    i: dottedIp(st.ip),
    p,
    v: st.ip.version === 4 ? 'in-addr' : 'ip6',
    h: st.helo,
    c: formatIp(st.ip),
    r: st.receiver,
    t: String(Math.floor(st.now.getTime() / 1000)),
  };
}

/** Expands a domain-spec into a name to query: no trailing dot, at most 253 octets (§7.3 truncation). */
function* targetName(st: State, spec: DomainSpec, domain: string): Gen<string> {
  let name = stripDot(expandMacros(spec.tokens, yield* macroValues(st, spec.tokens, domain)));
  while (name.length > 253 && name.includes('.')) name = name.slice(name.indexOf('.') + 1);
  return name;
}

/** The explanation for a fail (RFC 7208 §6.2): any problem with exp= falls back to the default. */
function* explain(st: State, exp: DomainSpec | undefined, domain: string): Gen<string> {
  if (!exp) return st.defaultExplanation;
  const target = yield* targetName(st, exp, domain);
  if (!isQueryableDomain(target)) return st.defaultExplanation;
  const ans = yield* ask(st, target, 'TXT');
  const texts = ans.ok ? txtStrings(ans as Answer<'TXT'>) : [];
  if (texts.length !== 1) return st.defaultExplanation;
  if (!/^[\x20-\x7e]*$/.test(texts[0])) return st.defaultExplanation;
  const p = parseExplanation(texts[0]);
  if (!p.ok) return st.defaultExplanation;
  return expandMacros(p.value, yield* macroValues(st, p.value, domain));
}

function* ask<T extends RRType>(st: State, name: string, type: T): Gen<Answer<T>> {
  const a = (yield { name, type }) as Answer<T>;
  st.trace.push({ step: 'query', name, type, answer: describeAnswer(a) });
  return a;
}

function describeAnswer(a: Answer): string {
  if (!a.ok) return a.error;
  return a.records
    .map((r) => (Array.isArray(r) ? JSON.stringify(r.join('')) : typeof r === 'object' ? `${r.preference} ${r.exchange}` : String(r)))
    .join(', ');
}

function toALabels(name: string): string {
  if (/^[\x00-\x7f]*$/.test(name)) return name;
  const ascii = domainToASCII(name);
  return ascii === '' ? name : ascii;
}

function stripDot(name: string): string {
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/**
 * A name DNS can carry: 1-253 octets, labels 1-63 octets, printable ASCII (a
 * label may hold a space: %_ makes one), not a domain literal.
 */
export function isQueryableDomain(name: string): boolean {
  if (name === '' || name.length > 253 || name.startsWith('[')) return false;
  if (!/^[\x20-\x7e]+$/.test(name)) return false;
  return name.split('.').every((l) => l.length > 0 && l.length <= 63);
}

function isSubdomainOf(name: string, parent: string): boolean {
  const n = name.toLowerCase();
  const p = stripDot(parent).toLowerCase();
  return n === p || n.endsWith(`.${p}`);
}
