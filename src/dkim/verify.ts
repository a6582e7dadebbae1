// One-pass DKIM verification (RFC 6376 §6): the header is collected (raw bytes
// per field), then the body streams through one BodyCanonicalizer per distinct
// (canonicalisation, l=) feeding one hash per algorithm; at the end each
// signature is evaluated by a generator that yields its key question.
import { createHash, type Hash } from 'node:crypto';
import type { Answer, Question, Resolver } from '../dns/index.ts';
import { txtStrings, run } from '../dns/index.ts';
import { HeaderDecoder, fieldValue, type RawField } from '../mime/header-decoder.ts';
import { BodyCanonicalizer } from './canon-body.ts';
import { parseSignature, type DkimSignature, type SignatureParse } from './signature.ts';
import { parseKeyRecord } from './key-record.ts';
import { publicKeyFromDer, type LoadedKey } from './keys.ts';
import { headerHashData, verifyHeaderData } from './crypto.ts';
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
  /** 1-based line of the DKIM-Signature field. */
  line: number;
}

export interface DkimVerifyOptions {
  now?: Date;
  allowSha1?: boolean;
  allowWeakKeys?: boolean;
  /** Keys given by the user, by `selector:domain` (lower case); used instead of DNS. */
  keys?: Map<string, LoadedKey>;
}

export interface PreparedSignature {
  line: number;
  parsed: SignatureParse;
  /** Filled when the body is done (parsed.ok only). */
  computedBodyHash?: Buffer;
  bodySize?: number;
  headerData?: Buffer;
}

const MAX_HEADER_BYTES = 16 * 1024 * 1024;

export class DkimVerifier {
  readonly fields: RawField[] = [];
  readonly signatures: PreparedSignature[] = [];
  /** The first problem that makes the message unreadable (finish() reports it). */
  private malformed: { line: number; reason: string } | undefined;
  private readonly header = new HeaderDecoder();
  private headerBytes = 0;
  private inBody = false;
  private bodies = new Map<string, { canon: BodyCanonicalizer; hashes: Map<string, Hash>; digests?: Map<string, Buffer> }>();

  constructor(
    private readonly fieldName = 'dkim-signature',
    private readonly maxSignatures = 32,
  ) {}

  /** Feeds a chunk; it is not kept after the call returns. */
  push(chunk: Buffer): void {
    if (this.inBody) {
      for (const b of this.bodies.values()) b.canon.push(chunk);
      return;
    }
    this.headerBytes += chunk.length;
    // The header decoder may keep pieces of a chunk; callers may reuse their
    // buffers (the CLI reads into one), so the header phase works on a copy.
    this.onHeaderEvents(this.header.push(Buffer.from(chunk)));
    if (!this.inBody && this.headerBytes > MAX_HEADER_BYTES && !this.malformed) this.malformed = { line: 0, reason: 'header over 16 MB' };
  }

  /**
   * End of input: finishes the body hashes and prepares each signature, or
   * says why the header cannot be read (`malformed`, with its line; line 0:
   * the header is over 16 MB).
   */
  finish(): Result<PreparedSignature[], 'malformed'> {
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
      const own = this.fields.find((f) => f.line === s.line)!;
      s.headerData = headerHashData(this.fields, sig.headers, own.raw, sig.canon.header);
    }
    if (this.malformed) return err('malformed', this.malformed.reason, this.malformed.line);
    return ok(this.signatures);
  }

  private onHeaderEvents(events: ReturnType<HeaderDecoder['push']>): void {
    for (const e of events) {
      if (e.type === 'field') {
        this.fields.push(e.field);
        if (e.field.name.toLowerCase() === this.fieldName) {
          const parsed: SignatureParse =
            this.signatures.length < this.maxSignatures
              ? parseSignature(fieldValue(e.field.raw).toString('latin1'))
              : err('not-evaluated', `more than ${this.maxSignatures} signatures: not evaluated`);
          this.signatures.push({ line: e.field.line, parsed });
        }
      } else if (e.type === 'malformed') {
        this.malformed ??= { line: e.line, reason: e.reason };
      } else if (e.type === 'too-long') {
        this.malformed ??= { line: e.line, reason: `header field ${e.name} over ${Math.round(e.size / 1024)} KiB` };
      } else if (e.type === 'end') {
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
    line: p.line,
  };
  const result = (status: DkimStatus, reason?: string, extra: Partial<DkimResult> = {}): DkimResult => ({ ...base, status, reason, ...extra });
  const now = Math.floor((opts.now ?? new Date()).getTime() / 1000);
  if (sig.expiration !== undefined && sig.expiration < now) return result('permerror', 'signature expired', { expired: true });
  if (sig.hash === 'sha1' && !opts.allowSha1) return result('policy', 'rsa-sha1 is not accepted (RFC 8301; see --allow-sha1)');
  if (sig.length !== undefined && p.bodySize !== undefined && sig.length > p.bodySize) return result('permerror', `l=${sig.length} is more than the body (${p.bodySize} bytes)`);

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
  if (testing) {
    return result('neutral', `key in testing mode (t=y); the signature ${status === 'pass' ? 'verifies' : `fails: ${reason}`}`, { testing: true, testingResult: status });
  }
  return result(status, reason);
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
  for await (const c of chunks) v.push(c);
  const prepared = v.finish();
  if (!prepared.ok) return prepared;
  return ok(await Promise.all(prepared.value.map((p) => run(evaluateSignature(p, opts), resolver))));
}
