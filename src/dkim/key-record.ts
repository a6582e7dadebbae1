// DKIM key records (RFC 6376 §3.6.1, RFC 8463): v=DKIM1 (first if present),
// k=rsa|ed25519 (default rsa), h= acceptable hashes, s= service types,
// t= flags (y testing, s strict i=/d=), p= the key (empty = revoked).
import { parseTagList, stripFws, isBase64 } from './tag-list.ts';

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

export type KeyRecordResult =
  | { ok: true; record: KeyRecord }
  | { ok: false; error: string; revoked?: boolean };

export function parseKeyRecord(text: string): KeyRecordResult {
  const parsed = parseTagList(text);
  if (!parsed.ok) return { ok: false, error: `bad key record: ${parsed.error}` };
  const { tags, order } = parsed;
  const v = tags.get('v');
  if (v !== undefined) {
    if (order[0] !== 'v') return { ok: false, error: 'bad key record: v= is not the first tag' };
    if (v !== 'DKIM1') return { ok: false, error: `bad key record: unknown version v=${v}` };
  }
  const k = (tags.get('k') ?? 'rsa').toLowerCase();
  if (k !== 'rsa' && k !== 'ed25519') return { ok: false, error: `key type k=${k} not supported` };
  const list = (x: string | undefined) => (x === undefined ? undefined : x.split(':').map((e) => stripFws(e).toLowerCase()).filter(Boolean));
  const services = list(tags.get('s')) ?? ['*'];
  if (!services.includes('*') && !services.includes('email')) return { ok: false, error: `key not for email (s=${services.join(':')})` };
  const flags = list(tags.get('t')) ?? [];
  const p = tags.get('p');
  if (p === undefined) return { ok: false, error: 'bad key record: no p= tag' };
  const data = stripFws(p);
  if (data === '') return { ok: false, error: 'key revoked (empty p=)', revoked: true };
  if (!isBase64(data)) return { ok: false, error: 'bad key record: p= is not base64' };
  return {
    ok: true,
    record: { keyType: k, hashes: list(tags.get('h')), services, flags, testing: flags.includes('y'), strict: flags.includes('s'), p: data, notes: tags.get('n') },
  };
}
