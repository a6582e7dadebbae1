// DNS and clock flags shared by dkim, spf, dmarc, arc, send, srv (SPEC §1 "DNS"):
// -n/--nameserver IP[:PORT] (repeatable), --dns-static DIR (env BLAZE_DNS_STATIC),
// --dns-timeout DURATION (default 5s), --offline, --now RFC3339.
import { Option, type Command } from 'commander';
import { systemResolver, staticResolver, checkNameserver, type Answer, type Resolver, type RRType } from '../../src/dns/index.ts';
import { usageError } from './errors.ts';

export interface DnsOptions {
  nameserver?: string[];
  dnsStatic?: string;
  dnsTimeout?: string;
  offline?: boolean;
  now?: string;
  verbose?: boolean;
}

export function addDnsOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('-n, --nameserver <ip[:port]>', 'ask this nameserver (repeatable; default: the system resolver)').argParser(
        (v: string, prev: string[] | undefined) => [...(prev ?? []), v],
      ),
    )
    .addOption(new Option('--dns-static <dir>', 'answer from DIR/<domain>.dns files').env('BLAZE_DNS_STATIC'))
    .option('--dns-timeout <duration>', 'bound on each DNS question', '5s')
    .option('--offline', 'no network: names without a --dns-static file do not exist')
    .option('--now <rfc3339>', 'the current time (for expiry checks), e.g. 2024-05-01T12:00:00Z');
}

/** "5s", "250ms", "2m", "1h", "30d", "1w", or a bare number of seconds, to milliseconds. */
export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$/i.exec(text);
  if (!m) throw usageError(`bad duration '${text}' (expected e.g. 5s, 2m, 1h, 30d)`);
  const n = Number(m[1]);
  const unit = (m[2] ?? 's').toLowerCase();
  const factor = unit === 'ms' ? 1 : unit === 's' ? 1e3 : unit === 'm' ? 60e3 : unit === 'h' ? 3600e3 : unit === 'd' ? 86400e3 : 604800e3;
  return Math.round(n * factor);
}

/** The resolver the flags describe: static directory, then (unless offline) the nameservers or the system. */
export function resolverFromOptions(opts: DnsOptions, trace?: (line: string) => void): Resolver {
  const timeoutMs = parseDuration(opts.dnsTimeout ?? '5s');
  if (timeoutMs <= 0) throw usageError('--dns-timeout must be positive');
  for (const s of opts.nameserver ?? []) {
    const err = checkNameserver(s);
    if (err) throw usageError(`--nameserver ${err}`);
  }
  let resolver: Resolver | undefined = opts.offline ? undefined : systemResolver({ servers: opts.nameserver, timeoutMs });
  if (opts.dnsStatic) resolver = staticResolver(opts.dnsStatic, { fallback: resolver });
  if (!resolver) resolver = { resolve: async <T extends RRType>(q: { name: string; type: T }): Promise<Answer<T>> => ({ ok: false, type: q.type, error: 'nxdomain', message: 'offline' }) };
  const log = trace ?? (opts.verbose ? (line: string) => process.stderr.write(`${line}\n`) : undefined);
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

/** --now as a Date (RFC 3339 / ISO 8601, or @EPOCH-SECONDS); the real clock when absent. */
export function nowFromOptions(opts: { now?: string }): Date {
  if (opts.now === undefined) return new Date();
  const t = opts.now.trim();
  if (/^@\d+$/.test(t)) return new Date(Number(t.slice(1)) * 1000);
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i.test(t)) throw usageError(`--now: bad date '${opts.now}' (expected RFC 3339, e.g. 2024-05-01T12:00:00Z)`);
  // Without a zone, RFC 3339 has no meaning; take UTC rather than the local zone.
  const iso = t.replace(' ', 'T');
  const d = new Date(/T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/i.test(iso) ? `${iso}Z` : iso);
  if (Number.isNaN(d.getTime())) throw usageError(`--now: bad date '${opts.now}'`);
  return d;
}
