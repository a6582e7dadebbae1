// The Authentication-Results this ADMD writes for a checked message
// (RFC 8601 §2.7): arc (when sealing), spf, one dkim per signature, dmarc.
import type { AuthResults } from '../authres/index.ts';
import { buildAuthResults } from '../dmarc/index.ts';
import type { AuthReport } from './types.ts';

export function authResultsOf(r: AuthReport, authservId: string, opts: { arc?: boolean } = {}): AuthResults {
  return buildAuthResults(authservId, {
    arc: opts.arc && r.arc ? { status: r.arc.status, reason: r.arc.reason, instances: r.arc.instances, oldestPass: r.arc.oldestPass } : undefined,
    spf: r.spf ? { result: r.spf.status, mailfrom: r.spf.mailfrom, helo: r.spf.helo } : undefined,
    dkim: r.dkim.map((d) => ({ status: d.status, domain: d.domain, selector: d.selector, auid: d.auid, b: d.bPrefix, reason: d.reason })),
    dmarc: r.dmarc,
    fromDomain: r.from.ok ? undefined : '',
  });
}
