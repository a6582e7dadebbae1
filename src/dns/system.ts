// The system resolver: node:dns (c-ares) with optional explicit nameservers.
// c-ares retries a truncated UDP answer (TC bit) over TCP by itself (we never
// set ARES_FLAG_IGNTC, node exposes no way to); test/dns/system.test.ts checks
// it against a server that truncates every UDP answer.
import type { Resolver as DnsResolver } from 'node:dns/promises';
import { createRequire } from 'node:module';
import type { Answer, DnsErrorKind, MxRecord, RRType, RecordTypes, Resolver } from './types.ts';
import { normalizeName } from './types.ts';

export interface SystemResolverOptions {
  /** Nameservers as `IP`, `IP:PORT`, `[IPv6]:PORT`; default: the system's (resolv.conf). */
  servers?: string[];
  /** Bound on one question, all retries included (default 5000 ms). */
  timeoutMs?: number;
}

/** c-ares error codes mapped to our answer kinds. */
export function dnsErrorKind(code: string | undefined): DnsErrorKind {
  switch (code) {
    case 'ENOTFOUND':
      return 'nxdomain';
    case 'ENODATA':
      return 'nodata';
    case 'ETIMEOUT':
    case 'ECONNREFUSED':
    case 'ECANCELLED':
      return 'timeout';
    case 'ESERVFAIL':
      return 'servfail';
    case 'EREFUSED':
      return 'refused';
    default:
      return code === 'EBADRESP' || code === 'EFORMERR' || code === 'EBADNAME' ? 'malformed' : 'servfail';
  }
}

export function systemResolver(opts: SystemResolverOptions = {}): Resolver {
  const timeoutMs = opts.timeoutMs ?? 5000;
  // Two tries, each with a share of the budget; c-ares backs off between them.
  // node:dns is loaded at the first question (a command answered from
  // --dns-static files never pays for it).
  let made: DnsResolver | undefined;
  const resolver = async (): Promise<DnsResolver> => {
    if (made) return made;
    // (require, not import(): the bundle runs in a vm.Script without dynamic import)
    const { Resolver } = createRequire('/')('node:dns/promises') as typeof import('node:dns/promises');
    const r = new Resolver({ timeout: Math.max(50, Math.floor(timeoutMs / 3)), tries: 2 });
    if (opts.servers?.length) r.setServers(opts.servers);
    return (made = r);
  };

  async function ask<T extends RRType>(name: string, type: T): Promise<RecordTypes[T][]> {
    const r = await resolver();
    switch (type) {
      case 'TXT':
        return (await r.resolveTxt(name)) as RecordTypes[T][];
      case 'A':
        return (await r.resolve4(name)) as RecordTypes[T][];
      case 'AAAA':
        return (await r.resolve6(name)) as RecordTypes[T][];
      case 'MX':
        return (await r.resolveMx(name)).map((m): MxRecord => ({ preference: m.priority, exchange: m.exchange })) as RecordTypes[T][];
      case 'PTR':
        return (await r.resolvePtr(name)) as RecordTypes[T][];
      default:
        throw Object.assign(new Error(`unsupported type ${type}`), { code: 'EFORMERR' });
    }
  }

  return {
    async resolve<T extends RRType>(q: { name: string; type: T }): Promise<Answer<T>> {
      const name = normalizeName(q.name);
      let timer: NodeJS.Timeout | undefined;
      const guard = new Promise<Answer<T>>((resolve) => {
        timer = setTimeout(() => resolve({ ok: false, type: q.type, error: 'timeout', message: `no answer within ${timeoutMs} ms` }), timeoutMs);
        timer.unref();
      });
      const lookup = ask(name, q.type).then(
        (records): Answer<T> => (records.length ? { ok: true, type: q.type, records } : { ok: false, type: q.type, error: 'nodata' }),
        (err: NodeJS.ErrnoException): Answer<T> => ({ ok: false, type: q.type, error: dnsErrorKind(err.code), message: err.code }),
      );
      try {
        return await Promise.race([lookup, guard]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
