// One-pass DKIM verification (RFC 6376 §6): the header is collected (raw bytes
// per field), then the body streams through one BodyCanonicalizer per distinct
// (canonicalisation, l=) feeding one hash per algorithm; at the end each
// signature is evaluated by a generator that yields its key question.
import { createHash, type Hash } from 'node:crypto';
import type { Answer, Question, Resolver } from '../dns/index.ts';
import { txtStrings, run } from '../dns/index.ts';
import { HeaderDecoder, fieldValue, type RawField } from '../mime/header-decoder.ts';
import { HeaderKeeper, type SkippedField } from '../mime/header-keeper.ts';
import { BodyCanonicalizer } from './canon-body.ts';
import { parseSignature, type DkimSignature, type SignatureParse } from './signature.ts';
import { parseKeyRecord } from './key-record.ts';
import { publicKeyFromDer, type LoadedKey } from './keys.ts';
import { headerHashData, verifyHeaderData } from './crypto.ts';
import { selectHeaders } from './select.ts';
import { unsignedDuplicates, unsignedDuplicatesReason, type UnsignedField } from './duplicates.ts';
import { err, ok, type Result } from '../result.ts';

export type DkimStatus = 'pass' | 'fail' | 'permerror' | 'temperror' | 'policy' | 'neutral';

export interface DkimResult {
  status: DkimStatus;
  reason?: string;
  domain?: string;
  selector?: string;
  auid?: string;
  algorithm?: string;
  canon?: string;
  /** Signed field names (h=). */
  fields?: string[];
  /** l= when present, and the canonical body length seen. */
  bodyLength?: number;
  bodySize?: number;
  timestamp?: number;
  expiration?: number;
  expired?: boolean;
  /** The key record has t=y: the result is neutral, `testingResult` says what the check gave. */
  testing?: boolean;
  testingResult?: DkimStatus;
  /** Instances of once-only fields the signature leaves unsigned beside a signed one (RFC 6376 §8.15). */
  unsignedFields?: UnsignedField[];
  /** Canonical body bytes after l= that the signature does not cover (RFC 6376 §8.2). */
  unsignedBodyBytes?: number;
  /** 1-based line of the DKIM-Signature field. */
  line: number;
}

export interface DkimVerifyOptions {
  now?: Date;
  allowSha1?: boolean;
  allowWeakKeys?: boolean;
  /** Keys given by the user, by `selector:domain` (lower case); used instead of DNS. */
  keys?: Map<string, LoadedKey>;
  /** Keep the bare RFC 6376 result when a once-only field has an unsigned copy (§8.15). */
  allowUnsignedDuplicates?: boolean;
  /** Fail a signature whose l= leaves body bytes unsigned (§8.2). */
  strict?: boolean;
  /** verifyDkimMessage: told of each header field skipped as too long (the caller warns). */
  onSkipped?: (field: SkippedField) => void;
}

export interface PreparedSignature {
  line: number;
  parsed: SignatureParse;
  /** Filled when the body is done (parsed.ok only). */
  computedBodyHash?: Buffer;
  bodySize?: number;
  headerData?: Buffer;
  /** Once-only fields with an unsigned copy (filled by finish). */
  unsignedFields?: UnsignedField[];
  /** A field h= selects that was too long to keep: the signature cannot be checked. */
  coversSkipped?: SkippedField;
}

/** Header bytes given to the decoder at a time (see push). */
const HEADER_SLICE = 4096;

export class DkimVerifier {
  readonly signatures: PreparedSignature[] = [];
  private readonly header = new HeaderDecoder();
  private readonly kept = new HeaderKeeper();
  private inBody = false;
  private bodies = new Map<string, { canon: BodyCanonicalizer; hashes: Map<string, Hash>; digests?: Map<string, Buffer> }>();

  constructor(
    private readonly fieldName = 'dkim-signature',
    private readonly maxSignatures = 32,
  ) {}

  /** Feeds a chunk; it is not kept after the call returns. Once the header is unreadable (`refused`) the rest is ignored. */
  push(chunk: Buffer): void {
    if (this.kept.malformed) return;
    let at = 0;
    // The header goes to the decoder in slices: it returns a slice's fields at
    // once, and a megabyte of tiny fields would be a hundred thousand of them
    // alive together, past any budget. The decoder may keep pieces of a slice
    // and callers may reuse their buffers (the CLI reads into one): a copy.
    while (!this.inBody && at < chunk.length) {
      const piece = chunk.subarray(at, at + HEADER_SLICE);
      at += piece.length;
      this.onHeaderEvents(this.header.push(Buffer.from(piece)));
      if (this.kept.malformed) return;
    }
    if (at < chunk.length) for (const b of this.bodies.values()) b.canon.push(chunk.subarray(at));
  }

  /** The header fields kept (a too-long one as an empty placeholder), in order. */
  get fields(): RawField[] {
    return this.kept.fields;
  }

  /** Fields skipped as too long (the caller warns about them). */
  get skipped(): readonly SkippedField[] {
    return this.kept.skipped;
  }

  /** Whether the header was found unreadable already (the caller may stop reading). */
  get refused(): boolean {
    return this.kept.malformed !== undefined;
  }

  /**
   * End of input: finishes the body hashes and prepares each signature, or
   * says why the header cannot be read (`malformed`, with its line): a line
   * that is no field, or more fields than the verifier keeps (HeaderKeeper).
   */
  finish(): Result<PreparedSignature[], 'malformed'> {
    const bad = this.kept.malformed;
    if (bad) return err('malformed', bad.reason, bad.line);
    if (!this.inBody) this.onHeaderEvents(this.header.finish());
    for (const b of this.bodies.values()) b.canon.finish();
    for (const s of this.signatures) {
      if (!s.parsed.ok) continue;
      const sig = s.parsed.value;
      const b = this.bodies.get(bodyKey(sig))!;
      // Several signatures may share one hash: digest it once.
      b.digests ??= new Map([...b.hashes].map(([name, h]) => [name, h.digest()]));
      s.computedBodyHash = b.digests.get(sig.hash)!;
      s.bodySize = b.canon.length;
      s.unsignedFields = unsignedDuplicates(this.fields, sig.headers);
      for (const f of selectHeaders(this.fields, sig.headers)) {
        const skipped = f && this.kept.skippedAs(f);
        if (skipped) s.coversSkipped ??= skipped;
      }
      const own = this.fields.find((f) => f.line === s.line)!;
      s.headerData = headerHashData(this.fields, sig.headers, own.raw, sig.canon.header);
    }
    const late = this.kept.malformed;
    if (late) return err('malformed', late.reason, late.line);
    return ok(this.signatures);
  }

  private onHeaderEvents(events: ReturnType<HeaderDecoder['push']>): void {
    for (const e of events) {
      const field = this.kept.take(e);
      if (field && field.name.toLowerCase() === this.fieldName) {
        const skipped = this.kept.skippedAs(field);
        const parsed: SignatureParse = skipped
          ? err('syntax', `the signature field is too long (${skipped.size} bytes)`)
          : this.signatures.length < this.maxSignatures
            ? parseSignature(fieldValue(field.raw).toString('latin1'))
            : err('not-evaluated', `more than ${this.maxSignatures} signatures: not evaluated`);
        this.signatures.push({ line: field.line, parsed });
      }
      if (e.type === 'end') {
        this.startBody();
        if (e.body.length) for (const b of this.bodies.values()) b.canon.push(e.body);
      }
    }
  }

  private startBody(): void {
    this.inBody = true;
    for (const s of this.signatures) {
      if (!s.parsed.ok) continue;
      const sig = s.parsed.value;
      const key = bodyKey(sig);
      let b = this.bodies.get(key);
      if (!b) {
        const hashes = new Map<string, Hash>();
        const canon = new BodyCanonicalizer(sig.canon.body, (data) => {
          for (const h of hashes.values()) h.update(data);
        }, sig.length);
        b = { canon, hashes };
        this.bodies.set(key, b);
      }
      if (!b.hashes.has(sig.hash)) b.hashes.set(sig.hash, createHash(sig.hash));
    }
  }
}

// Parsed keys by record data: a batch signed by one domain parses its key once.
const keyCache = new Map<string, ReturnType<typeof publicKeyFromDer>>();
function cachedPublicKey(p: string, type: LoadedKey['type']): ReturnType<typeof publicKeyFromDer> {
  const k = `${type}:${p}`;
  let v = keyCache.get(k);
  if (!v) {
    v = publicKeyFromDer(Buffer.from(p, 'base64'), type);
    if (keyCache.size >= 256) keyCache.delete(keyCache.keys().next().value!);
    keyCache.set(k, v);
  }
  return v;
}

function bodyKey(sig: DkimSignature): string {
  return `${sig.canon.body}|${sig.length ?? ''}`;
}

/** The key question for a signature. */
export function keyQuestion(sig: { selector: string; domain: string }): Question {
  return { name: `${sig.selector}._domainkey.${sig.domain}`, type: 'TXT' };
}

/** Evaluates one prepared signature; yields at most one DNS question (its key). */
export function* evaluateSignature(p: PreparedSignature, opts: DkimVerifyOptions = {}): Generator<Question, DkimResult, Answer> {
  const parsed = p.parsed;
  if (!parsed.ok) {
    return { status: 'permerror', reason: parsed.message, domain: parsed.domain, selector: parsed.selector, fields: parsed.headers, line: p.line };
  }
  const sig = parsed.value;
  const base: DkimResult = {
    status: 'permerror',
    domain: sig.domain,
    selector: sig.selector,
    auid: sig.auid,
    algorithm: sig.algorithm,
    canon: `${sig.canon.header}/${sig.canon.body}`,
    fields: sig.headers,
    bodyLength: sig.length,
    bodySize: p.bodySize,
    timestamp: sig.timestamp,
    expiration: sig.expiration,
    unsignedFields: p.unsignedFields,
    unsignedBodyBytes: sig.length !== undefined && p.bodySize !== undefined && p.bodySize > sig.length ? p.bodySize - sig.length : undefined,
    line: p.line,
  };
  const result = (status: DkimStatus, reason?: string, extra: Partial<DkimResult> = {}): DkimResult => ({ ...base, status, reason, ...extra });
  const now = Math.floor((opts.now ?? new Date()).getTime() / 1000);
  if (sig.expiration !== undefined && sig.expiration < now) return result('permerror', 'signature expired', { expired: true });
  if (sig.hash === 'sha1' && !opts.allowSha1) return result('policy', 'rsa-sha1 is not accepted (RFC 8301; see --allow-sha1)');
  if (sig.length !== undefined && p.bodySize !== undefined && sig.length > p.bodySize) return result('permerror', `l=${sig.length} is more than the body (${p.bodySize} bytes)`);
  if (p.coversSkipped) {
    const k = p.coversSkipped;
    return result('permerror', `h= covers the ${k.name} field at line ${k.line}, too long to check (${k.size} bytes)`);
  }

  let key: LoadedKey;
  let testing = false;
  const given = opts.keys?.get(`${sig.selector}:${sig.domain}`.toLowerCase());
  if (given) {
    key = given;
    if (key.type !== sig.keyType) return result('permerror', `key is ${key.type}, signature is ${sig.algorithm}`);
  } else {
    const answer = (yield keyQuestion(sig)) as Answer<'TXT'>;
    if (!answer.ok) {
      if (answer.error === 'nxdomain' || answer.error === 'nodata') return result('permerror', `no key for signature (${answer.error})`);
      return result('temperror', `key lookup failed (${answer.error})`);
    }
    const texts = txtStrings(answer);
    const rec = parseKeyRecord(texts[0]);
    if (!rec.ok) return result('permerror', rec.message);
    const r = rec.value;
    if (r.keyType !== sig.keyType) return result('permerror', `key type k=${r.keyType} does not match a=${sig.algorithm}`);
    if (r.hashes && !r.hashes.includes(sig.hash)) return result('permerror', `key does not allow ${sig.hash} (h=${r.hashes.join(':')})`);
    if (r.strict) {
      const idom = sig.auid.slice(sig.auid.lastIndexOf('@') + 1).toLowerCase();
      if (idom !== sig.domain.toLowerCase()) return result('permerror', `key has t=s and i= domain ${idom} is not d=${sig.domain}`);
    }
    const loaded = cachedPublicKey(r.p, r.keyType);
    if (!loaded.ok) return result('permerror', `bad key: ${loaded.message}`);
    key = loaded.value;
    testing = r.testing;
  }
  if (key.type === 'rsa' && (key.bits ?? 0) < 1024 && !opts.allowWeakKeys) {
    return result('policy', `RSA key of ${key.bits} bits is too weak (RFC 8301; see --allow-weak-keys)`);
  }
  let status: DkimStatus = 'pass';
  let reason: string | undefined;
  if (!p.computedBodyHash!.equals(sig.bodyHash)) {
    status = 'fail';
    reason = 'body hash did not verify';
  } else if (!verifyHeaderData(sig.keyType, sig.hash, p.headerData!, sig.signature, key.key)) {
    status = 'fail';
    reason = 'signature did not verify';
  }
  if (status === 'pass') [status, reason] = exposure(base, opts);
  if (testing) {
    return result('neutral', `key in testing mode (t=y); the signature ${status === 'pass' ? 'verifies' : `fails: ${reason}`}`, { testing: true, testingResult: status });
  }
  return result(status, reason);
}

/**
 * What a verified signature leaves exposed: unsigned copies of signed
 * once-only fields (RFC 6376 §8.15: a fail unless allowed), body bytes after
 * l= (§8.2: a pass that says so, a fail with `strict`).
 */
export function exposure(r: { unsignedFields?: UnsignedField[]; unsignedBodyBytes?: number }, opts: { allowUnsignedDuplicates?: boolean; strict?: boolean }): [DkimStatus, string | undefined] {
  if (r.unsignedFields?.length && !opts.allowUnsignedDuplicates) return ['fail', unsignedDuplicatesReason(r.unsignedFields)];
  if (r.unsignedBodyBytes) {
    const n = r.unsignedBodyBytes;
    const what = `${n} unsigned byte${n === 1 ? '' : 's'} after l=`;
    return opts.strict ? ['fail', `${what} (strict)`] : ['pass', what];
  }
  return ['pass', undefined];
}

/** The verdict of every signature, or `malformed` when the header cannot be read (with its line). */
export type VerifyMessageResult = Result<DkimResult[], 'malformed'>;

/**
 * Verifies every signature of a message given as chunks (CRLF), asking the
 * resolver for keys. A chunk may be reused by the caller once the next one is
 * asked for (the verifier copies what it keeps).
 */
export async function verifyDkimMessage(
  chunks: AsyncIterable<Buffer> | Iterable<Buffer>,
  resolver: Resolver,
  opts: DkimVerifyOptions = {},
): Promise<VerifyMessageResult> {
  const v = new DkimVerifier();
  for await (const c of chunks) {
    v.push(c);
    if (v.refused) break; // unreadable: the rest need not be read
  }
  const prepared = v.finish();
  for (const s of v.skipped) opts.onSkipped?.(s);
  if (!prepared.ok) return prepared;
  return ok(await Promise.all(prepared.value.map((p) => run(evaluateSignature(p, opts), resolver))));
}
