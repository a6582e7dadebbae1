// blaze make [BODY]: a new single-part message from flags and a body.
// blaze make add-field [INPUT]: prepend fields to an existing message.
// blaze make wrap / make put: aliases of wrap and put (main.ts dispatches them).
import { Option } from 'commander';
import { addInputOptions, addOutputOption, addTerminalOptions, program } from './_lib/cli.ts';
import { usageError } from './_lib/errors.ts';
import { readMessage } from './_lib/io.ts';
import { collect } from './_lib/flags.ts';
import { openReplayable } from './_lib/spool.ts';
import { MessageWriter, writePrepended } from './_lib/message-writer.ts';
import { addHeaderOptions, checkMediaType, encodingOption, headerFromFlags, parseParams, type HeaderFlagValues } from './_lib/crafting-flags.ts';
import { NewlineNormalizer } from '../src/mime/newline.ts';
import {
  bodyEncoder, BodyScanner, checkEncoding, chooseEncoding, encodeContentValue, encodeHeaderFields, IdentifierSource, identityEncoding,
  isValidParamName, type HeaderFieldSpec, type TransferEncoding,
} from '../src/mime/encoder/index.ts';

export default async function make(argv: string[]): Promise<number> {
  // `make wrap` and `make put` are dispatched by main.ts to wrap and put.
  if (argv[0] === 'add-field') return addField(argv.slice(1));
  return makeMessage(argv);
}

async function makeMessage(argv: string[]): Promise<number> {
  const cmd = addOutputOption(addInputOptions(addTerminalOptions(addHeaderOptions(program('make', 'craft a new single-part message (also: make add-field [INPUT], make wrap, make put; see man blaze-make)'), { date: 'now', messageId: 'auto' }))));
  cmd
    .argument('[body]', 'the body (a file; - or absent: stdin)')
    .option('--type <type/subtype>', 'the media type of the body', 'text/plain')
    .option('-p, --param <name=value>', 'a Content-Type parameter (repeatable; default charset=utf-8 for text)', collect)
    .addOption(new Option('--encoding <encoding>', 'Content-Transfer-Encoding: 7bit, 8bit, binary, base64, quoted-printable or auto').default('auto'));
  await cmd.parseAsync(argv, { from: 'user' });
  const o = cmd.opts() as HeaderFlagValues & { type: string; param?: string[]; encoding: string; newline: 'auto' | 'lf' | 'crlf'; output?: string };
  const ids = new IdentifierSource(o.seed);
  const type = checkMediaType(o.type);
  const wanted = encodingOption(o.encoding);
  const params = parseParams(o.param, isValidParamName);
  if (type.startsWith('multipart/')) throw usageError(`--type ${type}: make writes single-part messages; use blaze wrap and blaze put`);
  // RFC 2046 §5.2: message/* bodies are never base64 or quoted-printable
  if (type.startsWith('message/') && (wanted === 'base64' || wanted === 'quoted-printable')) throw usageError(`--type ${type} cannot be ${wanted}-encoded (RFC 2046)`);
  const text = type.startsWith('text/');
  if (text && !params.some(([k]) => k === 'charset')) params.unshift(['charset', 'utf-8']);
  const specs: HeaderFieldSpec[] = headerFromFlags(o, ids);
  for (const s of specs) {
    if (/^content-(type|transfer-encoding)$/i.test(s.name)) throw usageError(`-f ${s.name}: use --type, -p and --encoding`);
    if (/^mime-version$/i.test(s.name)) throw usageError(`-f MIME-Version: make writes MIME-Version: 1.0 itself`);
  }
  // text is taken to wire form (CRLF); other bodies are taken byte for byte
  const body = await openReplayable(cmd.args[0], text ? () => new NewlineNormalizer(o.newline === 'crlf' ? 'crlf' : 'lf') : undefined);
  try {
    let enc: TransferEncoding;
    if (wanted === 'base64' || wanted === 'quoted-printable') enc = wanted;
    else {
      const scan = new BodyScanner();
      for await (const c of body.chunks()) {
        scan.push(c);
        if (wanted === 'auto' && scan.certainlyBinary) break; // base64, no need to read on
      }
      const stats = scan.finish();
      enc = wanted === 'auto' ? chooseEncoding(stats, { mustEndWithCRLF: true }) : wanted;
      if (type.startsWith('message/') && (enc === 'base64' || enc === 'quoted-printable')) enc = identityEncoding(stats);
      const safe = checkEncoding(enc, stats);
      if (!safe.ok) throw usageError(`${body.name}: ${safe.message}`);
    }
    specs.push(
      { kind: 'structured', name: 'MIME-Version', value: '1.0' },
      { kind: 'structured', name: 'Content-Type', value: encodeContentValue(type, params, { utf8: o.utf8 }) },
      { kind: 'structured', name: 'Content-Transfer-Encoding', value: enc },
    );
    const header = encodeHeaderFields(specs, { utf8: o.utf8 });
    if (!header.ok) throw usageError(header.message);
    const w = new MessageWriter(o.output, o.newline);
    await w.write(header.value + '\r\n');
    const e = bodyEncoder(enc, text, true);
    for await (const c of body.chunks()) await w.write(e ? e.push(c) : c);
    if (e) await w.write(e.finish());
    await w.end();
  } finally {
    await body.dispose();
  }
  return 0;
}

async function addField(argv: string[]): Promise<number> {
  const cmd = addOutputOption(addInputOptions(addTerminalOptions(addHeaderOptions(program('make add-field', 'prepend header fields to a message'), { date: 'none', messageId: 'none' }))));
  cmd.argument('[input]', 'the message (a file; - or absent: stdin)');
  await cmd.parseAsync(argv, { from: 'user' });
  const o = cmd.opts() as HeaderFlagValues & { newline: 'auto' | 'lf' | 'crlf'; output?: string };
  const specs = headerFromFlags(o, new IdentifierSource(o.seed));
  const header = encodeHeaderFields(specs, { utf8: o.utf8 });
  if (!header.ok) throw usageError(header.message);
  // (a missing input leaves stdout empty: writePrepended reads before it writes)
  await writePrepended(header.value, readMessage(cmd.args[0], o.newline), o);
  return 0;
}
