// blaze wrap [INPUT]: the message becomes the first part of a new multipart.
import { addInputOptions, addOutputOption, addTerminalOptions, program } from './_lib/cli.ts';
import { BlazeError, usageError } from './_lib/errors.ts';
import { readMessage } from './_lib/io.ts';
import { collect } from './_lib/flags.ts';
import { MessageWriter } from './_lib/message-writer.ts';
import { addFieldOptions, wrapOptionsFrom, type WrapFlags } from './_lib/crafting-flags.ts';
import { MessageWrapper, MULTIPART_SUBTYPES } from '../src/mime/encoder/index.ts';

interface WrapCommandFlags extends WrapFlags {
  newline: 'auto' | 'lf' | 'crlf';
  output?: string;
  [k: string]: unknown;
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
  const o = cmd.opts() as WrapCommandFlags;
  const chosen = MULTIPART_SUBTYPES.filter((s) => o[s.replace(/-(.)/g, (_, c: string) => c.toUpperCase())] === true);
  if (chosen.length > 1) throw usageError(`choose one of ${chosen.map((s) => '--' + s).join(', ')}`);
  const wrapper = new MessageWrapper(wrapOptionsFrom(o, chosen[0] ?? 'mixed'));
  const w = new MessageWriter(o.output, o.newline);
  for await (const c of readMessage(cmd.args[0], o.newline)) await w.write(wrapper.push(c));
  const end = wrapper.finish();
  await w.write(end.ok ? end.value : end.data);
  await w.end();
  if (!end.ok) throw new BlazeError(end.message);
  return 0;
}
