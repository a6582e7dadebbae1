// Where to deliver mail for a domain (RFC 5321 §5.1, RFC 7505): an evaluator
// that yields DNS questions and returns the hosts to try, in order. MX records
// sorted by preference (ties keep their order), the implicit MX (the domain's
// own A/AAAA) when there is no MX, a null MX (`0 .`) as a permanent refusal.
import type { Answer, Question } from '../dns/index.ts';
import { err, ok, type Result } from '../result.ts';

export interface MxHost {
  /** The exchange name (or the domain itself for the implicit MX). */
  name: string;
  preference: number;
  /** Its addresses, IPv4 first. */
  addresses: string[];
  implicit: boolean;
}

/** The hosts to try in order, or why there are none: `permanent` (no such domain, null MX) or `temporary` (a lookup failed). */
export type MxRoute = Result<MxHost[], 'permanent' | 'temporary'>;

export function* resolveMx(domain: string): Generator<Question, MxRoute, Answer> {
  const d = domain.toLowerCase().replace(/\.$/, '');
  if (/^\[.*\]$/.test(d)) {
    // An address literal (user@[192.0.2.1]): no DNS at all.
    const ip = d.slice(1, -1).replace(/^ipv6:/i, '');
    return ok([{ name: d, preference: 0, addresses: [ip], implicit: true }]);
  }
  const mx = (yield { name: d, type: 'MX' }) as Answer<'MX'>;
  let exchanges: Array<{ name: string; preference: number; implicit: boolean }>;
  if (mx.ok && mx.records.length) {
    const recs = mx.records.map((r, i) => ({ ...r, i, exchange: r.exchange.replace(/\.$/, '').toLowerCase() }));
    if (recs.some((r) => r.exchange === '')) {
      // RFC 7505: a null MX says the domain accepts no mail.
      return err('permanent', `${d} does not accept mail (null MX, RFC 7505)`);
    }
    recs.sort((a, b) => a.preference - b.preference || a.i - b.i);
    exchanges = recs.map((r) => ({ name: r.exchange, preference: r.preference, implicit: false }));
  } else if (!mx.ok && mx.error === 'nxdomain') {
    return err('permanent', `${d}: no such domain`);
  } else if (!mx.ok && mx.error !== 'nodata') {
    return err('temporary', `${d}: MX lookup failed (${mx.error})`);
  } else {
    exchanges = [{ name: d, preference: 0, implicit: true }];
  }
  const hosts: MxHost[] = [];
  let temporary = '';
  for (const ex of exchanges) {
    const addresses: string[] = [];
    for (const type of ['A', 'AAAA'] as const) {
      const a = (yield { name: ex.name, type }) as Answer<'A' | 'AAAA'>;
      if (a.ok) addresses.push(...(a.records as string[]));
      else if (a.error !== 'nxdomain' && a.error !== 'nodata') temporary ||= `${ex.name}: ${type} lookup failed (${a.error})`;
    }
    if (addresses.length) hosts.push({ ...ex, addresses });
  }
  if (hosts.length) return ok(hosts);
  if (temporary) return err('temporary', temporary);
  return err('permanent', exchanges[0].implicit ? `${d} has no MX and no address` : `no address for the MX hosts of ${d} (${exchanges.map((e) => e.name).join(', ')})`);
}
