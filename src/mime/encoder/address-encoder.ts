// Writing addresses (RFC 5322 §3.4): display names as atoms, a quoted-string,
// or RFC 2047 encoded-words; local parts as a dot-atom or a quoted-string;
// groups as `name: a, b;`. Results are values: an address that cannot be
// written (a non-ASCII local part without --utf8) is an error, not an exception.
import { domainToASCII } from 'node:url';
import { encodeWords, MAX_PLAIN_WORD } from './encoded-word-encoder.ts';
import { err, ok, type Result } from '../../result.ts';

/** Structurally the same as src/mime/address.ts's Mailbox and Group. */
export interface MailboxOut {
  name?: string;
  local: string;
  domain: string;
  route?: string[];
}
export interface GroupOut {
  group: string;
  mailboxes: MailboxOut[];
}
export type AddressOut = MailboxOut | GroupOut;

/** `needs-utf8`: non-ASCII where only --utf8 (RFC 6532) allows it; `invalid`: not writable as an address. */
export type EncodeResult = Result<string, 'invalid' | 'needs-utf8'>;

export interface AddressEncodeOptions {
  utf8?: boolean;
}

const ATEXT_ASCII = "A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~";

function atomRe(utf8: boolean): RegExp {
  return utf8 ? new RegExp(`^[${ATEXT_ASCII}\\u0080-\\u{10FFFF}]+$`, 'u') : new RegExp(`^[${ATEXT_ASCII}]+$`);
}

function isDotAtom(s: string, utf8: boolean): boolean {
  const re = atomRe(utf8);
  return s.length > 0 && s.split('.').every((p) => re.test(p));
}

function isAscii(s: string): boolean {
  return /^[\x00-\x7f]*$/.test(s);
}

function quoted(s: string): string {
  return '"' + s.replace(/(["\\])/g, '\\$1') + '"';
}

/** A display name or group name as a phrase. */
export function encodePhrase(name: string, opts: AddressEncodeOptions = {}): string {
  const utf8 = opts.utf8 ?? false;
  const re = atomRe(utf8);
  const words = name.split(' ');
  const needsWords =
    name.includes('=?') ||
    (!utf8 && !isAscii(name)) ||
    /[\x00-\x1f\x7f]/.test(name) ||
    words.some((w) => Buffer.byteLength(w, 'utf8') > MAX_PLAIN_WORD);
  if (needsWords) return encodeWords(name);
  if (words.every((w) => re.test(w))) return name;
  return quoted(name);
}

export function encodeLocalPart(local: string, opts: AddressEncodeOptions = {}): EncodeResult {
  const utf8 = opts.utf8 ?? false;
  if (!utf8 && !isAscii(local)) return err('needs-utf8', `non-ASCII local part "${local}" needs --utf8`);
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(local)) return err('invalid', `control character in local part`);
  return ok(isDotAtom(local, utf8) ? local : quoted(local));
}

export function encodeDomain(domain: string, opts: AddressEncodeOptions = {}): EncodeResult {
  if (domain.startsWith('[') && domain.endsWith(']')) return ok(domain);
  if (isAscii(domain)) {
    if (isDotAtom(domain, false)) return ok(domain);
    return err('invalid', `bad domain "${domain}"`);
  }
  if (opts.utf8) return ok(domain);
  const a = domainToASCII(domain);
  if (!a) return err('invalid', `bad domain "${domain}"`);
  return ok(a);
}

export function encodeAddrSpec(m: MailboxOut, opts: AddressEncodeOptions = {}): EncodeResult {
  const l = encodeLocalPart(m.local, opts);
  if (!l.ok) return l;
  const d = encodeDomain(m.domain, opts);
  if (!d.ok) return d;
  return ok(`${l.value}@${d.value}`);
}

export function encodeMailbox(m: MailboxOut, opts: AddressEncodeOptions = {}): EncodeResult {
  const spec = encodeAddrSpec(m, opts);
  if (!spec.ok) return spec;
  const route = m.route?.length ? m.route.map((r) => '@' + r).join(',') + ':' : '';
  if (m.name === undefined && !route) return spec;
  const angle = `<${route}${spec.value}>`;
  if (m.name === undefined || m.name === '') return ok(angle);
  return ok(`${encodePhrase(m.name, opts)} ${angle}`);
}

export function isGroupOut(a: AddressOut): a is GroupOut {
  return (a as GroupOut).group !== undefined;
}

export function encodeAddress(a: AddressOut, opts: AddressEncodeOptions = {}): EncodeResult {
  if (!isGroupOut(a)) return encodeMailbox(a, opts);
  const members: string[] = [];
  for (const m of a.mailboxes) {
    const r = encodeMailbox(m, opts);
    if (!r.ok) return r;
    members.push(r.value);
  }
  return ok(`${encodePhrase(a.group, opts)}:${members.length ? ' ' + members.join(', ') : ''};`);
}

/** An address list as a field value (folding is the caller's job). */
export function encodeAddressList(list: AddressOut[], opts: AddressEncodeOptions = {}): EncodeResult {
  const out: string[] = [];
  for (const a of list) {
    const r = encodeAddress(a, opts);
    if (!r.ok) return r;
    out.push(r.value);
  }
  return ok(out.join(', '));
}
