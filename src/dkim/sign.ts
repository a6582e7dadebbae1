// DKIM signing (RFC 6376 §5, RFC 8463): the header is collected, the body
// streams through the canonicaliser into the hash, then the signature field is
// built, folded, and signed over the selected fields and itself (b= empty).
import { createHash, type Hash } from 'node:crypto';
import { HeaderDecoder, type RawField } from '../mime/header-decoder.ts';
import { BodyCanonicalizer } from './canon-body.ts';
import type { Canon } from './canon-header.ts';
import { headerHashData, signHeaderData } from './crypto.ts';
import { foldTags, foldBase64 } from './fold.ts';
import type { LoadedKey } from './keys.ts';
import type { HashName } from './signature.ts';
import { err, ok, type Result } from '../result.ts';

/** RFC 6376 §5.4.1: the fields a signer should sign when present. */
export const RECOMMENDED_FIELDS = [
  'from', 'reply-to', 'subject', 'date', 'to', 'cc', 'resent-date', 'resent-from', 'resent-sender', 'resent-to', 'resent-cc',
  'in-reply-to', 'references', 'list-id', 'list-help', 'list-unsubscribe', 'list-subscribe', 'list-post', 'list-owner', 'list-archive',
];

export interface DkimSignOptions {
  key: LoadedKey;
  domain: string;
  selector: string;
  hash?: HashName;
  canon?: { header: Canon; body: Canon };
  /** Field names to sign (From is always added); default: RECOMMENDED_FIELDS present in the message. */
  fields?: string[];
  /** Also sign one more, absent instance of each name so none can be added. */
  oversign?: boolean;
  /** t= (seconds since the epoch). */
  timestamp?: number;
  /** x= (seconds since the epoch). */
  expiration?: number;
  auid?: string;
  /** Write l= with the canonical body length. */
  bodyLength?: boolean;
  /** The field name (ARC reuses the signer with other names). */
  fieldName?: string;
}

export interface SignedField {
  /** The folded field, CRLF-terminated. */
  field: string;
  /** The h= names signed. */
  headers: string[];
}

/** `malformed`: the header cannot be read (with its line); `no-from`: nothing to sign for (RFC 6376 §5.4). */
export type DkimSignResult = Result<SignedField, 'malformed' | 'no-from'>;

/** The h= list: each chosen name once per present instance (bottom-up selection takes them all). */
export function signedFieldNames(fields: readonly RawField[], opts: Pick<DkimSignOptions, 'fields' | 'oversign'>): string[] {
  const count = new Map<string, number>();
  for (const f of fields) count.set(f.name.toLowerCase(), (count.get(f.name.toLowerCase()) ?? 0) + 1);
  const explicit = opts.fields !== undefined;
  const wanted = ['from', ...(opts.fields ?? RECOMMENDED_FIELDS).map((n) => n.toLowerCase())].filter((n, i, a) => a.indexOf(n) === i);
  const names: string[] = [];
  for (const n of wanted) {
    const c = count.get(n) ?? 0;
    const times = c === 0 ? (explicit ? 1 : 0) : c;
    for (let i = 0; i < times + (opts.oversign && (c > 0 || explicit) ? 1 : 0); i++) names.push(n);
  }
  return names;
}

export class DkimSigner {
  readonly fields: RawField[] = [];
  private malformed: { line: number; reason: string } | undefined;
  private readonly header = new HeaderDecoder();
  private inBody = false;
  private readonly hash: Hash;
  private readonly body: BodyCanonicalizer;

  constructor(private readonly opts: DkimSignOptions) {
    const hashName = opts.key.type === 'ed25519' ? 'sha256' : (opts.hash ?? 'sha256');
    this.hash = createHash(hashName);
    this.body = new BodyCanonicalizer(opts.canon?.body ?? 'relaxed', (b) => this.hash.update(b));
  }

  push(chunk: Buffer): void {
    if (this.inBody) {
      this.body.push(chunk);
      return;
    }
    for (const e of this.header.push(chunk)) this.onEvent(e);
  }

  finish(): DkimSignResult {
    if (!this.inBody) for (const e of this.header.finish()) this.onEvent(e);
    this.body.finish();
    if (this.malformed) return err('malformed', this.malformed.reason, this.malformed.line);
    const o = this.opts;
    if (!this.fields.some((f) => f.name.toLowerCase() === 'from')) return err('no-from', 'the message has no From field (RFC 6376 §5.4 requires signing it)');
    const hashName: HashName = o.key.type === 'ed25519' ? 'sha256' : (o.hash ?? 'sha256');
    const canon = o.canon ?? { header: 'relaxed', body: 'relaxed' };
    const names = signedFieldNames(this.fields, o);
    const tags: Array<[string, string]> = [
      ['v', '1'],
      ['a', `${o.key.type}-${hashName}`],
      ['c', `${canon.header}/${canon.body}`],
      ['d', o.domain],
      ['s', o.selector],
    ];
    if (o.auid !== undefined) tags.push(['i', dkimQuotedPrintable(o.auid)]);
    if (o.timestamp !== undefined) tags.push(['t', String(o.timestamp)]);
    if (o.expiration !== undefined) tags.push(['x', String(o.expiration)]);
    if (o.bodyLength) tags.push(['l', String(this.body.length)]);
    tags.push(['h', names.join(':')], ['bh', this.hash.digest('base64')], ['b', '']);
    const folded = foldTags(o.fieldName ?? 'DKIM-Signature', tags);
    const unsigned = Buffer.from(folded.text, 'latin1');
    const data = headerHashData(this.fields, names, unsigned, canon.header);
    const signature = signHeaderData(o.key.type, hashName, data, o.key.key).toString('base64');
    foldBase64(folded, signature);
    return ok({ field: `${folded.text}\r\n`, headers: names });
  }

  private onEvent(e: ReturnType<HeaderDecoder['push']>[number]): void {
    if (e.type === 'field') this.fields.push(e.field);
    else if (e.type === 'malformed') this.malformed ??= { line: e.line, reason: e.reason };
    else if (e.type === 'too-long') this.malformed ??= { line: e.line, reason: `header field ${e.name} is too long` };
    else if (e.type === 'end') {
      this.inBody = true;
      if (e.body.length) this.body.push(e.body);
    }
  }
}

/** i= in dkim-quoted-printable: only VALCHARs other than ';' and '=' stay as they are. */
function dkimQuotedPrintable(s: string): string {
  return Array.from(Buffer.from(s, 'utf8'))
    .map((b) => (b > 0x20 && b < 0x7f && b !== 0x3b && b !== 0x3d ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
}
