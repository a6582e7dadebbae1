// A whole message from a description: header fields, and either a body (with
// its media type, parameters, transfer encoding and disposition) or a list of
// parts under a multipart type. For tests and small messages, the in-memory
// counterpart of make | wrap | put; the commands stream instead.
import { Base64Encoder } from './base64-encoder.ts';
import { QuotedPrintableEncoder } from './qp-encoder.ts';
import { checkEncoding, chooseEncoding, scanBody, type TransferEncoding } from './encoding-choice.ts';
import { encodeHeaderFields, type HeaderFieldSpec } from './field-encoder.ts';
import { encodeContentValue, encodeParameter } from './param-encoder.ts';
import { IdentifierSource } from './identifiers.ts';
import { ok, type Result } from '../../result.ts';
import type { FieldError } from './field-encoder.ts';

export interface LeafSpec {
  fields: HeaderFieldSpec[];
  type: string; // type/subtype
  params?: [string, string][];
  encoding?: TransferEncoding | 'auto';
  disposition?: { type: string; filename?: string };
  body: Uint8Array;
}
export interface MultipartSpec {
  fields: HeaderFieldSpec[];
  subtype: string;
  boundary?: string;
  parts: MimeSpec[];
}
export type MimeSpec = LeafSpec | MultipartSpec;

export interface BuildOptions {
  utf8?: boolean;
  ids?: IdentifierSource;
  /** Write MIME-Version: 1.0 at the top (default true). */
  mimeVersion?: boolean;
}

/** The message in wire form, or why it cannot be written (a field, or `unsafe`: an encoding that would corrupt a body). */
export type BuildResult = Result<Buffer, FieldError | 'unsafe'>;

function isMultipart(s: MimeSpec): s is MultipartSpec {
  return (s as MultipartSpec).parts !== undefined;
}

function encodeLeafBody(enc: TransferEncoding, text: boolean, body: Uint8Array, top: boolean): Buffer {
  if (enc === 'base64') {
    const e = new Base64Encoder({ finalNewline: top });
    return Buffer.concat([e.push(body), e.finish()]);
  }
  if (enc === 'quoted-printable') {
    const e = new QuotedPrintableEncoder({ text, finalNewline: top });
    return Buffer.concat([e.push(body), e.finish()]);
  }
  return Buffer.from(body);
}

function build(spec: MimeSpec, opts: BuildOptions, top: boolean, parentBoundaries: string[]): BuildResult {
  const ids = opts.ids ?? new IdentifierSource();
  const specs: HeaderFieldSpec[] = [...spec.fields];
  if (top && opts.mimeVersion !== false) specs.push({ kind: 'structured', name: 'MIME-Version', value: '1.0' });
  if (isMultipart(spec)) {
    const boundary = spec.boundary ?? ids.boundary();
    specs.push({ kind: 'structured', name: 'Content-Type', value: encodeContentValue(`multipart/${spec.subtype}`, [['boundary', boundary]], opts) });
    const h = encodeHeaderFields(specs, opts);
    if (!h.ok) return h;
    const out: Buffer[] = [Buffer.from(h.value + '\r\n', 'utf8')];
    for (const p of spec.parts) {
      const r = build(p, opts, false, [...parentBoundaries, boundary]);
      if (!r.ok) return r;
      out.push(Buffer.from(`--${boundary}\r\n`, 'latin1'), r.value, Buffer.from('\r\n', 'latin1'));
    }
    out.push(Buffer.from(`--${boundary}--\r\n`, 'latin1'));
    return ok(Buffer.concat(out));
  }
  const text = spec.type.startsWith('text/');
  // the body must hold no delimiter of any enclosing multipart
  let enc = spec.encoding ?? 'auto';
  const stats = parentBoundaries.map((b) => scanBody(spec.body, b));
  const s0 = stats[0] ?? scanBody(spec.body);
  const delimiterInside = stats.some((s) => s.boundaryLine);
  if (enc === 'auto') enc = delimiterInside ? 'quoted-printable' : chooseEncoding(s0, { mustEndWithCRLF: top });
  if (enc === '7bit' || enc === '8bit' || enc === 'binary') {
    const safe = checkEncoding(enc, { ...s0, boundaryLine: delimiterInside });
    if (!safe.ok) return safe;
  }
  specs.push({ kind: 'structured', name: 'Content-Type', value: encodeContentValue(spec.type, spec.params ?? [], opts) });
  specs.push({ kind: 'structured', name: 'Content-Transfer-Encoding', value: enc });
  if (spec.disposition) {
    const segs = [spec.disposition.type];
    if (spec.disposition.filename !== undefined) segs.push(...encodeParameter('filename', spec.disposition.filename, opts));
    specs.push({ kind: 'structured', name: 'Content-Disposition', value: segs.join('; ') });
  }
  const h = encodeHeaderFields(specs, opts);
  if (!h.ok) return h;
  return ok(Buffer.concat([Buffer.from(h.value + '\r\n', 'utf8'), encodeLeafBody(enc, text, spec.body, top)]));
}

/** The wire form of a message described by `spec`. */
export function buildMessage(spec: MimeSpec, opts: BuildOptions = {}): BuildResult {
  return build(spec, opts, true, []);
}
