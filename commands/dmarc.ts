// blaze dmarc verify | collect (RFC 7489, RFC 8601). The checks are the
// pipeline of src/auth (SPF, DKIM, DMARC over one read of the message); this
// file maps flags to it and prints.
import type { Command } from 'commander';
import { program, subcommand, addTerminalOptions, addInputOptions, addJsonOption, addOutputOption, presentation, type CommonOptions } from './_lib/cli.ts';
import { BlazeError, EXIT_USAGE, EXIT_TEMPFAIL } from './_lib/errors.ts';
import { readMessage, inputName, Output } from './_lib/io.ts';
import { addDnsOptions, parseFieldWord, type DnsOptions } from './_lib/flags.ts';
import { resolverFromOptions } from './_lib/resolver.ts';
import { addCheckOptions, addJudgementOptions, policyFromFlags, reportOrUsage, sessionFromFlags, warnSkipped, type CheckFlags, type JudgementFlags } from './_lib/auth-flags.ts';
import { headerFields, rawValue } from './_lib/header-read.ts';
import { Spool } from './_lib/spool.ts';
import { writePrepended } from './_lib/message-writer.ts';
import { authenticateMessage, authResultsOf, type AuthReport } from '../src/auth/index.ts';
import { parseAuthResultsLenient, formatAuthResultsField } from '../src/authres/index.ts';
import type { DmarcResult, FromDomainResult } from '../src/dmarc/index.ts';
import { safeJson, terminalSafe } from '../src/mime/safe-text.ts';
import { skippedFieldWarning } from '../src/mime/header-keeper.ts';

interface VerifyOptions extends CommonOptions, DnsOptions, CheckFlags, JudgementFlags {
  /** -h: prepend Authentication-Results under this authserv-id. */
  hostname?: string;
}

type CollectOptions = CommonOptions;

export default async function dmarc(argv: string[]): Promise<number> {
  let code = 0;
  const root = program('dmarc', 'DMARC verification and Authentication-Results (verify, collect)');
  root.addHelpText('after', '\nSee man blaze-dmarc (man ./man/blaze-dmarc.1).');

  const verify = addJudgementOptions(addCheckOptions(addJsonOption(addOutputOption(addDnsOptions(addInputOptions(addTerminalOptions(subcommand(root, 'verify', 'SPF, DKIM and DMARC for a message'))))))));
  verify
    .argument('[input]', 'the message (default: stdin)')
    .option('-h, --hostname <authserv-id>', 'prepend Authentication-Results under this authserv-id and copy the message')
    .action(async (input: string | undefined, _o, cmd: Command) => {
      code = await verifyCommand(input, cmd.opts<VerifyOptions>());
    });

  const collect = addJsonOption(addInputOptions(addTerminalOptions(subcommand(root, 'collect', 'print every Authentication-Results field'))));
  collect.argument('[input]', 'the message (default: stdin)').action(async (input: string | undefined, _o, cmd: Command) => {
    code = await collectCommand(input, cmd.opts<CollectOptions>());
  });

  const first = argv.find((a) => !a.startsWith('-'));
  if (first === undefined && !argv.includes('--help')) {
    process.stderr.write(`blaze: dmarc: missing subcommand (verify or collect)\n${root.helpInformation()}`);
    return EXIT_USAGE;
  }
  await root.parseAsync(argv, { from: 'user' });
  return code;
}

function dmarcExit(d: DmarcResult | undefined, from: FromDomainResult): number {
  if (!from.ok || !d) return 1;
  if (d.status === 'pass' || d.status === 'none') return 0;
  if (d.status === 'temperror') return EXIT_TEMPFAIL;
  return 1;
}

async function verifyCommand(input: string | undefined, o: VerifyOptions): Promise<number> {
  const session = sessionFromFlags(o);
  const policy = policyFromFlags(o);
  const resolver = resolverFromOptions(o);
  const id = o.hostname === undefined ? undefined : parseFieldWord(o.hostname, '-h');
  const spool = id ? new Spool() : undefined;
  try {
    const c = reportOrUsage(
      await authenticateMessage({ chunks: readMessage(input, o.newline), resolver, session, policy, tee: spool && ((chunk) => spool.write(Buffer.from(chunk))) }),
      inputName(input),
    );
    warnSkipped(c, 'dmarc verify', inputName(input), o.quiet);
    const exit = dmarcExit(c.dmarc, c.from);
    if (id) {
      await writePrepended(formatAuthResultsField(authResultsOf(c, id)), spool!.read(), o);
      return exit;
    }
    const out = new Output(o.output);
    if (o.json) {
      if (!o.quiet) await out.write(`${safeJson(verifyJson(c))}\n`);
    } else if (!o.quiet) {
      await out.write(verifyReport(c, o));
    }
    await out.end();
    return exit;
  } finally {
    await spool?.dispose();
  }
}

/** The documented JSON (man blaze-dmarc): spf.result and source "flags" as before the pipeline existed. */
function verifyJson(c: AuthReport): Record<string, unknown> {
  return {
    from: c.from.ok ? { domain: c.from.value } : { error: c.from.error, message: c.from.message },
    spf: c.spf
      ? {
          result: c.spf.status,
          domain: c.spf.domain ?? null,
          mailfrom: c.spf.mailfrom ?? null,
          helo: c.spf.helo ?? null,
          source: c.spf.source === 'session' ? 'flags' : c.spf.source,
          // From the message: where its identity was found (envelope-from, return-path, comment, helo).
          ...(c.spf.source === 'session' ? {} : { identityFrom: c.spf.identityFrom ?? null }),
        }
      : c.spfProblem
        ? { result: 'none', problem: c.spfProblem }
        : null,
    dkim: c.dkim.map((d) => ({
      status: d.status,
      domain: d.domain ?? null,
      selector: d.selector ?? null,
      reason: d.reason ?? null,
      unsignedFields: d.unsignedFields ?? [],
      unsignedBodyBytes: d.unsignedBodyBytes ?? null,
    })),
    dmarc: c.dmarc
      ? {
          status: c.dmarc.status,
          reason: c.dmarc.reason ?? null,
          policyDomain: c.dmarc.policyDomain ?? null,
          orgDomain: c.dmarc.orgDomain,
          policy: c.dmarc.policy ?? null,
          disposition: c.dmarc.disposition,
          pct: c.dmarc.record?.pct ?? null,
          sampledOut: c.dmarc.sampledOut ?? false,
          spfAligned: c.dmarc.spfAligned,
          dkimAligned: c.dmarc.dkimAligned,
          record: c.dmarc.record ?? null,
          warnings: c.dmarc.warnings ?? [],
        }
      : null,
  };
}

function verifyReport(c: AuthReport, o: VerifyOptions): string {
  const { glyphs: g } = presentation(o);
  const mark = (ok: boolean) => (ok ? g.ok : g.err);
  const lines: string[] = [];
  if (c.spf) lines.push(`${mark(c.spf.status === 'pass')} spf=${c.spf.status} ${c.spf.mailfrom ? `smtp.mailfrom=${c.spf.mailfrom}` : `smtp.helo=${c.spf.helo ?? '?'}`} (${spfSource(c.spf)})`);
  else if (c.spfProblem) lines.push(`${g.err} spf=none (--spf recheck: ${c.spfProblem})`);
  else lines.push(`${g.err} spf=none (no SPF context: give --ip with --sender/--helo, or a Received-SPF field)`);
  if (c.dkim.length === 0) lines.push(`${g.err} dkim=none (no signature)`);
  for (const d of c.dkim) lines.push(`${mark(d.status === 'pass')} dkim=${d.status} header.d=${d.domain ?? '?'}${d.selector ? ` header.s=${d.selector}` : ''}${d.reason ? ` (${d.reason})` : ''}`);
  if (!c.from.ok) lines.push(`${g.err} dmarc=permerror (${c.from.message})`);
  else if (c.dmarc) {
    const d = c.dmarc;
    let line = `${mark(d.status === 'pass')} dmarc=${d.status} header.from=${d.fromDomain}`;
    if (d.record) line += ` policy=${d.policyDomain} p=${d.record.p}${d.record.sp ? ` sp=${d.record.sp}` : ''} adkim=${d.record.adkim} aspf=${d.record.aspf} pct=${d.record.pct}`;
    lines.push(line);
    if (d.status === 'fail') lines.push(`  disposition: ${d.disposition}${d.sampledOut ? ` (outside the pct=${d.record?.pct} sample; policy ${d.policy})` : ''}`);
    if (d.record) lines.push(`  aligned: spf ${d.spfAligned ? 'yes' : 'no'}, dkim ${d.dkimAligned ? `yes (${d.dkimDomain})` : 'no'}`);
    if (d.reason) lines.push(`  ${d.reason}`);
    for (const w of d.warnings ?? []) lines.push(`  warning: ${w}`);
  }
  // Every value here may come from the message or DNS: no control character reaches the terminal.
  return `${lines.map(terminalSafe).join('\n')}\n`;
}

/** Where the SPF verdict came from, for the text report. */
function spfSource(s: NonNullable<AuthReport['spf']>): string {
  const identity = s.identityFrom && s.identityFrom !== 'envelope-from' ? `, identity from ${s.identityFrom === 'return-path' ? 'Return-Path' : s.identityFrom === 'helo' ? 'HELO' : 'its comment'}` : '';
  if (s.source === 'session') return 'evaluated';
  if (s.source === 'recheck') return `Received-SPF evaluated again${identity}`;
  return `from Received-SPF${identity}`;
}

// ---------------------------------------------------------------- collect

async function collectCommand(input: string | undefined, o: CollectOptions): Promise<number> {
  const found: { line: number; value: string; parsed: ReturnType<typeof parseAuthResultsLenient> }[] = [];
  let problem: string | undefined;
  for await (const f of headerFields(input, o.newline, (p) => {
    // A field too long to keep is skipped with a warning (an Authentication-Results among them is reported unread).
    if (p.kind === 'too-long') {
      if (!o.quiet) process.stderr.write(`blaze: dmarc collect: ${inputName(input)}: ${skippedFieldWarning(p)}\n`);
    } else problem ??= `${inputName(input)}: line ${p.line}: ${p.reason}`;
  })) {
    if (f.name.toLowerCase() !== 'authentication-results') continue;
    const value = rawValue(f.raw).toString('utf8');
    found.push({ line: f.line, value, parsed: parseAuthResultsLenient(value) });
  }
  if (problem) throw new BlazeError(problem, EXIT_USAGE);
  const out = new Output();
  if (o.json) {
    const doc = found.map((x) => (x.parsed.ok ? { line: x.line, ...x.parsed.value } : { line: x.line, error: x.parsed.message, offset: x.parsed.offset, value: x.value.trim() }));
    if (!o.quiet) await out.write(`${safeJson(doc)}\n`);
  } else if (!o.quiet) {
    await out.write(collectReport(found, o));
  }
  await out.end();
  return 0;
}

/** The original layout: `authserv-id: ✓ method (props)`, ids right-aligned, properties wrapped at 80 columns. */
function collectReport(found: { line: number; parsed: ReturnType<typeof parseAuthResultsLenient> }[], o: CollectOptions): string {
  const { glyphs: g, paint } = presentation(o);
  const ids = found.map((x) => terminalSafe(x.parsed.ok ? x.parsed.value.authservId : '?'));
  const width = Math.max(0, ...ids.map((s) => s.length));
  let text = '';
  found.forEach((x, i) => {
    const head = `${ids[i].padStart(width)}: `;
    const pad = ' '.repeat(head.length);
    if (!x.parsed.ok) {
      text += `${head}${paint.red(g.err)} unreadable field at line ${x.line}: ${terminalSafe(x.parsed.message)}\n`;
      return;
    }
    const results = x.parsed.value.results;
    if (results.length === 0 && x.parsed.value.skipped.length === 0) text += `${head}none\n`;
    results.forEach((r, j) => {
      const ok = r.result === 'pass';
      const glyph = ok ? paint.green(g.ok) : paint.red(g.err);
      const name = terminalSafe(ok || r.result === 'fail' ? r.method : `${r.method}=${r.result}`);
      const start = `${j === 0 ? head : pad}${glyph} ${name}`;
      const props = r.properties.map((p) => terminalSafe(`${p.type}.${p.name}=${p.value.includes('@') ? p.value : JSON.stringify(p.value)}`));
      if (props.length === 0) {
        text += `${start}\n`;
        return;
      }
      // Column counting without colour codes.
      const startLen = `${j === 0 ? head : pad}${ok ? g.ok : g.err} ${name}`.length;
      const indent = ' '.repeat(startLen + 2);
      let line = `${start} (`;
      let col = startLen + 2;
      props.forEach((p, k) => {
        const piece = `${p}${k === props.length - 1 ? ')' : ''}`;
        if (k > 0 && col + 1 + piece.length > 80) {
          text += `${line}\n`;
          line = indent + piece;
          col = indent.length + piece.length;
        } else {
          line += (k > 0 ? ' ' : '') + piece;
          col += (k > 0 ? 1 : 0) + piece.length;
        }
      });
      text += `${line}\n`;
    });
    x.parsed.value.skipped.forEach((piece, j) => {
      text += `${j === 0 && results.length === 0 ? head : pad}${paint.red(g.err)} unreadable: ${terminalSafe(piece)}\n`;
    });
  });
  return text;
}

