// What make, make add-field, wrap and put share: replayable inputs (a file is
// read twice, a pipe is spooled: in memory up to 1 MiB, then to a temporary
// file), header fields from the command-line flags, and the writer.
import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm, stat, type FileHandle } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { BlazeError, describeFsError, usageError } from './_lib/errors.ts';
import { inputName, Output, readRaw } from './_lib/io.ts';
import { CrlfToLf } from '../src/mime/newline.ts';
import {
  checkFieldName, checkFieldValue, parseAddressInput, fieldKind, formatRfc5322Date, IdentifierSource, parseRfc3339, parseZoneOffset,
  type AddressOut, type HeaderFieldSpec,
} from '../src/mime/encoder/index.ts';

export const SPOOL_IN_MEMORY = 1 << 20;

export interface ChunkTransform {
  push(chunk: Buffer): Buffer;
  finish(): Buffer;
}

/** An input that can be read more than once (to choose an encoding, then to encode). */
export interface Replayable {
  name: string;
  chunks(): AsyncGenerator<Buffer>;
  dispose(): Promise<void>;
}

async function* through(src: AsyncIterable<Buffer>, t: ChunkTransform | undefined): AsyncGenerator<Buffer> {
  for await (const c of src) {
    const out = t ? t.push(c) : c;
    if (out.length) yield out;
  }
  if (t) {
    const tail = t.finish();
    if (tail.length) yield tail;
  }
}

/**
 * A regular file is replayed by reading it again; stdin or a pipe is spooled
 * once (memory up to SPOOL_IN_MEMORY, then a temporary file removed by dispose).
 */
export async function openReplayable(path: string | undefined, transform?: () => ChunkTransform): Promise<Replayable> {
  const name = inputName(path);
  if (path !== undefined && path !== '-') {
    let st;
    try {
      st = await stat(path);
    } catch (err) {
      throw describeFsError(path, err);
    }
    if (st.isDirectory()) throw describeFsError(path, Object.assign(new Error(), { code: 'EISDIR' }));
    if (st.isFile()) {
      return { name, chunks: () => through(readRaw(path), transform?.()), dispose: async () => {} };
    }
  }
  const mem: Buffer[] = [];
  let size = 0;
  let dir: string | undefined;
  let fh: FileHandle | undefined;
  try {
    for await (const c of through(readRaw(path), transform?.())) {
      if (fh) {
        await fh.write(c);
        continue;
      }
      mem.push(c);
      size += c.length;
      if (size > SPOOL_IN_MEMORY) {
        dir = await mkdtemp(join(tmpdir(), 'blaze-spool-'));
        fh = await open(join(dir, 'spool'), 'w');
        for (const m of mem) await fh.write(m);
        mem.length = 0;
      }
    }
  } finally {
    await fh?.close();
  }
  const spoolDir = dir;
  if (spoolDir === undefined) {
    return {
      name,
      chunks: async function* () {
        yield* mem;
      },
      dispose: async () => {},
    };
  }
  return {
    name,
    chunks: async function* () {
      for await (const c of createReadStream(join(spoolDir, 'spool'), { highWaterMark: 64 * 1024 })) yield c as Buffer;
    },
    dispose: () => rm(spoolDir, { recursive: true, force: true }),
  };
}

/**
 * Writes a message, in wire form or with LF line ends for --newline lf. The
 * output (-o FILE) is opened at the first write, so a command that fails
 * before writing leaves no empty file behind.
 */
export class MessageWriter {
  private readonly lf: CrlfToLf | undefined;
  private out: Output | undefined;
  constructor(private readonly path: string | undefined, newline: string | undefined) {
    this.lf = newline === 'lf' ? new CrlfToLf() : undefined;
  }
  private output(): Output {
    return (this.out ??= new Output(this.path));
  }
  async write(data: Buffer | string): Promise<void> {
    const b = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    if (!b.length) return;
    await this.output().write(this.lf ? this.lf.push(b) : b);
  }
  async end(): Promise<void> {
    if (this.lf) {
      const t = this.lf.finish();
      if (t.length) await this.output().write(t);
    }
    await this.output().end();
  }
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** -f/--field, -p, --utf8: shared by make, wrap and put. */
export function addFieldOptions(cmd: Command): Command {
  return cmd
    .option('-f, --field <field>', 'add the header field "Name: value" (repeatable; split at the first colon)', collect)
    .option('--utf8', 'write non-ASCII header text as raw UTF-8 (RFC 6532) instead of encoded-words');
}

/** The flags of make and make add-field that make header fields. */
export function addHeaderOptions(cmd: Command, defaults: { date: string; messageId: string }): Command {
  return addFieldOptions(cmd)
    .option('--from <list>', 'From: address list (the first mailbox becomes Sender when there are several)')
    .option('--to <list>', 'To: address list')
    .option('--cc <list>', 'Cc: address list')
    .option('--bcc <list>', 'Bcc: address list')
    .option('--subject <text>', 'Subject')
    .addOption(new Option('--date <when>', 'now, none, or an RFC 3339 date-time').default(defaults.date))
    .option('--zone <zone>', 'the zone of the Date field, ±HHMM')
    .addOption(new Option('--message-id <id>', 'auto, none, or <id@domain>').default(defaults.messageId))
    .option('--now <rfc3339>', 'the time taken as now (reproducible output)')
    .option('--seed <seed>', 'derive Message-ID and boundaries from SEED (reproducible output)');
}

/** `Name: value` split at the first colon. */
export function parseFieldFlag(flag: string): HeaderFieldSpec & { kind: 'unstructured' | 'structured' } | { kind: 'addresses-text'; name: string; value: string } {
  const colon = flag.indexOf(':');
  if (colon <= 0) throw usageError(`-f "${flag}": expected "Name: value"`);
  const name = flag.slice(0, colon).trim();
  const value = flag.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '');
  const bad = checkFieldName(name) ?? checkFieldValue(name, value);
  if (bad) throw usageError(`-f: ${bad}`);
  const kind = fieldKind(name);
  if (kind === 'addresses') return { kind: 'addresses-text', name, value };
  return { kind, name, value };
}

export function addressField(name: string, list: string, flag: string): HeaderFieldSpec & { kind: 'addresses' } {
  const bad = checkFieldValue(flag, list);
  if (bad) throw usageError(bad);
  const r = parseAddressInput(list);
  if (!r.ok) throw usageError(`${flag}: ${r.error}`);
  if (!r.addresses.length) throw usageError(`${flag}: no address in "${list}"`);
  return { kind: 'addresses', name, addresses: r.addresses };
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

export function nowFrom(opts: { now?: string }): Date {
  if (opts.now === undefined) return new Date();
  const r = parseRfc3339(opts.now);
  if (!r) throw usageError(`--now "${opts.now}": expected an RFC 3339 date-time such as 2026-11-22T14:00:00Z`);
  return r.date;
}

/** The header fields of make / make add-field, in the order they are written. */
export function headerFromFlags(o: HeaderFlagValues, ids: IdentifierSource): HeaderFieldSpec[] {
  const specs: HeaderFieldSpec[] = [];
  let zone: number | undefined;
  if (o.zone !== undefined) {
    zone = parseZoneOffset(o.zone);
    if (zone === undefined) throw usageError(`--zone "${o.zone}": expected ±HHMM`);
  }
  if (o.date !== 'none') {
    let when: Date;
    let offset: number;
    if (o.date === 'now') {
      when = nowFrom(o);
      offset = -when.getTimezoneOffset();
    } else {
      const r = parseRfc3339(o.date);
      if (!r) throw usageError(`--date "${o.date}": expected now, none or an RFC 3339 date-time`);
      when = r.date;
      offset = r.offsetMinutes;
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
    const bad = checkFieldValue('--subject', o.subject);
    if (bad) throw usageError(bad);
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
    const bad = checkFieldValue(`-p ${k}`, v);
    if (bad) throw usageError(bad);
    out.push([k, v]);
  }
  return out;
}

export function failIf(error: string | undefined): void {
  if (error !== undefined) throw new BlazeError(error);
}

export { collect };
