// Identifier alignment (RFC 7489 §3.1): strict = the same name, relaxed = the
// same organisational domain.
import { normalizeDomain, organizationalDomain } from './org-domain.ts';

export type AlignmentMode = 'r' | 's';

export function isAligned(domain: string, against: string, mode: AlignmentMode, orgOf: (d: string) => string = organizationalDomain): boolean {
  const a = normalizeDomain(domain);
  const b = normalizeDomain(against);
  if (a === '' || b === '') return false;
  if (mode === 's') return a === b;
  return a === b || orgOf(a) === orgOf(b);
}
