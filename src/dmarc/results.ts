// The Authentication-Results this ADMD writes after checking a message
// (RFC 8601 §2.7): spf, dkim (one per signature), dmarc, arc, in that order.
import type { AuthResResult, AuthResults } from '../authres/index.ts';
import type { DmarcResult } from './evaluate.ts';

export interface CheckedSpf {
  result: string;
  /** The identity checked: MAIL FROM (or postmaster@HELO when MAIL FROM is empty), or the HELO name. */
  mailfrom?: string;
  helo?: string;
  comment?: string;
}

export interface CheckedDkim {
  status: string;
  domain?: string;
  selector?: string;
  auid?: string;
  /** The first characters of b= (RFC 6008 header.b). */
  b?: string;
  reason?: string;
}

export interface CheckedArc {
  status: string;
  reason?: string;
  instances: number;
  oldestPass?: number;
  remoteIp?: string;
}

/** The policy comment the big receivers write: `p=REJECT sp=NONE dis=QUARANTINE`. */
export function dmarcComment(d: DmarcResult): string | undefined {
  if (!d.record) return undefined;
  const parts = [`p=${d.record.p.toUpperCase()}`];
  if (d.record.sp) parts.push(`sp=${d.record.sp.toUpperCase()}`);
  parts.push(`dis=${d.disposition.toUpperCase()}`);
  if (d.sampledOut) parts.push(`pct=${d.record.pct}`);
  return parts.join(' ');
}

export function buildAuthResults(
  authservId: string,
  r: { spf?: CheckedSpf; dkim?: CheckedDkim[]; dmarc?: DmarcResult; fromDomain?: string; arc?: CheckedArc },
): AuthResults {
  const results: AuthResResult[] = [];
  if (r.arc) {
    const a: AuthResResult = { method: 'arc', result: r.arc.status, properties: [] };
    if (r.arc.instances) a.comment = `i=${r.arc.instances}`;
    if (r.arc.reason) a.reason = r.arc.reason;
    if (r.arc.oldestPass && r.arc.status === 'pass') a.properties.push({ type: 'header', name: 'oldest-pass', value: String(r.arc.oldestPass) });
    if (r.arc.remoteIp) a.properties.push({ type: 'smtp', name: 'remote-ip', value: r.arc.remoteIp });
    results.push(a);
  }
  if (r.spf) {
    const s: AuthResResult = { method: 'spf', result: r.spf.result, properties: [] };
    if (r.spf.comment) s.comment = r.spf.comment;
    if (r.spf.mailfrom) s.properties.push({ type: 'smtp', name: 'mailfrom', value: r.spf.mailfrom });
    if (r.spf.helo) s.properties.push({ type: 'smtp', name: 'helo', value: r.spf.helo });
    results.push(s);
  }
  for (const d of r.dkim ?? []) {
    const x: AuthResResult = { method: 'dkim', result: d.status, properties: [] };
    // A pass has a reason when it leaves something unsigned (body bytes after l=).
    if (d.reason) x.reason = d.reason;
    if (d.domain) x.properties.push({ type: 'header', name: 'd', value: d.domain });
    if (d.auid) x.properties.push({ type: 'header', name: 'i', value: d.auid });
    if (d.selector) x.properties.push({ type: 'header', name: 's', value: d.selector });
    if (d.b) x.properties.push({ type: 'header', name: 'b', value: d.b });
    results.push(x);
  }
  if (r.dkim && r.dkim.length === 0) results.push({ method: 'dkim', result: 'none', properties: [] });
  if (r.dmarc) {
    const m: AuthResResult = { method: 'dmarc', result: r.dmarc.status, properties: [{ type: 'header', name: 'from', value: r.dmarc.fromDomain }] };
    const c = dmarcComment(r.dmarc);
    if (c) m.comment = c;
    results.push(m);
  } else if (r.fromDomain !== undefined) {
    results.push({ method: 'dmarc', result: 'permerror', properties: [{ type: 'header', name: 'from', value: r.fromDomain }] });
  }
  return { authservId, results };
}
