// Organisational domains (RFC 7489 §3.2) from the Public Suffix List bundled
// with tldts (ICANN and private sections, as the list's own test vectors and
// OpenDMARC use it), and domain normalisation for comparisons.
import { getDomain } from 'tldts';

/** Lower case, no empty labels (OpenDMARC tolerates leading, trailing and repeated dots). */
export function normalizeDomain(d: string): string {
  return d.toLowerCase().split('.').filter(Boolean).join('.');
}

/**
 * The registrable domain of `name` (public suffix plus one label), or null
 * when there is none (a public suffix itself, an IP, a name starting with a dot).
 */
export function registrableDomain(name: string | null | undefined): string | null {
  if (!name || name.startsWith('.')) return null;
  return getDomain(name, { allowPrivateDomains: true }) ?? null;
}

/** The organisational domain used for relaxed alignment: the registrable domain, else the name itself. */
export function organizationalDomain(name: string): string {
  const n = normalizeDomain(name);
  return registrableDomain(n) ?? n;
}
