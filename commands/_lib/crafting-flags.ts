// The flags of the crafting commands (make, make add-field, wrap, put):
// header fields from -f and the address flags, -p parameters, --type,
// --encoding, the Date and Message-ID of a new message, the wrapper's
// boundary. Each turns bad input into a usage error naming the flag.
import { hostname } from 'node:os';
import { Option, type Command } from 'commander';
import { usageError } from './errors.ts';
import { addNowOption, collect, parseNow, parseTime, parseZone } from './flags.ts';
import {
  boundaryIsValid, checkFieldName, checkFieldValue, encodeHeaderFields, fieldKind, formatRfc5322Date, IdentifierSource, isTransferEncoding,
  isValidParamName, parseAddressInput, TRANSFER_ENCODINGS,
  type AddressOut, type HeaderFieldSpec, type MultipartSubtype, type TransferEncoding, type WrapOptions,
} from '../../src/mime/encoder/index.ts';

/** -f/--field, -p, --utf8: shared by make, wrap and put. */
export function addFieldOptions(cmd: Command): Command {
  return cmd
    .option('-f, --field <field>', 'add the header field "Name: value" (repeatable; split at the first colon)', collect)
    .option('--utf8', 'write non-ASCII header text as raw UTF-8 (RFC 6532) instead of encoded-words');
}

/** The flags of make and make add-field that make header fields. */
export function addHeaderOptions(cmd: Command, defaults: { date: string; messageId: string }): Command {
  addFieldOptions(cmd)
    .option('--from <list>', 'From: address list (the first mailbox becomes Sender when there are several)')
    .option('--to <list>', 'To: address list')
    .option('--cc <list>', 'Cc: address list')
    .option('--bcc <list>', 'Bcc: address list')
    .option('--subject <text>', 'Subject')
    .addOption(new Option('--date <when>', 'now, none, @EPOCH or an RFC 3339 date-time').default(defaults.date))
    .option('--zone <zone>', 'the zone of the Date field, ±HHMM')
    .addOption(new Option('--message-id <id>', 'auto, none, or <id@domain>').default(defaults.messageId));
  return addNowOption(cmd, 'the time taken as now (reproducible output): RFC 3339, @EPOCH or now').option(
    '--seed <seed>',
    'derive Message-ID and boundaries from SEED (reproducible output)',
  );
}

/** `Name: value` split at the first colon. */
export function parseFieldFlag(flag: string): HeaderFieldSpec & { kind: 'unstructured' | 'structured' } | { kind: 'addresses-text'; name: string; value: string } {
  const colon = flag.indexOf(':');
  if (colon <= 0) throw usageError(`-f "${flag}": expected "Name: value"`);
  const name = flag.slice(0, colon).trim();
  const value = flag.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '');
  const checkedName = checkFieldName(name);
  if (!checkedName.ok) throw usageError(`-f: ${checkedName.message}`);
  const checkedValue = checkFieldValue(name, value);
  if (!checkedValue.ok) throw usageError(`-f: ${checkedValue.message}`);
  const kind = fieldKind(name);
  if (kind === 'addresses') return { kind: 'addresses-text', name, value };
  return { kind, name, value };
}

export function addressField(name: string, list: string, flag: string): HeaderFieldSpec & { kind: 'addresses' } {
  const checked = checkFieldValue(flag, list);
  if (!checked.ok) throw usageError(checked.message);
  const r = parseAddressInput(list);
  if (!r.ok) throw usageError(`${flag}: ${r.message}`);
  if (!r.value.length) throw usageError(`${flag}: no address in "${list}"`);
  return { kind: 'addresses', name, addresses: r.value };
}

export function fieldsFromFlags(fields: string[] | undefined): HeaderFieldSpec[] {
  const out: HeaderFieldSpec[] = [];
  for (const f of fields ?? []) {
    const p = parseFieldFlag(f);
    out.push(p.kind === 'addresses-text' ? addressField(p.name, p.value, `-f ${p.name}`) : p);
  }
  return out;
}

export interface HeaderFlagValues {
  from?: string; to?: string; cc?: string; bcc?: string; subject?: string; date: string; zone?: string;
  messageId: string; now?: string; seed?: string; field?: string[]; utf8?: boolean;
}

/** The header fields of make / make add-field, in the order they are written. */
export function headerFromFlags(o: HeaderFlagValues, ids: IdentifierSource): HeaderFieldSpec[] {
  const specs: HeaderFieldSpec[] = [];
  const zone = o.zone !== undefined ? parseZone(o.zone) : undefined;
  if (o.date !== 'none') {
    let when: Date;
    let offset: number;
    if (o.date === 'now') {
      when = parseNow(o.now);
      offset = -when.getTimezoneOffset();
    } else {
      // The --now grammar (RFC 3339, @EPOCH); the Date keeps the offset the value was written with.
      const r = parseTime(o.date);
      if (!r) throw usageError(`--date "${o.date}": expected now, none, @EPOCH or an RFC 3339 date-time`);
      when = r.date;
      offset = r.offsetMinutes ?? 0;
    }
    specs.push({ kind: 'structured', name: 'Date', value: formatRfc5322Date(when, zone ?? offset) });
  }
  if (o.from !== undefined) {
    const from = addressField('From', o.from, '--from');
    specs.push(from);
    const mailboxes = from.addresses.flatMap((a) => ('group' in a && (a as { group?: string }).group !== undefined ? (a as { mailboxes: AddressOut[] }).mailboxes : [a]));
    if (mailboxes.length > 1) specs.push({ kind: 'addresses', name: 'Sender', addresses: [mailboxes[0]] });
  }
  if (o.to !== undefined) specs.push(addressField('To', o.to, '--to'));
  if (o.cc !== undefined) specs.push(addressField('Cc', o.cc, '--cc'));
  if (o.bcc !== undefined) specs.push(addressField('Bcc', o.bcc, '--bcc'));
  if (o.subject !== undefined) {
    const checked = checkFieldValue('--subject', o.subject);
    if (!checked.ok) throw usageError(checked.message);
    specs.push({ kind: 'unstructured', name: 'Subject', value: o.subject });
  }
  if (o.messageId === 'auto') specs.push({ kind: 'structured', name: 'Message-ID', value: ids.messageId(hostname() || 'localhost') });
  else if (o.messageId !== 'none') {
    const id = o.messageId.startsWith('<') ? o.messageId : `<${o.messageId}>`;
    if (!/^<[^<>@\s]+@[^<>@\s]+>$/.test(id)) throw usageError(`--message-id "${o.messageId}": expected auto, none or <left@right>`);
    specs.push({ kind: 'structured', name: 'Message-ID', value: id });
  }
  specs.push(...fieldsFromFlags(o.field));
  return specs;
}

/** -p k=v pairs. */
export function parseParams(ps: string[] | undefined, isValidName: (n: string) => boolean): [string, string][] {
  const out: [string, string][] = [];
  for (const p of ps ?? []) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw usageError(`-p "${p}": expected name=value`);
    const k = p.slice(0, eq).trim().toLowerCase();
    const v = p.slice(eq + 1);
    if (!isValidName(k)) throw usageError(`-p "${p}": bad parameter name`);
    const checked = checkFieldValue(`-p ${k}`, v);
    if (!checked.ok) throw usageError(checked.message);
    out.push([k, v]);
  }
  return out;
}

/** Checks an --encoding value (`auto` allowed when AUTO). */
export function encodingOption(v: string, auto = true): TransferEncoding | 'auto' {
  const e = v.toLowerCase();
  if (auto && e === 'auto') return 'auto';
  if (!isTransferEncoding(e)) throw usageError(`unknown encoding "${v}" (${[...(auto ? ['auto'] : []), ...TRANSFER_ENCODINGS].join(', ')})`);
  return e;
}

/** --type TYPE/SUBTYPE, lower-cased. */
export function checkMediaType(t: string): string {
  const type = t.trim().toLowerCase();
  if (!/^[!#$%&'*+\-.^_`|~0-9a-z]+\/[!#$%&'*+\-.^_`|~0-9a-z]+$/.test(type)) throw usageError(`--type "${t}": expected type/subtype`);
  return type;
}

/** The flags of a multipart wrapper: wrap, and put --wrap. */
export interface WrapFlags {
  boundary?: string;
  seed?: string;
  field?: string[];
  param?: string[];
  utf8?: boolean;
}

/** The wrapper options from the flags (wrap, put --wrap). */
export function wrapOptionsFrom(o: WrapFlags, subtype: MultipartSubtype): WrapOptions {
  const ids = new IdentifierSource(o.seed);
  const boundary = o.boundary ?? ids.boundary();
  if (!boundaryIsValid(boundary)) throw usageError(`--boundary "${boundary}": 1 to 70 characters of RFC 2046 bchars, not ending in a space`);
  // -f: Content-* fields describe the wrapped message (the first part); any other goes on the new outer header
  const all = fieldsFromFlags(o.field);
  for (const s of all) if (/^mime-version$/i.test(s.name)) throw usageError('-f MIME-Version: the outer header gets MIME-Version: 1.0 itself');
  const specs = all.filter((s) => /^content-/i.test(s.name));
  const outerSpecs = all.filter((s) => !/^content-/i.test(s.name));
  if (subtype === 'form-data' && !specs.some((s) => /^content-disposition$/i.test(s.name))) {
    specs.push({ kind: 'structured', name: 'Content-Disposition', value: 'form-data; name="1"' });
  }
  const inner = encodeHeaderFields(specs, { utf8: o.utf8 });
  if (!inner.ok) throw usageError(inner.message);
  const outer = encodeHeaderFields(outerSpecs, { utf8: o.utf8 });
  if (!outer.ok) throw usageError(outer.message);
  return { subtype, boundary, params: parseParams(o.param, isValidParamName), innerFields: inner.value, outerFields: outer.value, utf8: o.utf8 };
}
