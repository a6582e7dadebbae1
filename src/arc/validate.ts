// ARC chain validation (RFC 8617 §5.2): structure first (arcStructure), then
// the newest AMS like a DKIM signature, then every seal from the newest down.
// Every set is still looked at so a report can show where the chain broke.
import type { Answer, Question } from '../dns/index.ts';
import { txtStrings } from '../dns/index.ts';
import {
  canonicalizeHeaderRelaxed,
  canonicalizeSignatureField,
  removeSignatureValue,
  headerHashData,
  verifyHeaderData,
  parseKeyRecord,
  publicKeyFromDer,
  selectHeaders,
  unsignedDuplicates,
  exposure,
  type LoadedKey,
  type KeyType,
  type UnsignedField,
} from '../dkim/index.ts';
import type { RawField } from '../mime/header-decoder.ts';
import type { ArcReader, ArcSet } from './reader.ts';
import type { ChainStatus } from './fields.ts';
import { err, ok, type Result } from '../result.ts';

export type SetCheck = 'pass' | 'fail' | 'temperror' | 'unchecked';

export interface ArcSetResult {
  instance: number;
  /** AS d= (or AMS d=) of the set, when known. */
  domain?: string;
  selector?: string;
  seal: SetCheck;
  sealReason?: string;
  ams: SetCheck;
  amsReason?: string;
  /** Once-only fields with a copy the AMS does not sign (RFC 6376 §8.15, as for DKIM). */
  unsignedFields?: UnsignedField[];
  /** Canonical body bytes after the AMS l= (not signed). */
  unsignedBodyBytes?: number;
}

export interface ArcResult {
  status: ChainStatus | 'temperror';
  reason?: string;
  sets: ArcSetResult[];
  /** RFC 8617 §5.2 oldest-pass: the lowest instance whose AMS still verifies (0 = all). */
  oldestPass?: number;
  /** The highest instance (0 = none). */
  instances: number;
}

export interface ArcVerifyOptions {
  /** Keys given by the user, by `selector:domain` (lower case). */
  keys?: Map<string, LoadedKey>;
  allowSha1?: boolean;
  allowWeakKeys?: boolean;
  /** Keep the bare result when a once-only field has an unsigned copy. */
  allowUnsignedDuplicates?: boolean;
  /** Fail an AMS whose l= leaves body bytes unsigned. */
  strict?: boolean;
}

/** A key, or why not: `temperror` (the lookup may work later) or `fail`. */
type KeyLookup = Result<LoadedKey, 'temperror' | 'fail'>;

/** Fetches (once per selector and domain) and checks a public key. */
export function* lookupKey(selector: string, domain: string, keyType: KeyType, cache: Map<string, KeyLookup>, opts: ArcVerifyOptions): Generator<Question, KeyLookup, Answer> {
  const id = `${selector}:${domain}`.toLowerCase();
  const given = opts.keys?.get(id);
  if (given) return given.type === keyType ? ok(given) : err('fail', `key is ${given.type}`);
  let r = cache.get(id);
  if (!r) {
    const a = (yield { name: `${selector}._domainkey.${domain}`, type: 'TXT' }) as Answer<'TXT'>;
    if (!a.ok) r = err(a.error !== 'nxdomain' && a.error !== 'nodata' ? 'temperror' : 'fail', `key lookup ${selector}._domainkey.${domain}: ${a.error}`);
    else {
      const rec = parseKeyRecord(txtStrings(a)[0] ?? '');
      if (!rec.ok) r = err('fail', rec.message);
      else {
        const k = publicKeyFromDer(Buffer.from(rec.value.p, 'base64'), rec.value.keyType);
        r = k.ok ? ok(k.value) : err('fail', k.message);
      }
    }
    cache.set(id, r);
  }
  if (r.ok && r.value.type !== keyType) return err('fail', `key is ${r.value.type}`);
  if (r.ok && r.value.type === 'rsa' && (r.value.bits ?? 0) < 1024 && !opts.allowWeakKeys) return err('fail', `RSA key of ${r.value.bits} bits is too weak (RFC 8301)`);
  return r;
}

/** The data an ARC-Seal of instance `i` signs: AAR, AMS, AS of sets 1..i, the last AS without its b= value. */
export function sealHashData(sets: readonly { aar: RawField | Buffer; ams: RawField | Buffer; as: RawField | Buffer }[]): Buffer {
  const raw = (f: RawField | Buffer) => (Buffer.isBuffer(f) ? f : f.raw);
  const parts: Buffer[] = [];
  sets.forEach((s, j) => {
    parts.push(canonicalizeHeaderRelaxed(raw(s.aar)), canonicalizeHeaderRelaxed(raw(s.ams)));
    if (j < sets.length - 1) parts.push(canonicalizeHeaderRelaxed(raw(s.as)));
    else parts.push(canonicalizeSignatureField(removeSignatureValue(raw(s.as)), 'relaxed'));
  });
  return Buffer.concat(parts);
}

function* checkAms(reader: ArcReader, set: ArcSet, cache: Map<string, KeyLookup>, opts: ArcVerifyOptions, out: ArcSetResult): Generator<Question, [SetCheck, string?], Answer> {
  const ams = set.amsParsed;
  if (ams.hash === 'sha1' && !opts.allowSha1) return ['fail', 'rsa-sha1 is not accepted (RFC 8301)'];
  const body = reader.bodyHash(ams.canon.body, ams.hash, ams.length);
  if (!body) return ['fail', 'no body hash'];
  if (ams.length !== undefined && ams.length > body.size) return ['fail', `l=${ams.length} is more than the body`];
  if (ams.length !== undefined && body.size > ams.length) out.unsignedBodyBytes = body.size - ams.length;
  out.unsignedFields = unsignedDuplicates(reader.fields, ams.headers);
  if (!body.hash.equals(ams.bodyHash)) return ['fail', 'body hash did not verify'];
  for (const f of selectHeaders(reader.fields, ams.headers)) {
    const k = f && reader.skippedAs(f);
    if (k) return ['fail', `h= covers the ${k.name} field at line ${k.line}, too long to check (${k.size} bytes)`];
  }
  const key = yield* lookupKey(ams.selector, ams.domain, ams.keyType, cache, opts);
  if (!key.ok) return [key.error, key.message];
  const data = headerHashData(reader.fields, ams.headers, set.ams.raw, ams.canon.header);
  if (!verifyHeaderData(ams.keyType, ams.hash, data, ams.signature, key.value.key)) return ['fail', 'signature did not verify'];
  const [status, reason] = exposure(out, opts);
  return [status === 'pass' ? 'pass' : 'fail', reason];
}

function* checkSeal(sets: readonly ArcSet[], i: number, cache: Map<string, KeyLookup>, opts: ArcVerifyOptions): Generator<Question, [SetCheck, string?], Answer> {
  const seal = sets[i - 1].seal;
  if (seal.hash === 'sha1' && !opts.allowSha1) return ['fail', 'rsa-sha1 is not accepted (RFC 8301)'];
  const key = yield* lookupKey(seal.selector, seal.domain, seal.keyType, cache, opts);
  if (!key.ok) return [key.error, key.message];
  const data = sealHashData(sets.slice(0, i));
  return verifyHeaderData(seal.keyType, seal.hash, data, seal.signature, key.value.key) ? ['pass'] : ['fail', 'seal did not verify'];
}

/** Validates the chain of a finished reader; yields key questions. */
export function* evaluateArc(reader: ArcReader, opts: ArcVerifyOptions = {}): Generator<Question, ArcResult, Answer> {
  const st = reader.structure;
  if (st.kind === 'none') return { status: 'none', sets: [], instances: 0 };
  if (st.kind === 'broken') {
    const sets = st.sets.map((s) => ({ instance: s.instance!, domain: s.seal?.domain ?? s.amsParsed?.domain, selector: s.seal?.selector, seal: 'unchecked' as SetCheck, ams: 'unchecked' as SetCheck }));
    return { status: 'fail', reason: st.reason, sets, instances: sets.length };
  }
  const sets = st.sets;
  const cache = new Map<string, KeyLookup>();
  const results: ArcSetResult[] = sets.map((s) => ({ instance: s.instance, domain: s.seal.domain, selector: s.seal.selector, seal: 'unchecked', ams: 'unchecked' }));
  const n = sets.length;
  // Every AMS (only the newest decides; the others give oldest-pass).
  let oldestPass = 0;
  for (let i = n; i >= 1; i--) {
    const [r, why] = yield* checkAms(reader, sets[i - 1], cache, opts, results[i - 1]);
    results[i - 1].ams = r;
    results[i - 1].amsReason = why;
    if (r !== 'pass' && oldestPass === 0) oldestPass = i + 1;
  }
  for (let i = n; i >= 1; i--) {
    const [r, why] = yield* checkSeal(sets, i, cache, opts);
    results[i - 1].seal = r;
    results[i - 1].sealReason = why;
  }
  const base = { sets: results, instances: n, oldestPass: oldestPass > n ? undefined : oldestPass };
  const newest = results[n - 1];
  if (newest.ams === 'temperror') return { ...base, status: 'temperror', reason: `AMS i=${n}: ${newest.amsReason}` };
  if (newest.ams !== 'pass') return { ...base, status: 'fail', reason: `ARC-Message-Signature i=${n}: ${newest.amsReason}` };
  for (let i = n; i >= 1; i--) {
    const r = results[i - 1];
    if (r.seal === 'temperror') return { ...base, status: 'temperror', reason: `ARC-Seal i=${i}: ${r.sealReason}` };
    if (r.seal !== 'pass') return { ...base, status: 'fail', reason: `ARC-Seal i=${i}: ${r.sealReason}` };
  }
  // A pass that leaves body bytes unsigned says so (the newest AMS decides, RFC 8617 §5.2).
  return { ...base, status: 'pass', reason: newest.amsReason ? `ARC-Message-Signature i=${n}: ${newest.amsReason}` : undefined };
}
