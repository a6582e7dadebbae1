// blaze spf check | stamp | analyze (RFC 7208). The evaluator is src/spf; this
// file maps flags to it, answers its DNS questions and prints.
import type { Command } from 'commander';
import { program, subcommand, addTerminalOptions, addInputOptions, addJsonOption, addOutputOption, presentation, type CommonOptions } from './_lib/cli.ts';
import { usageError, EXIT_USAGE, EXIT_TEMPFAIL } from './_lib/errors.ts';
import { readMessage, readRaw, inputName, Output } from './_lib/io.ts';
import { runBatch } from './_lib/batch.ts';
import { addDnsOptions, parseFieldWord, parseNow, type DnsOptions } from './_lib/flags.ts';
import { safeJson, terminalSafe } from '../src/mime/safe-text.ts';
import { resolverFromOptions } from './_lib/resolver.ts';
import { writePrepended } from './_lib/message-writer.ts';
import { headerFields } from './_lib/header-read.ts';
import { run, type Resolver } from '../src/dns/index.ts';
import { fieldValue } from '../src/mime/header-decoder.ts';
import {
  evaluateSpf, parseIp, formatReceivedSpf, parseReceivedSpf, spfExitCode, spfResultLine, spfTraceLine, spfResultJson, checkSpfSender,
  checkSpfHelo, receivedSpfIdentity, type SpfResult, type SpfResultKind,
} from '../src/spf/index.ts';

interface Opts extends CommonOptions, DnsOptions {
  ip?: string;
  sender?: string;
  helo?: string;
  /** The receiving host (Received-SPF receiver, the r macro). */
  hostname?: string;
  /** check --batch FILE */
  batch?: string;
}

export default async function spf(argv: string[]): Promise<number> {
  let code = 0;
  const root = program('spf', 'SPF evaluation (check, stamp, analyze)');
  root.addHelpText('after', '\nSee man blaze-spf (man ./man/blaze-spf.1).');

  const check = addJsonOption(addDnsOptions(addTerminalOptions(subcommand(root, 'check', 'evaluate SPF for a client address and identity'))));
  identityOptions(check)
    .option('--batch <file>', 'evaluate each line "IP MAILFROM [HELO]" of FILE (- = stdin; MAILFROM <> = none; TAB-separated if the line has a TAB)')
    .action(async (_o, cmd: Command) => {
      code = await checkCommand(cmd.opts<Opts>());
    });

  const stamp = addOutputOption(addDnsOptions(addInputOptions(addTerminalOptions(subcommand(root, 'stamp', 'prepend a Received-SPF field to a message')))));
  identityOptions(stamp)
    .argument('[input]', 'the message (default: stdin)')
    .action(async (input: string | undefined, _o, cmd: Command) => {
      code = await stampCommand(input, cmd.opts<Opts>());
    });

  const analyze = addJsonOption(addDnsOptions(addInputOptions(addTerminalOptions(subcommand(root, 'analyze', 're-evaluate the Received-SPF fields of a message')))));
  analyze
    .argument('[input]', 'the message (default: stdin)')
    .option('-h, --hostname <host>', 'the receiving host (r macro)')
    .action(async (input: string | undefined, _o, cmd: Command) => {
      code = await analyzeCommand(input, cmd.opts<Opts>());
    });

  const first = argv.find((a) => !a.startsWith('-'));
  if (first === undefined && !argv.includes('--help')) {
    process.stderr.write(`blaze: spf: missing subcommand (check, stamp or analyze)\n${root.helpInformation()}`);
    return EXIT_USAGE;
  }
  await root.parseAsync(argv, { from: 'user' });
  return code;
}

function identityOptions(cmd: Command): Command {
  return cmd
    .option('--ip <ip>', 'the SMTP client address (IPv4 or IPv6)')
    .option('--sender <addr>', 'MAIL FROM (checked when given; <> = none)')
    .option('--helo <host>', 'HELO/EHLO name (checked when there is no MAIL FROM)')
    .option('-h, --hostname <host>', 'the receiving host (Received-SPF receiver, r macro)');
}

interface Identity {
  ip: string;
  sender?: string;
  helo?: string;
}

/** Validated --ip/--sender/--helo; bad input is a usage error (exit 2). */
function identityFrom(o: Opts, where = ''): Identity {
  const ip = o.ip;
  if (ip === undefined) throw usageError(`${where}--ip is required`);
  if (!parseIp(ip.trim())) throw usageError(`${where}--ip: '${ip}' is not an IPv4 or IPv6 address`);
  let sender: string | undefined;
  if (o.sender !== undefined) {
    const s = checkSpfSender(String(o.sender));
    if (!s.ok) throw usageError(`${where}--sender: ${s.message}`);
    sender = s.value;
  }
  const helo = o.helo;
  if (helo !== undefined) {
    const h = checkSpfHelo(helo);
    if (!h.ok) throw usageError(`${where}--helo: ${h.message}`);
  }
  if (!sender && !helo) throw usageError(`${where}give --sender ADDR or --helo HOST (the identity to check)`);
  return { ip: ip.trim(), sender, helo };
}

async function evaluate(id: Identity, o: Opts, resolver: Resolver): Promise<SpfResult> {
  // -h goes into the Received-SPF field (receiver=): one word, never a CR.
  const receiver = o.hostname === undefined ? undefined : parseFieldWord(o.hostname, '-h');
  return run(evaluateSpf({ ...id, receiver, now: parseNow(o.now) }), resolver);
}

/**
 * The resolver without the shared -v DNS log (our trace shows every question
 * already), asking itself the names c-ares refuses (src/dns/raw.ts).
 */
function resolverOf(o: Opts): Resolver {
  return resolverFromOptions({ ...o, verbose: false }, { rawNames: true });
}

function paintResult(o: Opts, result: SpfResultKind, text: string): string {
  const { paint } = presentation(o);
  if (result === 'pass') return paint.green(text);
  if (result === 'fail' || result === 'permerror') return paint.red(text);
  if (result === 'softfail' || result === 'temperror') return paint.yellow(text);
  return text;
}

async function checkCommand(o: Opts): Promise<number> {
  if (o.batch !== undefined) return batchCommand(o);
  const id = identityFrom(o);
  const r = await evaluate(id, o, resolverOf(o));
  if (o.verbose) for (const t of r.trace) process.stderr.write(`${terminalSafe(spfTraceLine(t))}\n`);
  if (o.quiet) return spfExitCode(r.status);
  if (o.json) process.stdout.write(`${safeJson(spfResultJson(r))}\n`);
  else {
    const line = spfResultLine(r);
    // The line and the explanation quote DNS text (a record, exp=): no control character reaches the terminal.
    process.stdout.write(`${paintResult(o, r.status, terminalSafe(line))}\n`);
    if (r.explanation !== undefined) process.stdout.write(`explanation: ${terminalSafe(r.explanation)}\n`);
  }
  return spfExitCode(r.status);
}

/** --batch: one evaluation per line, several in flight, results in input order. */
async function batchCommand(o: Opts): Promise<number> {
  const resolver = resolverOf(o);
  let text = '';
  for await (const chunk of readRaw(o.batch as string)) text += chunk.toString('utf8');
  const jobs: Array<{ line: number; id: Identity }> = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    // TAB-separated when the line has a TAB (a HELO may hold spaces), else whitespace.
    const [ip, sender, helo, extra] = raw.includes('\t') ? raw.replace(/\r$/, '').split('\t') : line.split(/\s+/);
    if (extra !== undefined || sender === undefined) throw usageError(`${inputName(o.batch as string)}: line ${i + 1}: expected "IP MAILFROM [HELO]"`);
    jobs.push({ line: i + 1, id: identityFrom({ ...o, ip, sender, helo }, `${inputName(o.batch as string)}: line ${i + 1}: `) });
  });
  // Several lines in flight (DNS waits overlap), results in input order as they come.
  let worst = 0;
  const out = new Output();
  await runBatch<SpfResult>({
    label: 'spf check',
    inputs: jobs.map((j) => `line ${j.line}`),
    workers: false, // the identities come from this process's --batch input
    quiet: o.quiet,
    run: (_line, k) => evaluate(jobs[k].id, o, resolver),
    async write(r, _line, k) {
      const c = spfExitCode(r.status);
      worst = c === EXIT_TEMPFAIL || worst === EXIT_TEMPFAIL ? EXIT_TEMPFAIL : Math.max(worst, c);
      if (o.quiet) return;
      if (o.json) await out.write(`${safeJson({ line: jobs[k].line, ...spfResultJson(r), trace: undefined }, 0)}\n`);
      else await out.write(`${terminalSafe(`${r.ip} ${r.sender}`)}: ${paintResult(o, r.status, terminalSafe(spfResultLine(r)))}\n`);
    },
  });
  await out.end();
  return worst;
}

async function stampCommand(input: string | undefined, o: Opts): Promise<number> {
  const id = identityFrom(o);
  const r = await evaluate(id, o, resolverOf(o));
  if (o.verbose) for (const t of r.trace) process.stderr.write(`${terminalSafe(spfTraceLine(t))}\n`);
  const field = formatReceivedSpf({
    status: r.status,
    ip: r.ip,
    sender: r.sender,
    envelopeFrom: id.sender ?? '',
    helo: id.helo,
    receiver: o.hostname,
    identity: r.identity,
    mechanism: r.mechanism,
    problem: r.problem,
    domain: r.domain,
  });
  const copied = await writePrepended(field, readMessage(input, o.newline), o);
  if (copied === 0) throw usageError(`${inputName(input)}: empty input (not a message?)`);
  return 0;
}

async function analyzeCommand(input: string | undefined, o: Opts): Promise<number> {
  const resolver = resolverOf(o);
  const problems: string[] = [];
  const found: Array<{ line: number; value: string }> = [];
  let returnPath: string | undefined;
  for await (const f of headerFields(input, o.newline as 'auto' | 'lf' | 'crlf', (p) => problems.push(`line ${p.line}: ${p.kind === 'malformed' ? p.reason : `field ${p.name} too long`}`))) {
    const lname = f.name.toLowerCase();
    if (lname === 'received-spf') found.push({ line: f.line, value: fieldValue(f.raw).toString('latin1') });
    else if (lname === 'return-path' && returnPath === undefined) returnPath = fieldValue(f.raw).toString('latin1');
  }
  if (o.verbose) for (const p of problems) process.stderr.write(`blaze: spf analyze: ${inputName(input)}: ${terminalSafe(p)}\n`);
  if (found.length === 0) {
    if (!o.quiet && !o.json) process.stderr.write(`blaze: spf analyze: ${inputName(input)}: no Received-SPF field\n`);
    if (o.json && !o.quiet) process.stdout.write('[]\n');
    return 1;
  }
  let code = 0;
  const docs: unknown[] = [];
  for (const f of found) {
    const p = parseReceivedSpf(f.value);
    const where = `line ${f.line}`;
    if (!p.ok) {
      code = Math.max(code, 1);
      docs.push({ line: f.line, error: p.message });
      if (!o.quiet && !o.json) process.stdout.write(`${where}: unreadable Received-SPF (${terminalSafe(p.message)})\n`);
      continue;
    }
    const v = p.value;
    const idn = receivedSpfIdentity(v, returnPath);
    const ip = idn.ip;
    const s = checkSpfSender(idn.sender ?? '');
    const h = idn.helo !== undefined ? checkSpfHelo(idn.helo) : undefined;
    const heloBad = h && !h.ok ? h.message : undefined;
    if (!ip || !parseIp(ip) || !s.ok || (!s.value && !idn.helo) || heloBad) {
      code = Math.max(code, 1);
      const why = !ip ? 'no client-ip' : !parseIp(ip) ? `bad client-ip '${ip}'` : !s.ok ? `sender: ${s.message}` : heloBad ? `helo: ${heloBad}` : 'no identity (envelope-from, helo or Return-Path)';
      docs.push({ line: f.line, recorded: v.status, error: why });
      if (!o.quiet && !o.json) process.stdout.write(`${where}: ${v.status} recorded, cannot re-evaluate: ${terminalSafe(why)}\n`);
      continue;
    }
    const r = await evaluate({ ip, sender: s.value || undefined, helo: idn.helo }, o, resolver);
    if (o.verbose) for (const t of r.trace) process.stderr.write(`${terminalSafe(spfTraceLine(t))}\n`);
    const same = r.status === v.status;
    if (r.status === 'temperror') code = code === 0 ? EXIT_TEMPFAIL : code;
    else if (!same) code = 1;
    docs.push({ line: f.line, recorded: v.status, matches: same, ...spfResultJson(r) });
    if (!o.quiet && !o.json) process.stdout.write(`${terminalSafe(`${r.sender} from ${r.ip}`)}: ${paintResult(o, r.status, r.status)} (expected: ${v.status})\n`);
  }
  if (o.json && !o.quiet) process.stdout.write(`${safeJson(docs)}\n`);
  return code;
}
