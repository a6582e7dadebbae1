// blaze wrap [INPUT]: the message becomes the first part of a new multipart.
import { addInputOptions, addOutputOption, addTerminalOptions, program } from './_lib/cli.ts';
import { BlazeError, usageError } from './_lib/errors.ts';
import { readMessage } from './_lib/io.ts';
import {
  boundaryIsValid, encodeHeaderFields, IdentifierSource, isValidParamName, MessageWrapper, MULTIPART_SUBTYPES,
  type MultipartSubtype, type WrapOptions,
} from '../src/mime/encoder/index.ts';
import { addFieldOptions, collect, fieldsFromFlags, MessageWriter, parseParams } from './_crafting.ts';

interface WrapFlags {
  boundary?: string;
  seed?: string;
  field?: string[];
  param?: string[];
  utf8?: boolean;
  newline: 'auto' | 'lf' | 'crlf';
  output?: string;
  [k: string]: unknown;
}

/** The wrap options from the flags (shared with put --wrap). */
export function wrapOptionsFrom(o: WrapFlags, subtype: MultipartSubtype): WrapOptions {
  const ids = new IdentifierSource(o.seed);
  const boundary = o.boundary ?? ids.boundary();
  if (!boundaryIsValid(boundary)) throw usageError(`--boundary "${boundary}": 1 to 70 characters of RFC 2046 bchars, not ending in a space`);
  const specs = fieldsFromFlags(o.field);
  for (const s of specs) if (!/^content-/i.test(s.name)) throw usageError(`-f ${s.name}: the inner part takes Content-* fields only`);
  if (subtype === 'form-data' && !specs.some((s) => /^content-disposition$/i.test(s.name))) {
    specs.push({ kind: 'structured', name: 'Content-Disposition', value: 'form-data; name="1"' });
  }
  const inner = encodeHeaderFields(specs, { utf8: o.utf8 });
  if (!inner.ok) throw usageError(inner.error);
  return { subtype, boundary, params: parseParams(o.param, isValidParamName), innerFields: inner.text, utf8: o.utf8 };
}

export default async function wrap(argv: string[]): Promise<number> {
  const cmd = addOutputOption(addInputOptions(addTerminalOptions(addFieldOptions(program('wrap', 'turn a message into a multipart with it as the first part')))));
  cmd.argument('[input]', 'the message (a file; - or absent: stdin)');
  for (const s of MULTIPART_SUBTYPES) cmd.option(`--${s}`, `multipart/${s}${s === 'mixed' ? ' (default)' : ''}`);
  cmd
    .option('--boundary <boundary>', 'the boundary (default: random, or from --seed)')
    .option('--seed <seed>', 'derive the boundary from SEED (reproducible output)')
    .option('-p, --param <name=value>', 'a parameter of the multipart Content-Type, e.g. protocol=, report-type= (repeatable)', collect);
  await cmd.parseAsync(argv, { from: 'user' });
  const o = cmd.opts() as WrapFlags;
  const chosen = MULTIPART_SUBTYPES.filter((s) => o[s.replace(/-(.)/g, (_, c: string) => c.toUpperCase())] === true);
  if (chosen.length > 1) throw usageError(`choose one of ${chosen.map((s) => '--' + s).join(', ')}`);
  const wrapper = new MessageWrapper(wrapOptionsFrom(o, chosen[0] ?? 'mixed'));
  const w = new MessageWriter(o.output, o.newline);
  for await (const c of readMessage(cmd.args[0], o.newline)) await w.write(wrapper.push(c));
  const end = wrapper.finish();
  await w.write(end.data);
  await w.end();
  if (!end.ok) throw new BlazeError(end.error);
  return 0;
}
