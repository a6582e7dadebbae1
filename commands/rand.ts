// blaze rand [LENGTH]: random bytes (default 32), base64 unless --hex or --raw;
// --seed BASE64 makes the stream deterministic (AES-256-CTR keyed by SHA-256 of
// the seed: the generator `dkim gen --seed` uses).
import { program, addTerminalOptions, addOutputOption, type CommonOptions } from './_lib/cli.ts';
import { usageError } from './_lib/errors.ts';
import { Output } from './_lib/io.ts';
import { SeededStream, systemRandom, decodeSeed } from '../src/rand/index.ts';

interface RandOptions extends CommonOptions {
  hex?: boolean;
  raw?: boolean;
  seed?: string;
}

const MAX_LENGTH = 1 << 30;

export default async function rand(argv: string[]): Promise<number> {
  const cmd = addOutputOption(addTerminalOptions(program('rand', 'random bytes, or a deterministic stream from a seed')));
  cmd
    .argument('[length]', 'number of bytes (default 32)')
    .option('--hex', 'print hexadecimal instead of base64')
    .option('--raw', 'write the bytes themselves')
    .option('--seed <base64>', 'deterministic output from this seed (AES-256-CTR keyed by SHA-256(seed))');
  await cmd.parseAsync(argv, { from: 'user' });
  const o = cmd.opts() as RandOptions;
  const lenArg = cmd.args[0];
  if (lenArg !== undefined && !/^\d+$/.test(lenArg)) throw usageError(`bad length '${lenArg}' (a number of bytes)`);
  const length = lenArg === undefined ? 32 : Number(lenArg);
  if (length > MAX_LENGTH) throw usageError(`length ${length} is over the limit of ${MAX_LENGTH} bytes`);
  if (o.hex && o.raw) throw usageError('--hex and --raw exclude each other');
  let source = systemRandom;
  if (o.seed !== undefined) {
    const seed = decodeSeed(o.seed);
    if (!seed) throw usageError(`--seed: not base64: '${o.seed}'`);
    source = new SeededStream(seed);
  }
  const out = new Output(o.output);
  // base64 in multiples of 3 bytes per block so the text concatenates cleanly.
  const BLOCK = 3 * 256 * 1024;
  let left = length;
  if (length === 0 && !o.raw && !o.quiet) await out.write('\n');
  while (left > 0) {
    const n = Math.min(BLOCK, left);
    const bytes = source.read(n);
    left -= n;
    if (o.quiet) continue;
    if (o.raw) await out.write(bytes);
    else await out.write(bytes.toString(o.hex ? 'hex' : 'base64') + (left === 0 ? '\n' : ''));
  }
  await out.end();
  return 0;
}
