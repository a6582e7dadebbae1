// The resolver the DNS flags describe (SPEC §1 "DNS"): the --dns-static
// directory first, then (unless --offline) the nameservers given with -n or
// the system's; -v logs each question on stderr.
import { systemResolver, staticResolver, withRawNames, type Answer, type Resolver, type RRType, type RawServer } from '../../src/dns/index.ts';
import { builtin } from './builtin.ts';
import { dnsSettings, formatHostPort, splitHostPort, type DnsOptions, type DnsSettings } from './flags.ts';

export interface ResolverChoice {
  /** Called with one line per question and answer (default: stderr when -v). */
  trace?: (line: string) => void;
  /**
   * Ask names that c-ares refuses (RFC 7208 §7.1 allows any visible character
   * in an SPF domain-spec) with raw DNS messages to the same servers.
   */
  rawNames?: boolean;
}

/** The resolver of the DNS flags; bad flags are usage errors. */
export function resolverFromOptions(opts: DnsOptions, choice: ResolverChoice = {}): Resolver {
  return resolverFrom(dnsSettings(opts), { trace: choice.trace ?? (opts.verbose ? (line) => process.stderr.write(`${line}\n`) : undefined), rawNames: choice.rawNames });
}

export function resolverFrom(s: DnsSettings, choice: ResolverChoice = {}): Resolver {
  let resolver: Resolver | undefined;
  if (!s.offline) {
    const servers = s.servers.length ? s.servers.map(formatHostPort) : undefined;
    resolver = systemResolver({ servers, timeoutMs: s.timeoutMs });
    if (choice.rawNames) resolver = withRawNames(resolver, s.servers.length ? s.servers : systemServers(), s.timeoutMs);
  }
  if (s.staticDir) resolver = staticResolver(s.staticDir, { fallback: resolver });
  resolver ??= offline;
  const log = choice.trace;
  if (!log) return resolver;
  const inner = resolver;
  return {
    async resolve<T extends RRType>(q: { name: string; type: T }): Promise<Answer<T>> {
      const a = await inner.resolve(q);
      log(`dns: ${q.name} ${q.type} -> ${a.ok ? JSON.stringify(a.records) : a.error}`);
      return a;
    },
  };
}

/** --offline without --dns-static: no name exists. */
const offline: Resolver = {
  resolve: async <T extends RRType>(q: { name: string; type: T }): Promise<Answer<T>> => ({ ok: false, type: q.type, error: 'nxdomain', message: 'offline' }),
};

/** The system's nameservers (resolv.conf), as node:dns lists them. */
function systemServers(): RawServer[] {
  const list: RawServer[] = [];
  for (const s of builtin<typeof import('node:dns')>('node:dns').getServers()) {
    const hp = splitHostPort(s, { defaultPort: 53 });
    if (hp) list.push(hp);
  }
  return list;
}
