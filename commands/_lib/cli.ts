// Commander set-up shared by every subcommand: help on --help only (-h belongs
// to --header/--hostname as in the original tool), usage errors exit 2, and the
// global options of SPEC §1.
import { Command, Option } from 'commander';
import { glyphs, painter, type ColorMode, type Glyphs } from './term.ts';
import type { ChalkInstance } from 'chalk';
import { printOut, stdoutIsTTY } from './stdout.ts';

export interface CommonOptions {
  color?: ColorMode;
  ascii?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  json?: boolean;
  newline?: 'auto' | 'lf' | 'crlf';
  output?: string;
}

/** A commander program named `blaze <name>` with blaze's conventions. */
export function program(name: string, description: string): Command {
  const cmd = new Command(`blaze ${name}`);
  configure(cmd, description);
  return cmd;
}

/** A sub-subcommand (`dkim sign`, `mdir list`): same conventions. */
export function subcommand(parent: Command, name: string, description: string): Command {
  const cmd = parent.command(name);
  configure(cmd, description);
  return cmd;
}

function configure(cmd: Command, description: string): void {
  cmd
    .description(description)
    .helpOption('--help', 'show this help')
    .exitOverride()
    .allowExcessArguments(false)
    .configureOutput({
      writeOut: (s) => printOut(s),
      writeErr: (s) => process.stderr.write(s),
      outputError: (s, write) => write(s.replace(/^error: /, `${cmd.name()}: `)),
    })
    .showHelpAfterError(false);
}

/** --color, --ascii, -q, -v: every command has them. */
export function addTerminalOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--color <when>', 'colour output').choices(['auto', 'always', 'never']).default('auto'))
    .option('--ascii', 'ASCII glyphs instead of UTF-8 (also BLAZE_UTF_8=false)')
    .option('-q, --quiet', 'print nothing; exit status only')
    .option('-v, --verbose', 'protocol traces and internal details on stderr');
}

/** --newline for commands that read a message. */
export function addInputOptions(cmd: Command): Command {
  return cmd.addOption(
    new Option('--newline <mode>', 'line ends of the input (and of a written message)').choices(['auto', 'lf', 'crlf']).default('auto'),
  );
}

export function addOutputOption(cmd: Command): Command {
  return cmd.option('-o, --output <file>', 'write to FILE instead of stdout');
}

export function addJsonOption(cmd: Command): Command {
  return cmd.option('--json', 'print one JSON document');
}

export interface Presentation {
  glyphs: Glyphs;
  paint: ChalkInstance;
}

export function presentation(opts: CommonOptions, stream: { isTTY?: boolean } = STDOUT): Presentation {
  return { glyphs: glyphs(opts.ascii), paint: painter(opts.color, stream) };
}

/** stdout as the colour decision sees it, without making the stream for a file or a pipe. */
const STDOUT = {
  get isTTY(): boolean {
    return stdoutIsTTY();
  },
};

