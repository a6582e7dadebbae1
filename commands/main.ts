// The blaze dispatcher: finds the subcommand, loads only its module, runs it,
// and turns errors into one line on stderr and an exit status (SPEC §1).
import { loaders } from 'blaze:commands';
import { BlazeError, EXIT_USAGE } from './_lib/errors.ts';
import { installStdoutHook, printOut } from './_lib/stdout.ts';

// One line per subcommand for `blaze --help`; only those built into this
// binary are listed.
const SUMMARIES: Array<[string, string]> = [
  ['make', 'craft a new message (make add-field, make wrap, make put)'],
  ['wrap', 'turn a message into a multipart with it as the first part'],
  ['put', 'append a file as a new part of a multipart message'],
  ['descr', 'show the MIME tree of a message'],
  ['hdr', 'print header fields, unfolded and decoded'],
  ['addr', 'print the addresses of a message, one per line'],
  ['dkim', 'DKIM keys, signatures and verification (gen, sign, verify)'],
  ['spf', 'SPF evaluation (check, stamp, analyze)'],
  ['dmarc', 'DMARC verification and Authentication-Results (verify, collect)'],
  ['arc', 'ARC chain verification and sealing (verify, sign)'],
  ['recv', 'the route of a message from its Received fields (extract, stamp)'],
  ['submit', 'send a message to a submission server'],
  ['send', 'deliver a message directly to the recipients\' MX'],
  ['srv', 'a throwaway local SMTP receiver'],
  ['web', 'a web inbox and HTTP API over a Maildir'],
  ['mdir', 'Maildir storage (init, put, new, list, get, commit, flag, rm)'],
  ['mbox', 'mbox files: list, split (files or a Maildir), make (mboxrd), MBOX -o PACK'],
  ['fetch', 'retrieve new mail from a POP3 mailbox (pop3s://user@host)'],
  ['rand', 'random bytes, or a deterministic stream from a seed'],
];

/** Subcommands that are other commands under a second name. */
const ALIASES: Record<string, string> = { 'make wrap': 'wrap', 'make put': 'put' };

function mainHelp(): string {
  const rows = SUMMARIES.filter(([name]) => name in loaders);
  const width = Math.max(...rows.map(([n]) => n.length), 4);
  return [
    'Usage: blaze <command> [options] [input]',
    '',
    'A command-line toolbox for email. Every command reads a message from a file',
    'or stdin and writes to stdout, so commands compose in a pipeline.',
    '',
    'Commands:',
    ...rows.map(([n, s]) => `  ${n.padEnd(width)}  ${s}`),
    '',
    'Options:',
    '  --help     show this help (blaze <command> --help for a command)',
    '  --version  print the version',
    '',
    'See man blaze, or man ./man/blaze-<command>.1 in the source tree.',
    '',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === 'help') {
    printOut(mainHelp());
    return name === undefined ? EXIT_USAGE : 0;
  }
  if (name === '--version' || name === '-V') {
    printOut(`blaze ${BLAZE_VERSION}\n`);
    return 0;
  }
  // `make wrap` and `make put` are wrap and put (errors still say `make`).
  const alias = ALIASES[`${name} ${rest[0]}`];
  const load = loaders[alias ?? name];
  if (!load) {
    process.stderr.write(`blaze: unknown command '${name}' (see blaze --help)\n`);
    return EXIT_USAGE;
  }
  const verbose = rest.includes('-v') || rest.includes('--verbose');
  try {
    const mod = await load();
    return await mod.default(alias ? rest.slice(1) : rest);
  } catch (err) {
    return report(name, err, verbose);
  }
}

function report(name: string, err: unknown, verbose: boolean): number {
  const e = err as { code?: string; exitCode?: number; message?: string; stack?: string };
  // commander has printed its own message (usage errors, --help, --version).
  if (typeof e?.code === 'string' && e.code.startsWith('commander.')) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
    return EXIT_USAGE;
  }
  if (err instanceof BlazeError) {
    if (err.exitCode === 0) return 0; // e.g. a closed pipe
    process.stderr.write(`blaze: ${name}: ${err.message}\n`);
    return err.exitCode;
  }
  if (e?.code === 'EPIPE') return 0;
  process.stderr.write(`blaze: ${name}: internal error: ${e?.message ?? String(err)}\n`);
  if (verbose && e?.stack) process.stderr.write(e.stack + '\n');
  return EXIT_USAGE;
}

async function train(runs: string[][]): Promise<number> {
  for (const argv of runs) await main(argv).catch(() => EXIT_USAGE);
  return 0;
}

installStdoutHook(); // EPIPE on stdout: exit 0, once the stream exists (not made before it is needed)

// Build time only (build.mjs): run several commands in this one process so
// that V8's code cache, written at exit, holds what each of them compiles.
const training = process.env.BLAZE_CODE_CACHE_TRAIN;
delete process.env.BLAZE_CODE_CACHE_TRAIN;

(training ? train(JSON.parse(training) as string[][]) : main(process.argv.slice(2))).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`blaze: internal error: ${(err as Error)?.message ?? err}\n`);
    process.exitCode = EXIT_USAGE;
  },
);
