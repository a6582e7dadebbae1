// Reads a message once for ARC: the header fields are kept (raw bytes), the
// ARC fields are grouped by instance, and the body streams through one
// canonicaliser per distinct (c=, l=) of the AMS fields (plus relaxed for a
// new seal), each feeding the hashes it needs. Memory: the header only.
import { createHash, type Hash } from 'node:crypto';
import { HeaderDecoder, fieldValue, type RawField } from '../mime/header-decoder.ts';
import { HeaderKeeper, type SkippedField } from '../mime/header-keeper.ts';
import { BodyCanonicalizer, type Canon, type HashName } from '../dkim/index.ts';
import { parseArcSeal, parseArcMessageSignature, parseAarInstance, MAX_INSTANCE, type ArcSeal, type ArcMessageSignature } from './fields.ts';
import { err, ok, type Result } from '../result.ts';

export interface ArcSet {
  instance: number;
  aar: RawField;
  ams: RawField;
  as: RawField;
  amsParsed: ArcMessageSignature;
  seal: ArcSeal;
}

/** The ARC sets of a message: complete and well-formed 1..N, or why not. */
export type ArcStructure = { kind: 'none' } | { kind: 'ok'; sets: ArcSet[] } | { kind: 'broken'; reason: string; newestCv?: string; sets: Partial<ArcSet>[] };

const ARC_NAMES = new Set(['arc-seal', 'arc-message-signature', 'arc-authentication-results']);

/** SKIPPED tells a placeholder of a field too long to keep (it cannot be read). */
export function arcStructure(fields: readonly RawField[], skipped: (f: RawField) => SkippedField | undefined = () => undefined): ArcStructure {
  const by = new Map<number, { aar: RawField[]; ams: RawField[]; as: RawField[]; amsParsed?: ArcMessageSignature; seal?: ArcSeal }>();
  const errors: string[] = [];
  const slot = (i: number) => {
    let s = by.get(i);
    if (!s) by.set(i, (s = { aar: [], ams: [], as: [] }));
    return s;
  };
  let any = false;
  for (const f of fields) {
    const name = f.name.toLowerCase();
    if (!ARC_NAMES.has(name)) continue;
    any = true;
    const long = skipped(f);
    if (long) {
      errors.push(`line ${f.line}: ${f.name} is too long (${long.size} bytes)`);
      continue;
    }
    const value = fieldValue(f.raw).toString('latin1');
    if (name === 'arc-authentication-results') {
      const r = parseAarInstance(value);
      if (!r.ok) errors.push(`line ${f.line}: ${r.message}`);
      else slot(r.value.instance).aar.push(f);
    } else if (name === 'arc-message-signature') {
      const r = parseArcMessageSignature(value);
      if (!r.ok) {
        errors.push(`line ${f.line}: ${r.message}`);
        if (r.instance) slot(r.instance).ams.push(f);
      } else {
        const s = slot(r.value.instance);
        s.ams.push(f);
        s.amsParsed = r.value;
      }
    } else {
      const r = parseArcSeal(value);
      if (!r.ok) {
        errors.push(`line ${f.line}: ${r.message}`);
        if (r.instance) slot(r.instance).as.push(f);
      } else {
        const s = slot(r.value.instance);
        s.as.push(f);
        s.seal = r.value;
      }
    }
  }
  if (!any) return { kind: 'none' };
  const n = Math.max(0, ...by.keys());
  const partial: Partial<ArcSet>[] = [];
  for (let i = 1; i <= n; i++) {
    const s = by.get(i);
    partial.push({ instance: i, aar: s?.aar[0], ams: s?.ams[0], as: s?.as[0], amsParsed: s?.amsParsed, seal: s?.seal });
  }
  const newestCv = by.get(n)?.seal?.cv;
  const broken = (reason: string): ArcStructure => ({ kind: 'broken', reason, newestCv, sets: partial });
  // RFC 8617 §5.2 step 2: a newest seal that already says fail ends it.
  if (newestCv === 'fail') return broken(`ARC-Seal i=${n} says cv=fail`);
  if (errors.length) return broken(errors[0]);
  if (n > MAX_INSTANCE) return broken(`more than ${MAX_INSTANCE} ARC sets`);
  const sets: ArcSet[] = [];
  for (let i = 1; i <= n; i++) {
    const s = by.get(i);
    if (!s) return broken(`ARC set i=${i} is missing`);
    for (const [k, label] of [['aar', 'ARC-Authentication-Results'], ['ams', 'ARC-Message-Signature'], ['as', 'ARC-Seal']] as const) {
      if (s[k].length === 0) return broken(`${label} i=${i} is missing`);
      if (s[k].length > 1) return broken(`${label} i=${i} appears ${s[k].length} times`);
    }
    const seal = s.seal!;
    if (i === 1 && seal.cv !== 'none') return broken(`ARC-Seal i=1 has cv=${seal.cv} (must be none)`);
    if (i > 1 && seal.cv !== 'pass') return broken(`ARC-Seal i=${i} has cv=${seal.cv} (must be pass)`);
    sets.push({ instance: i, aar: s.aar[0], ams: s.ams[0], as: s.as[0], amsParsed: s.amsParsed!, seal });
  }
  return { kind: 'ok', sets };
}

interface BodyHashes {
  canon: BodyCanonicalizer;
  hashes: Map<HashName, Hash>;
  digests?: Map<HashName, Buffer>;
}

function bodyKey(canon: Canon, length?: number): string {
  return `${canon}|${length ?? ''}`;
}

/** Header bytes given to the decoder at a time. */
const HEADER_SLICE = 4096;

export class ArcReader {
  structure: ArcStructure = { kind: 'none' };
  /** What finish() said: the header fields, or why the header cannot be read. */
  outcome: Result<RawField[], 'malformed'> | undefined;
  private readonly header = new HeaderDecoder();
  private readonly kept = new HeaderKeeper();
  private inBody = false;
  private readonly bodies = new Map<string, BodyHashes>();

  /** `seal`: also hash the body relaxed/sha256 for a new AMS. */
  constructor(private readonly opts: { seal?: boolean } = {}) {}

  /** The header fields kept (a too-long one as an empty placeholder), in order. */
  get fields(): RawField[] {
    return this.kept.fields;
  }

  /** Fields skipped as too long. */
  get skipped(): readonly SkippedField[] {
    return this.kept.skipped;
  }

  /** The skipped field a kept placeholder stands for. */
  skippedAs(f: RawField): SkippedField | undefined {
    return this.kept.skippedAs(f);
  }

  push(chunk: Buffer): void {
    if (this.kept.malformed) return; // unreadable: the rest is ignored
    let at = 0;
    // The header in slices, as DkimVerifier does: a slice's fields come back at once.
    while (!this.inBody && at < chunk.length) {
      const piece = chunk.subarray(at, at + HEADER_SLICE);
      at += piece.length;
      for (const e of this.header.push(piece)) this.onEvent(e);
      if (this.kept.malformed) return;
    }
    if (at < chunk.length) for (const b of this.bodies.values()) b.canon.push(chunk.subarray(at));
  }

  /** End of input: the header fields, or `malformed` (with its line). */
  finish(): Result<RawField[], 'malformed'> {
    if (!this.kept.malformed) {
      if (!this.inBody) for (const e of this.header.finish()) this.onEvent(e);
      if (!this.inBody) this.startBody();
      for (const b of this.bodies.values()) b.canon.finish();
    }
    const bad = this.kept.malformed;
    this.outcome = bad ? err('malformed', bad.reason, bad.line) : ok(this.fields);
    return this.outcome;
  }

  /** The body hash for a canonicalisation, hash and l= (after finish). */
  bodyHash(canon: Canon, hash: HashName, length?: number): { hash: Buffer; size: number } | undefined {
    const b = this.bodies.get(bodyKey(canon, length));
    if (!b) return undefined;
    b.digests ??= new Map([...b.hashes].map(([n, h]) => [n, h.digest()]));
    const d = b.digests.get(hash);
    return d && { hash: d, size: b.canon.length };
  }

  private want(canon: Canon, hash: HashName, length?: number): void {
    const key = bodyKey(canon, length);
    let b = this.bodies.get(key);
    if (!b) {
      const hashes = new Map<HashName, Hash>();
      b = { canon: new BodyCanonicalizer(canon, (data) => hashes.forEach((h) => h.update(data)), length), hashes };
      this.bodies.set(key, b);
    }
    if (!b.hashes.has(hash)) b.hashes.set(hash, createHash(hash));
  }

  private startBody(): void {
    this.inBody = true;
    this.structure = arcStructure(this.fields, (f) => this.kept.skippedAs(f));
    const sets = this.structure.kind === 'none' ? [] : this.structure.sets;
    for (const s of sets) if (s.amsParsed) this.want(s.amsParsed.canon.body, s.amsParsed.hash, s.amsParsed.length);
    if (this.opts.seal) this.want('relaxed', 'sha256');
  }

  private onEvent(e: ReturnType<HeaderDecoder['push']>[number]): void {
    this.kept.take(e);
    if (e.type === 'end') {
      this.startBody();
      if (e.body.length) for (const b of this.bodies.values()) b.canon.push(e.body);
    }
  }
}
