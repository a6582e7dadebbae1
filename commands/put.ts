// blaze put FILE [INPUT]: append FILE as a new part of the multipart INPUT.
import { basename } from 'node:path';
import { open } from 'node:fs/promises';
import { Option } from 'commander';
import mime from 'mime-types';
import { addInputOptions, addOutputOption, addTerminalOptions, program } from './_lib/cli.ts';
import { usageError } from './_lib/errors.ts';
import { readMessage } from './_lib/io.ts';
import { HeaderDecoder, fieldValue } from '../src/mime/header-decoder.ts';
import { NewlineNormalizer } from '../src/mime/newline.ts';
import {
  bodyEncoder, BodyScanner, checkEncoding, chooseEncoding, encodeContentValue, encodeHeaderFields, encodeParameter, identityEncoding, isValidParamName,
  looksBinary, MessageWrapper, MultipartAppender, parseMediaTypeLite, sniffType, SNIFF_BYTES, type BodyStats, type HeaderFieldSpec, type TransferEncoding,
} from '../src/mime/encoder/index.ts';
import { collect } from './_lib/flags.ts';
import { openReplayable, through, type Replayable } from './_lib/spool.ts';
import { MessageWriter } from './_lib/message-writer.ts';
import { addFieldOptions, checkMediaType, encodingOption, fieldsFromFlags, parseParams, wrapOptionsFrom } from './_lib/crafting-flags.ts';

async function readHead(path: string, n = SNIFF_BYTES): Promise<Buffer | undefined> {
  if (path === '-') return undefined;
  try {
    const fh = await open(path, 'r');
    try {
      const b = Buffer.alloc(n);
      const { bytesRead } = await fh.read(b, 0, n, 0);
      return b.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch {
    return undefined;
  }
}

/** Whether bytes start like a multipart message (a header with a multipart Content-Type). */
function looksLikeMultipartMessage(head: Buffer | undefined): boolean {
  if (!head) return false;
  const d = new HeaderDecoder();
  const evs = [...d.push(Buffer.from(new NewlineNormalizer('lf').push(head)))];
  for (const ev of evs) {
    if (ev.type === 'malformed') return false;
    if (ev.type === 'field' && ev.field.name.toLowerCase() === 'content-type') {
      return parseMediaTypeLite(fieldValue(ev.field.raw).toString('latin1'))?.type === 'multipart';
    }
  }
  return false;
}

/** The message, wrapped first when it is not multipart and --wrap asks for it. */
async function* maybeWrapped(input: AsyncIterable<Buffer>, wrap: (() => MessageWrapper) | undefined): AsyncGenerator<Buffer> {
  const it = input[Symbol.asyncIterator]();
  const seen: Buffer[] = [];
  const d = new HeaderDecoder();
  let multipart: boolean | undefined;
  for (let r = await it.next(); ; r = await it.next()) {
    const evs = r.done ? d.finish() : d.push(r.value);
    if (!r.done) seen.push(r.value);
    for (const ev of evs) {
      if (ev.type === 'field' && ev.field.name.toLowerCase() === 'content-type' && multipart === undefined) {
        multipart = parseMediaTypeLite(fieldValue(ev.field.raw).toString('latin1'))?.type === 'multipart';
      }
    }
    if (d.ended || r.done) break;
  }
  const rest = async function* () {
    yield* seen;
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  };
  if (multipart || !wrap) {
    yield* rest();
    return;
  }
  const w = wrap();
  for await (const c of rest()) {
    const out = w.push(c);
    if (out.length) yield out;
  }
  const end = w.finish();
  if (!end.ok) throw usageError(end.message);
  yield end.value;
}

/** The first N bytes of a replayable content (fewer when it is shorter). */
async function headOf(content: Replayable, n: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const c of content.chunks()) {
    parts.push(c);
    size += c.length;
    if (size >= n) break;
  }
  return Buffer.concat(parts).subarray(0, n);
}

/**
 * The charset text is in, when -p does not say (RFC 2046 §4.1.2: a text part
 * without one is read as US-ASCII): us-ascii, utf-8, or unknown-8bit (RFC
 * 1428) for 8-bit text that is not UTF-8.
 */
function sniffCharset(s: BodyStats): 'us-ascii' | 'utf-8' | 'unknown-8bit' {
  if (s.eightBit === 0) return 'us-ascii';
  return s.validUtf8 ? 'utf-8' : 'unknown-8bit';
}

interface PutFlags {
  type?: string; encoding: string; param?: string[]; name?: string | false; disposition?: 'none' | 'inline' | 'attachment'; id?: string; wrap?: boolean;
  boundary?: string; seed?: string; field?: string[]; utf8?: boolean; newline: 'auto' | 'lf' | 'crlf'; output?: string; quiet?: boolean;
}

export default async function put(argv: string[]): Promise<number> {
  const cmd = addOutputOption(addInputOptions(addTerminalOptions(addFieldOptions(program('put', 'append a file as a new part of a multipart message')))));
  cmd
    .argument('<file>', 'the content of the new part (- for stdin)')
    .argument('[input]', 'the multipart message (a file; - or absent: stdin)')
    .option('--type <type/subtype>', 'the media type (default: from the name, else from the content)')
    .addOption(new Option('--encoding <encoding>', 'Content-Transfer-Encoding: 7bit, 8bit, binary, base64, quoted-printable or auto').default('auto'))
    .option('-p, --param <name=value>', 'a Content-Type parameter (repeatable)', collect)
    .option('--name <name>', 'the filename parameter (default: the base name of FILE; none inside alternative/related)')
    .option('--no-name', 'write no filename')
    .addOption(
      new Option('--disposition <disposition>', 'Content-Disposition (default: attachment, inline for text; none inside alternative/related)').choices(['none', 'attachment', 'inline']),
    )
    .option('--id <cid>', 'Content-ID of the part')
    .option('--wrap', 'wrap a message that is not multipart (multipart/mixed) first')
    .option('--boundary <boundary>', 'with --wrap: the boundary')
    .option('--seed <seed>', 'with --wrap: derive the boundary from SEED');
  await cmd.parseAsync(argv, { from: 'user' });
  const o = cmd.opts() as PutFlags;
  let [file, input] = cmd.args as [string, string | undefined];
  // the other order (INPUT FILE) is recognised when only the first is a multipart message
  if (input !== undefined && input !== '-' && file !== '-') {
    const [a, b] = await Promise.all([readHead(file), readHead(input)]);
    if (looksLikeMultipartMessage(a) && !looksLikeMultipartMessage(b)) [file, input] = [input, file];
  }
  if (file === '-' && (input === undefined || input === '-')) throw usageError('FILE and the message cannot both be stdin');
  const wanted = encodingOption(o.encoding);
  const baseName = file === '-' ? undefined : basename(file);
  const explicitName = typeof o.name === 'string' ? o.name : undefined;
  const params = parseParams(o.param, isValidParamName);
  const extra = fieldsFromFlags(o.field);
  for (const s of extra) {
    if (/^content-(type|transfer-encoding|disposition|id)$/i.test(s.name)) throw usageError(`-f ${s.name}: use --type, --encoding, --disposition or --id`);
  }
  if (o.disposition === 'none' && explicitName !== undefined) throw usageError('--name is written in Content-Disposition: it cannot go with --disposition none');
  // FILE as it is: a regular file is read again, stdin or a pipe is spooled (binary stays binary)
  const content = await openReplayable(file);
  try {
    // --type, else the file's own name, else --name, else the first bytes of the content
    let type = o.type !== undefined ? checkMediaType(o.type) : undefined;
    const declared = type !== undefined;
    for (const n of [baseName, explicitName]) if (type === undefined && n !== undefined) type = mime.lookup(n) || undefined;
    if (type === undefined) type = sniffType(await headOf(content, SNIFF_BYTES));
    let text = type.startsWith('text/');
    // RFC 2046 §5.2: a message/* part is never base64 or quoted-printable, and is in wire form
    const isMessage = type.startsWith('message/');
    if (isMessage && (wanted === 'base64' || wanted === 'quoted-printable')) throw usageError(`--type ${type} cannot be ${wanted}-encoded (RFC 2046)`);
    // text and messages are taken to their canonical form (CRLF line ends); anything else byte for byte
    const chunks = () => through(content.chunks(), text || isMessage ? new NewlineNormalizer(o.newline === 'crlf' ? 'crlf' : 'lf') : undefined);

    const appender = new MultipartAppender();
    const wrapFlags = { ...o, field: undefined }; // put's -f fields are the new part's, not the wrapped one's
    const source = maybeWrapped(readMessage(input, o.newline), o.wrap ? () => new MessageWrapper(wrapOptionsFrom(wrapFlags, 'mixed')) : undefined);
    const w = new MessageWriter(o.output, o.newline);
    let pending: Buffer[] | undefined = []; // output held until the header proved to be multipart
    let partHeader = '';
    let enc: TransferEncoding = 'base64';
    let boundaryOf = '';
    const emit = async (b: Buffer) => (pending ? pending.push(b) : w.write(b));
    const handle = async (evs: ReturnType<MultipartAppender['push']>) => {
      for (const ev of evs) {
        if (ev.type === 'data') await emit(ev.data);
        else if (ev.type === 'error') throw usageError(`${input === undefined || input === '-' ? 'stdin' : input}: ${ev.error}`);
        else if (ev.type === 'multipart') {
          ({ header: partHeader, encoding: enc } = await prepare(ev.boundary, ev.mediaType.subtype));
          for (const b of pending!) await w.write(b);
          pending = undefined;
        } else {
          await w.write(`\r\n--${boundaryOf}\r\n${partHeader}\r\n`);
          const e = bodyEncoder(enc, text, false);
          for await (const c of chunks()) await w.write(e ? e.push(c) : c);
          if (e) await w.write(e.finish());
        }
      }
    };
    /** Scans the content (as it will be written) for the encoding, the charset, the delimiter. */
    const scan = async (boundary: string, stopWhenBinary: boolean): Promise<BodyStats> => {
      const scanner = new BodyScanner(boundary);
      for await (const c of chunks()) {
        scanner.push(c);
        if (stopWhenBinary && scanner.certainlyBinary) break; // base64, no need to read on
      }
      return scanner.finish();
    };
    const prepare = async (boundary: string, subtype: string) => {
      boundaryOf = boundary;
      const forced = wanted === 'base64' || wanted === 'quoted-printable';
      // text is always read whole: its charset, and whether it is text at all
      let stats = text || isMessage || !forced ? await scan(boundary, wanted === 'auto' && !text && !isMessage) : undefined;
      if (text && stats && looksBinary(stats)) {
        // binary content is never newline-normalised; a guessed text type gives way to octet-stream
        text = false;
        if (!declared) type = 'application/octet-stream';
        stats = forced ? undefined : await scan(boundary, wanted === 'auto');
      }
      let encoding: TransferEncoding;
      if (!forced) {
        encoding = wanted === 'auto' ? chooseEncoding(stats!) : (wanted as TransferEncoding);
        // content that is not text: 7bit when it can be, else base64 (quoted-printable suits text only)
        if (wanted === 'auto' && !text && !isMessage && encoding === 'quoted-printable') encoding = 'base64';
        if (isMessage && (encoding === 'base64' || encoding === 'quoted-printable')) encoding = identityEncoding(stats!);
        const safe = checkEncoding(encoding, stats!);
        if (!safe.ok) throw usageError(`${content.name}: ${safe.message}`);
      } else encoding = wanted;
      const ps = [...params];
      if (text && !ps.some(([k]) => k === 'charset')) {
        const charset = sniffCharset(stats!);
        if (charset === 'unknown-8bit' && !o.quiet) {
          process.stderr.write(`blaze: put: ${content.name}: 8-bit text that is not UTF-8: charset=unknown-8bit (RFC 1428); give its charset with -p charset=NAME\n`);
        }
        ps.push(['charset', charset]);
      }
      const specs: HeaderFieldSpec[] = [
        { kind: 'structured', name: 'Content-Type', value: encodeContentValue(type!, ps, { utf8: o.utf8 }) },
        { kind: 'structured', name: 'Content-Transfer-Encoding', value: encoding },
      ];
      const disposition = partDisposition(subtype, text, o, baseName, explicitName);
      if (disposition) specs.push({ kind: 'structured', name: 'Content-Disposition', value: disposition });
      if (o.id !== undefined) specs.push({ kind: 'structured', name: 'Content-ID', value: o.id.startsWith('<') ? o.id : `<${o.id}>` });
      specs.push(...extra);
      const h = encodeHeaderFields(specs, { utf8: o.utf8 });
      if (!h.ok) throw usageError(h.message);
      return { header: h.value, encoding };
    };
    for await (const c of source) await handle(appender.push(c));
    await handle(appender.finish());
    if (pending) throw usageError('the message has no header');
    await w.end();
  } finally {
    await content.dispose();
  }
  return 0;
}

/**
 * The Content-Disposition of the new part, or undefined for none. In a
 * multipart/alternative or related the part is a rendering of the message or a
 * resource of it, not an attachment: no disposition and no filename unless
 * asked (mail clients list a part with a filename as an attachment). Elsewhere
 * attachment (inline for text) with FILE's name.
 */
function partDisposition(subtype: string, text: boolean, o: PutFlags, baseName: string | undefined, explicitName: string | undefined): string | undefined {
  const named = (disposition: string, name: string | undefined, extra: string[] = []): string => {
    const params = [...extra];
    if (name !== undefined) params.push(...encodeParameter('filename', name, { utf8: o.utf8 }));
    return [disposition, ...params].join('; ');
  };
  const name = o.name === false ? undefined : explicitName;
  if (subtype === 'form-data') {
    // RFC 7578 §4.2: each part has Content-Disposition form-data with a name
    if (o.disposition !== undefined) throw usageError(`--disposition ${o.disposition}: a part of multipart/form-data is form-data (RFC 7578)`);
    return named('form-data', name ?? (o.name === false ? undefined : baseName), encodeParameter('name', explicitName ?? baseName ?? 'file', { utf8: o.utf8 }));
  }
  if (subtype === 'alternative' || subtype === 'related') {
    const disposition = o.disposition ?? (name !== undefined ? 'inline' : 'none');
    return disposition === 'none' ? undefined : named(disposition, name);
  }
  const disposition = o.disposition ?? (text ? 'inline' : 'attachment');
  return disposition === 'none' ? undefined : named(disposition, name ?? (o.name === false ? undefined : baseName));
}
