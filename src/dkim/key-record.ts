// DKIM key records (RFC 6376 §3.6.1, RFC 8463): v=DKIM1 (first if present),
// k=rsa|ed25519 (default rsa), h= acceptable hashes, s= service types,
// t= flags (y testing, s strict i=/d=), p= the key (empty = revoked).
import { parseTagList, stripFws, isBase64 } from './tag-list.ts';
import { err, ok, type Result } from '../result.ts';

export type KeyType = 'rsa' | 'ed25519';

export interface KeyRecord {
  keyType: KeyType;
  /** Hash algorithms the key may be used with; undefined = any. */
  hashes?: string[];
  services: string[];
  flags: string[];
  testing: boolean;
  strict: boolean;
  /** The public key data (base64, FWS removed). */
  p: string;
  notes?: string;
}

/**
 * `syntax`: not a key record; `version`: v= other than DKIM1 or not first;
 * `unsupported`: a k= other than rsa or ed25519; `not-email`: s= excludes
 * email; `revoked`: an empty p= (RFC 6376 §3.6.1).
 */
export type KeyRecordResult = Result<KeyRecord, 'syntax' | 'version' | 'unsupported' | 'not-email' | 'revoked'>;

export function parseKeyRecord(text: string): KeyRecordResult {
  const parsed = parseTagList(text);
  if (!parsed.ok) return err('syntax', `bad key record: ${parsed.message}`);
  const { tags, order } = parsed.value;
  const v = tags.get('v');
  if (v !== undefined) {
    if (order[0] !== 'v') return err('version', 'bad key record: v= is not the first tag');
    if (v !== 'DKIM1') return err('version', `bad key record: unknown version v=${v}`);
  }
  const k = (tags.get('k') ?? 'rsa').toLowerCase();
  if (k !== 'rsa' && k !== 'ed25519') return err('unsupported', `key type k=${k} not supported`);
  const list = (x: string | undefined) => (x === undefined ? undefined : x.split(':').map((e) => stripFws(e).toLowerCase()).filter(Boolean));
  const services = list(tags.get('s')) ?? ['*'];
  if (!services.includes('*') && !services.includes('email')) return err('not-email', `key not for email (s=${services.join(':')})`);
  const flags = list(tags.get('t')) ?? [];
  const p = tags.get('p');
  if (p === undefined) return err('syntax', 'bad key record: no p= tag');
  const data = stripFws(p);
  if (data === '') return err('revoked', 'key revoked (empty p=)');
  if (!isBase64(data)) return err('syntax', 'bad key record: p= is not base64');
  return ok({ keyType: k, hashes: list(tags.get('h')), services, flags, testing: flags.includes('y'), strict: flags.includes('s'), p: data, notes: tags.get('n') });
}
