// The author domain (RFC 7489 §6.6.1): the domain of the From field, which
// must name exactly one author domain; otherwise a clear result, not a guess.
import { parseAddressList, flattenAddresses } from '../mime/index.ts';
import { normalizeDomain } from './org-domain.ts';
import { ok, type Result } from '../result.ts';

/** The author domain, or why there is not exactly one (with the domains when From names several). */
export type FromDomainResult = Result<string, 'no-from' | 'multiple-from' | 'no-domain' | 'multiple-domains' | 'malformed', { domains?: string[] }>;

/** From the values of every From field of the header. */
export function authorDomain(fromValues: string[]): FromDomainResult {
  if (fromValues.length === 0) return { ok: false, error: 'no-from', message: 'no From field' };
  if (fromValues.length > 1) return { ok: false, error: 'multiple-from', message: `${fromValues.length} From fields` };
  const r = parseAddressList(fromValues[0]);
  const boxes = flattenAddresses(r.addresses);
  if (!r.ok && boxes.length === 0) return { ok: false, error: 'malformed', message: `From: ${r.error}` };
  const domains = [...new Set(boxes.map((m) => normalizeDomain(m.domain)).filter(Boolean))];
  if (domains.length === 0) return { ok: false, error: 'no-domain', message: 'From has no domain' };
  if (domains.length > 1) return { ok: false, error: 'multiple-domains', message: `From names ${domains.length} domains: ${domains.join(', ')}`, domains };
  return ok(domains[0]);
}

/**
 * The domain of the first address in a From value, found leniently the way
 * OpenDMARC's opendmarc_util_finddomain does: a `<...@domain>` if there is one,
 * else the first `local@domain` outside quotes and comments.
 */
export function findFromDomain(value: string): string | undefined {
  const r = parseAddressList(value);
  const boxes = flattenAddresses(r.addresses).filter((m) => m.domain);
  if (r.ok && boxes.length) return normalizeDomain(boxes[0].domain);
  // Strip quoted strings and comments, then look for an address.
  const bare = value.replace(/"(?:[^"\\]|\\.)*"/g, ' ').replace(/\((?:[^()\\]|\\.)*\)/g, ' ');
  const angle = /<([^<>]*@([^<>@\s]+))>/.exec(bare);
  if (angle) return normalizeDomain(angle[2]);
  const plain = /[^\s<>,:;]+@([^\s<>,;]+)/.exec(bare);
  return plain ? normalizeDomain(plain[1]) : boxes[0] && normalizeDomain(boxes[0].domain);
}
