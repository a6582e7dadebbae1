// The three ARC header fields (RFC 8617 §4.1): ARC-Authentication-Results
// (i=; then an Authentication-Results value), ARC-Message-Signature (a DKIM
// signature without v=, with i=) and ARC-Seal (i, a, b, cv, d, s, t; no h=).
import { parseTagList, stripFws, isBase64, algorithmParts, parseCanonTag, isValidDomain, type Canon, type HashName, type KeyType } from '../dkim/index.ts';
import { err, ok, type Result } from '../result.ts';

export type ChainStatus = 'none' | 'pass' | 'fail';

export const MAX_INSTANCE = 50;

/** i= as an instance number 1..50, or undefined. */
export function parseInstance(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const s = stripFws(v);
  if (!/^\d{1,2}$/.test(s)) return undefined;
  const n = Number(s);
  return n >= 1 && n <= MAX_INSTANCE ? n : undefined;
}

interface Common {
  instance: number;
  keyType: KeyType;
  hash: HashName;
  algorithm: string;
  domain: string;
  selector: string;
  signature: Buffer;
  timestamp?: number;
}

export interface ArcSeal extends Common {
  cv: ChainStatus;
}

export interface ArcMessageSignature extends Common {
  canon: { header: Canon; body: Canon };
  headers: string[];
  bodyHash: Buffer;
  length?: number;
}

/** `syntax`: the field breaks RFC 8617 §4.1 (the message says how); a failure keeps the instance when i= was readable. */
export type FieldParse<T> = Result<T, 'syntax', { instance?: number }>;

function common(value: string, what: string): FieldParse<{ common: Common; tags: Map<string, string> }> {
  const parsed = parseTagList(value);
  if (!parsed.ok) return err('syntax', `${what}: ${parsed.message}`);
  const t = parsed.value.tags;
  const instance = parseInstance(t.get('i'));
  const fail = (message: string) => ({ ...err('syntax', `${what}: ${message}`), instance });
  if (instance === undefined) return fail(t.has('i') ? `bad instance i=${t.get('i')}` : 'no i= tag');
  for (const req of ['a', 'b', 'd', 's']) if (!t.has(req)) return fail(`no ${req}= tag`);
  const a = t.get('a')!;
  const parts = algorithmParts(a);
  // Tag values are case-sensitive here (the ARC suite fails a=RSA-SHA256).
  if (!parts || a !== a.toLowerCase()) return fail(`unsupported algorithm a=${a}`);
  const d = t.get('d')!;
  if (!isValidDomain(d)) return fail(`bad signing domain d=${d}`);
  const s = t.get('s')!;
  if (!isValidDomain(s)) return fail(`bad selector s=${s}`);
  const b = stripFws(t.get('b')!);
  if (b === '' || !isBase64(b)) return fail('b= is not base64');
  let timestamp: number | undefined;
  if (t.has('t')) {
    const v = stripFws(t.get('t')!);
    if (!/^\d{1,12}$/.test(v)) return fail(`bad timestamp t=${t.get('t')}`);
    timestamp = Number(v);
  }
  return ok({ common: { instance, ...parts, algorithm: a, domain: d, selector: s, signature: Buffer.from(b, 'base64'), timestamp }, tags: t });
}

export function parseArcSeal(value: string): FieldParse<ArcSeal> {
  const c = common(value, 'ARC-Seal');
  if (!c.ok) return c;
  const t = c.value.tags;
  const fail = (message: string) => ({ ...err('syntax', `ARC-Seal: ${message}`), instance: c.value.common.instance });
  if (t.has('h')) return fail('h= is not allowed in a seal (RFC 8617 §4.1.3)');
  const cv = t.get('cv');
  if (cv !== 'none' && cv !== 'pass' && cv !== 'fail') return fail(cv === undefined ? 'no cv= tag' : `bad cv=${cv}`);
  return ok({ ...c.value.common, cv });
}

export function parseArcMessageSignature(value: string): FieldParse<ArcMessageSignature> {
  const c = common(value, 'ARC-Message-Signature');
  if (!c.ok) return c;
  const t = c.value.tags;
  const fail = (message: string) => ({ ...err('syntax', `ARC-Message-Signature: ${message}`), instance: c.value.common.instance });
  for (const req of ['bh', 'h']) if (!t.has(req)) return fail(`no ${req}= tag`);
  // The ValiMail suite (ams_fields_c_na) signs an AMS without c= as relaxed/relaxed.
  const canon = t.has('c') ? parseCanonTag(t.get('c')) : { header: 'relaxed' as const, body: 'relaxed' as const };
  if (!canon || (t.has('c') && t.get('c') !== t.get('c')!.toLowerCase())) return fail(`bad canonicalization c=${t.get('c')}`);
  const headers = t
    .get('h')!
    .split(':')
    .map((h) => stripFws(h))
    .filter((h) => h !== '');
  if (headers.some((h) => !/^[\x21-\x39\x3b-\x7e]+$/.test(h))) return fail('bad field name in h=');
  if (headers.some((h) => h.toLowerCase() === 'arc-seal')) return fail('h= includes ARC-Seal (RFC 8617 §4.1.2)');
  const bh = stripFws(t.get('bh')!);
  if (bh === '' || !isBase64(bh)) return fail('bh= is not base64');
  let length: number | undefined;
  if (t.has('l')) {
    const v = stripFws(t.get('l')!);
    if (!/^\d{1,76}$/.test(v)) return fail('bad body length l=');
    length = Number(v);
  }
  return ok({ ...c.value.common, canon, headers, bodyHash: Buffer.from(bh, 'base64'), length });
}

/** The instance of an ARC-Authentication-Results value (`i=N; authserv-id; ...`) and the rest. */
export function parseAarInstance(value: string): Result<{ instance: number; rest: string }, 'syntax'> {
  const m = /^[ \t\r\n]*i[ \t\r\n]*=[ \t\r\n]*([^;]*);([\s\S]*)$/.exec(value);
  if (!m) return err('syntax', 'ARC-Authentication-Results: no i= first');
  const instance = parseInstance(m[1]);
  if (instance === undefined) return err('syntax', `ARC-Authentication-Results: bad instance i=${m[1].trim()}`);
  return ok({ instance, rest: m[2] });
}
