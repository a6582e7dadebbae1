// SPF record syntax (RFC 7208 §4.5, §4.6, §5, §6, §12): record selection by
// version, terms split on SP only, directives with qualifiers and CIDR lengths,
// modifiers. The whole record is parsed before evaluation, so a syntax error
// anywhere is a permerror (§4.6).
import { parseDomainSpec, parseMacroString, type MacroToken } from './macro.ts';
import { err, ok, type Result } from '../result.ts';
import { parseIpv4, parseIpv6, type IpAddress } from './ip.ts';

export type Qualifier = '+' | '-' | '~' | '?';

export interface DomainSpec {
  text: string;
  tokens: MacroToken[];
}

export type Mechanism =
  | { kind: 'all' }
  | { kind: 'include'; domain: DomainSpec }
  | { kind: 'a' | 'mx'; domain?: DomainSpec; cidr4: number; cidr6: number }
  | { kind: 'ptr'; domain?: DomainSpec }
  | { kind: 'ip4' | 'ip6'; ip: IpAddress; prefix: number }
  | { kind: 'exists'; domain: DomainSpec };

export interface Directive {
  qualifier: Qualifier;
  mechanism: Mechanism;
  /** The term as written in the record. */
  text: string;
}

export interface SpfRecord {
  directives: Directive[];
  redirect?: DomainSpec;
  exp?: DomainSpec;
  /** Unknown modifiers (ignored by evaluation, RFC 7208 §6). */
  modifiers: { name: string; value: string }[];
}

/** `not-spf`: not a version 1 record; `syntax`: a term that RFC 7208 §4.6.1 does not allow (named in the message). */
export type SpfRecordParse = Result<SpfRecord, 'not-spf' | 'syntax'>;

/** True when a TXT string is an SPF version 1 record: "v=spf1" then SP or the end (case-insensitive). */
export function isSpfRecord(text: string): boolean {
  return /^v=spf1( |$)/i.test(text);
}

/** Mechanisms that cost a DNS lookup towards the limit of 10 (RFC 7208 §4.6.4); redirect too. */
export function countsLookup(m: Mechanism): boolean {
  return m.kind === 'include' || m.kind === 'a' || m.kind === 'mx' || m.kind === 'ptr' || m.kind === 'exists';
}

export function parseSpfRecord(text: string): SpfRecordParse {
  if (!isSpfRecord(text)) return err('not-spf', 'not an SPF version 1 record');
  const record: SpfRecord = { directives: [], modifiers: [] };
  for (const term of text.slice(6).split(' ')) {
    if (term === '') continue;
    const mod = /^([A-Za-z][A-Za-z0-9._-]*)=(.*)$/s.exec(term);
    if (mod) {
      const name = mod[1].toLowerCase();
      if (name === 'redirect' || name === 'exp') {
        if (record[name]) return err('syntax', `${name}= appears more than once`);
        const spec = parseDomainSpec(mod[2]);
        if (!spec.ok) return err('syntax', `${name}=: ${spec.message}`);
        record[name] = { text: mod[2], tokens: spec.value };
      } else {
        const ms = parseMacroString(mod[2]);
        if (!ms.ok) return err('syntax', `modifier ${mod[1]}: ${ms.message}`);
        record.modifiers.push({ name: mod[1], value: mod[2] });
      }
      continue;
    }
    const d = parseDirective(term);
    if (!d.ok) return d;
    record.directives.push(d.value);
  }
  return ok(record);
}

const CIDR = '(0|[1-9][0-9]{0,2})';
const DUAL_CIDR = new RegExp(`^(?::(.*?))?(?:/${CIDR})?(?://${CIDR})?$`, 's');

function parseDirective(term: string): Result<Directive, 'syntax'> {
  let qualifier: Qualifier = '+';
  let rest = term;
  if ('+-~?'.includes(rest[0])) {
    qualifier = rest[0] as Qualifier;
    rest = rest.slice(1);
  }
  const nm = /^[A-Za-z][A-Za-z0-9]*/.exec(rest);
  if (!nm) return err('syntax', `invalid term '${term}'`);
  const name = nm[0].toLowerCase();
  const arg = rest.slice(nm[0].length);
  const bad = (why: string) => err('syntax', `${name}: ${why}`);
  const done = (mechanism: Mechanism) => ok({ qualifier, mechanism, text: term });
  const domainArg = (required: boolean): { spec?: DomainSpec; error?: string } => {
    if (arg === '') return required ? { error: 'needs a domain-spec' } : {};
    if (arg[0] !== ':') return { error: `unexpected '${arg}'` };
    const p = parseDomainSpec(arg.slice(1));
    if (!p.ok) return { error: p.message };
    return { spec: { text: arg.slice(1), tokens: p.value } };
  };
  switch (name) {
    case 'all':
      return arg === '' ? done({ kind: 'all' }) : bad(`no argument allowed, got '${arg}'`);
    case 'include':
    case 'exists': {
      const r = domainArg(true);
      if (r.error) return bad(r.error);
      return done({ kind: name, domain: r.spec! });
    }
    case 'ptr': {
      const r = domainArg(false);
      if (r.error) return bad(r.error);
      return done({ kind: 'ptr', domain: r.spec });
    }
    case 'a':
    case 'mx': {
      const m = DUAL_CIDR.exec(arg);
      if (!m) return bad(`invalid argument '${arg}'`);
      let spec: DomainSpec | undefined;
      if (m[1] !== undefined) {
        const p = parseDomainSpec(m[1]);
        if (!p.ok) return bad(p.message);
        spec = { text: m[1], tokens: p.value };
      }
      const cidr4 = m[2] === undefined ? 32 : Number(m[2]);
      const cidr6 = m[3] === undefined ? 128 : Number(m[3]);
      if (cidr4 > 32) return bad(`IPv4 prefix length ${cidr4} over 32`);
      if (cidr6 > 128) return bad(`IPv6 prefix length ${cidr6} over 128`);
      return done({ kind: name, domain: spec, cidr4, cidr6 });
    }
    case 'ip4':
    case 'ip6': {
      if (arg[0] !== ':') return bad('needs an address');
      const slash = arg.indexOf('/');
      const addr = slash < 0 ? arg.slice(1) : arg.slice(1, slash);
      const max = name === 'ip4' ? 32 : 128;
      let prefix = max;
      if (slash >= 0) {
        const c = arg.slice(slash + 1);
        if (!new RegExp(`^${CIDR}$`).test(c) || Number(c) > max) return bad(`invalid prefix length '/${c}'`);
        prefix = Number(c);
      }
      const ip = name === 'ip4' ? parseIpv4(addr) : parseIpv6(addr);
      if (!ip) return bad(`invalid address '${addr}'`);
      return done({ kind: name, ip, prefix });
    }
    default:
      return err('syntax', `unknown mechanism '${nm[0]}'`);
  }
}
