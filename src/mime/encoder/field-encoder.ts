// Header fields from values: the field kinds blaze writes (unstructured text,
// address lists, structured values that are only folded) encoded and folded
// into wire form. Every failure is a value naming the field.
import { foldField, FOLD_SOFT_LIMIT } from './fold.ts';
import { encodeUnstructured } from './encoded-word-encoder.ts';
import { encodeAddressList, type AddressOut } from './address-encoder.ts';
import { err, ok, type Result } from '../../result.ts';

export type HeaderFieldSpec =
  | { kind: 'unstructured'; name: string; value: string }
  | { kind: 'addresses'; name: string; addresses: AddressOut[] }
  /** Structured values (Date, Message-ID, Content-Type, ...): written as given, folded at white space. */
  | { kind: 'structured'; name: string; value: string };

/**
 * Why a field cannot be written: `invalid` (a bad name, a control character
 * in the value, an address that is not one), `needs-utf8` (non-ASCII where
 * only RFC 6532 allows it), `too-long` (a word over 998 octets).
 */
export type FieldError = 'invalid' | 'needs-utf8' | 'too-long';

/** The field (or fields) in wire form, CRLF after each. */
export type FieldResult = Result<string, FieldError>;

export interface FieldEncodeOptions {
  utf8?: boolean;
}

const ADDRESS_FIELDS = new Set(
  ['from', 'sender', 'reply-to', 'to', 'cc', 'bcc', 'resent-from', 'resent-sender', 'resent-to', 'resent-cc', 'resent-bcc',
    'disposition-notification-to', 'mail-followup-to', 'mail-reply-to'],
);
const STRUCTURED_FIELDS = new Set(
  ['date', 'resent-date', 'message-id', 'resent-message-id', 'in-reply-to', 'references', 'mime-version', 'received',
    'return-path', 'content-type', 'content-transfer-encoding', 'content-disposition', 'content-id', 'content-language',
    'dkim-signature', 'arc-seal', 'arc-message-signature', 'arc-authentication-results', 'authentication-results',
    'received-spf', 'list-id', 'list-unsubscribe', 'list-post', 'list-help', 'list-subscribe', 'list-owner', 'list-archive'],
);

/** How blaze writes a field of this name. */
export function fieldKind(name: string): HeaderFieldSpec['kind'] {
  const n = name.toLowerCase();
  if (ADDRESS_FIELDS.has(n)) return 'addresses';
  if (STRUCTURED_FIELDS.has(n)) return 'structured';
  return 'unstructured';
}

/** RFC 5322 field-name: printable ASCII except the colon. */
export function checkFieldName(name: string): Result<string, 'invalid'> {
  if (!name.length) return err('invalid', 'empty field name');
  if (!/^[\x21-\x39\x3b-\x7e]+$/.test(name)) return err('invalid', `bad field name "${name}"`);
  return ok(name);
}

/** A value must not hold CR, LF or NUL (or other control characters except TAB). */
export function checkFieldValue(name: string, value: string): Result<string, 'invalid'> {
  const m = /[\x00-\x08\x0a-\x1f\x7f]/.exec(value);
  if (!m) return ok(value);
  const what = m[0] === '\r' ? 'a bare CR' : m[0] === '\n' ? 'a bare LF' : m[0] === '\0' ? 'a NUL byte' : `control character 0x${m[0].charCodeAt(0).toString(16).padStart(2, '0')}`;
  return err('invalid', `${name}: value holds ${what} at offset ${m.index}`);
}

export function encodeHeaderField(spec: HeaderFieldSpec, opts: FieldEncodeOptions = {}): FieldResult {
  const bad = checkFieldName(spec.name);
  if (!bad.ok) return bad;
  let value: string;
  if (spec.kind === 'addresses') {
    const r = encodeAddressList(spec.addresses, opts);
    if (!r.ok) return err(r.error, `${spec.name}: ${r.message}`);
    value = r.value;
  } else {
    const v = spec.value.replace(/^[ \t]+|[ \t]+$/g, '');
    const badValue = checkFieldValue(spec.name, v);
    if (!badValue.ok) return badValue;
    if (spec.kind === 'structured') {
      if (!opts.utf8 && /[^\x00-\x7f]/.test(v)) return err('needs-utf8', `${spec.name}: non-ASCII in a structured field needs --utf8`);
      value = v;
    } else {
      value = encodeUnstructured(v, { ...opts, firstRoom: FOLD_SOFT_LIMIT - spec.name.length - 2 });
    }
  }
  const f = foldField(spec.name, value);
  if (!f.ok) return err(f.error, `${spec.name}: ${f.message}`);
  return f;
}

/** Several fields, in order, as one header block (without the blank line). */
export function encodeHeaderFields(specs: HeaderFieldSpec[], opts: FieldEncodeOptions = {}): FieldResult {
  const out: string[] = [];
  for (const s of specs) {
    const r = encodeHeaderField(s, opts);
    if (!r.ok) return r;
    out.push(r.value);
  }
  return ok(out.join(''));
}
