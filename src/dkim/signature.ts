// The DKIM-Signature field's tags as a checked value (RFC 6376 §3.5, RFC 8463).
import { parseTagList, stripFws, isBase64 } from './tag-list.ts';
import { parseCanonTag, type Canon } from './canon-header.ts';
import type { KeyType } from './key-record.ts';
import { err, ok, type Result } from '../result.ts';

export type DkimAlgorithm = 'rsa-sha256' | 'rsa-sha1' | 'ed25519-sha256';
export type HashName = 'sha256' | 'sha1';

export interface DkimSignature {
  algorithm: DkimAlgorithm;
  keyType: KeyType;
  hash: HashName;
  canon: { header: Canon; body: Canon };
  domain: string;
  selector: string;
  /** h= as written (names in order, case kept). */
  headers: string[];
  bodyHash: Buffer;
  signature: Buffer;
  /** i= decoded (default `@d`). */
  auid: string;
  length?: number;
  timestamp?: number;
  expiration?: number;
  tags: Map<string, string>;
}

/**
 * `syntax`: a tag missing or malformed; `unsupported`: a version, algorithm
 * or query method this verifier does not know (RFC 6376 §6.1.1). A failure
 * still says what it could read of d=, s= and h= (for the report);
 * `not-evaluated`: past the verifier's limit of signatures per message.
 */
export type SignatureParse = Result<DkimSignature, 'syntax' | 'unsupported' | 'not-evaluated', { domain?: string; selector?: string; headers?: string[] }>;

const DOMAIN = /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*$/;

export function algorithmParts(a: string): { keyType: KeyType; hash: HashName } | undefined {
  switch (a.toLowerCase()) {
    case 'rsa-sha256':
      return { keyType: 'rsa', hash: 'sha256' };
    case 'rsa-sha1':
      return { keyType: 'rsa', hash: 'sha1' };
    case 'ed25519-sha256':
      return { keyType: 'ed25519', hash: 'sha256' };
    default:
      return undefined;
  }
}

/** dkim-quoted-printable (RFC 6376 §2.11): =XX escapes. */
export function decodeDkimQuotedPrintable(v: string): string {
  const bytes = Buffer.from(stripFws(v).replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
  return bytes.toString('utf8');
}

export function isValidDomain(d: string): boolean {
  return DOMAIN.test(d);
}

/** Parses and checks the value of a DKIM-Signature field (unfolded or not). */
export function parseSignature(value: string): SignatureParse {
  const parsed = parseTagList(value);
  if (!parsed.ok) return err('syntax', `bad signature: ${parsed.message}`);
  const t = parsed.value.tags;
  const domain = t.get('d');
  const selector = t.get('s');
  const headersTag = t.get('h');
  const headers = headersTag === undefined ? undefined : headersTag.split(':').map((h) => stripFws(h)).filter((h) => h !== '');
  const fail = (message: string, kind: 'syntax' | 'unsupported' = 'syntax'): SignatureParse => ({ ...err(kind, message), domain, selector, headers });
  for (const req of ['v', 'a', 'b', 'bh', 'd', 'h', 's']) if (!t.has(req)) return fail(`signature has no ${req}= tag`);
  if (t.get('v') !== '1') return fail(`unsupported signature version v=${t.get('v')}`, 'unsupported');
  const parts = algorithmParts(t.get('a')!);
  if (!parts) return fail(`unsupported algorithm a=${t.get('a')}`, 'unsupported');
  const canon = parseCanonTag(t.get('c'));
  if (!canon) return fail(`bad canonicalization c=${t.get('c')}`);
  if (!domain || !isValidDomain(domain)) return fail(`bad signing domain d=${domain}`);
  if (!selector || !isValidDomain(selector)) return fail(`bad selector s=${selector}`);
  if (!headers || !headers.some((h) => h.toLowerCase() === 'from')) return fail('From is not signed (h= lacks from)');
  if (headers.some((h) => !/^[\x21-\x39\x3b-\x7e]+$/.test(h))) return fail('bad field name in h=');
  const b = stripFws(t.get('b')!);
  const bh = stripFws(t.get('bh')!);
  if (!isBase64(b) || b === '') return fail('b= is not base64');
  if (!isBase64(bh) || bh === '') return fail('bh= is not base64');
  let auid = `@${domain}`;
  if (t.has('i')) {
    auid = decodeDkimQuotedPrintable(t.get('i')!);
    const at = auid.lastIndexOf('@');
    if (at < 0) return fail(`bad identity i=${auid}`);
    const idom = auid.slice(at + 1).toLowerCase();
    const d = domain.toLowerCase();
    if (idom !== d && !idom.endsWith(`.${d}`)) return fail(`identity i=${auid} is not in d=${domain}`);
  }
  const num = (name: string): number | undefined | null => {
    const v = t.get(name);
    if (v === undefined) return undefined;
    const s = stripFws(v);
    if (!/^\d{1,76}$/.test(s)) return null;
    return Number(s);
  };
  const length = num('l');
  if (length === null) return fail('bad body length l=');
  const timestamp = num('t');
  if (timestamp === null) return fail('bad timestamp t=');
  const expiration = num('x');
  if (expiration === null) return fail('bad expiration x=');
  if (expiration !== undefined && timestamp !== undefined && expiration < timestamp) return fail('expiration x= is before timestamp t=');
  const q = t.get('q');
  if (q !== undefined && !q.split(':').some((m) => stripFws(m).toLowerCase() === 'dns/txt')) return fail(`unsupported query method q=${q}`, 'unsupported');
  return ok({
    algorithm: t.get('a')!.toLowerCase() as DkimAlgorithm,
    ...parts,
    canon,
    domain,
    selector,
    headers,
    bodyHash: Buffer.from(bh, 'base64'),
    signature: Buffer.from(b, 'base64'),
    auid,
    length,
    timestamp,
    expiration,
    tags: t,
  });
}
