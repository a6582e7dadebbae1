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

/**
 * The fields signed by default where present: dkimpy's set (DKIM.SHOULD),
 * RFC 6376 §5.4.1's list plus Sender, Message-ID, the MIME fields and
 * Resent-Message-ID, so that none of them can be changed unnoticed.
 */
export const DEFAULT_SIGNED_FIELDS = [
  'from', 'sender', 'reply-to', 'subject', 'date', 'message-id', 'to', 'cc', 'mime-version', 'content-type', 'content-transfer-encoding',
  'content-id', 'content-description', 'resent-date', 'resent-from', 'resent-sender', 'resent-to', 'resent-cc', 'resent-message-id',
  'in-reply-to', 'references', 'list-id', 'list-help', 'list-unsubscribe', 'list-subscribe', 'list-post', 'list-owner', 'list-archive',
];

/**
 * Which signed names are listed once more than they are signed, so that no
 * instance can be added above them (RFC 6376 §8.15): `from` (the default, as
 * dkimpy does), every name (`all`), or none.
 */
export type Oversign = 'from' | 'all' | 'none';

export interface DkimSignOptions {
  key: LoadedKey;
  domain: string;
  selector: string;
  hash?: HashName;
  canon?: { header: Canon; body: Canon };
  /**
   * Field names to sign, one instance per time a name is listed (From is
   * always signed); default: every instance of DEFAULT_SIGNED_FIELDS present.
   */
  fields?: string[];
  /** The set signed where present when `fields` is not given (default DEFAULT_SIGNED_FIELDS). */
  defaults?: readonly string[];
  /** Names signed once more than they occur (default `from`; true: all, false: none). */
  oversign?: Oversign | boolean;
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

/**
 * The h= list. Without `fields`: each name of the default set once per
 * present instance (bottom-up selection, RFC 6376 §5.4.2, then takes them
 * all). With `fields`: each name as many times as it is listed, as the
 * original tool does (`-f received -f received` signs two Received fields; a
 * listed name that is absent is signed anyway, which protects its absence).
 * From is always signed. Oversigned names get one entry more.
 */
export function signedFieldNames(fields: readonly RawField[], opts: Pick<DkimSignOptions, 'fields' | 'defaults' | 'oversign'>): string[] {
  const present = new Map<string, number>();
  for (const f of fields) present.set(f.name.toLowerCase(), (present.get(f.name.toLowerCase()) ?? 0) + 1);
  const over: Oversign = opts.oversign === true ? 'all' : opts.oversign === false ? 'none' : (opts.oversign ?? 'from');
  const times = new Map<string, number>(); // in signing order, From first
  times.set('from', Math.max(1, present.get('from') ?? 0));
  if (opts.fields !== undefined) {
    let listedFrom = 0;
    for (const raw of opts.fields) {
      const n = raw.toLowerCase();
      if (n === 'from') listedFrom++;
      else times.set(n, (times.get(n) ?? 0) + 1);
    }
    if (listedFrom) times.set('from', listedFrom);
  } else {
    for (const n of opts.defaults ?? DEFAULT_SIGNED_FIELDS) {
      const c = present.get(n.toLowerCase()) ?? 0;
      if (c > 0 && !times.has(n.toLowerCase())) times.set(n.toLowerCase(), c);
    }
  }
  const names: string[] = [];
  for (const [n, k] of times) {
    const extra = over === 'all' || (over === 'from' && n === 'from') ? 1 : 0;
    for (let i = 0; i < k + extra; i++) names.push(n);
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
