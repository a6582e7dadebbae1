// blaze dmarc verify | collect (RFC 7489, RFC 8601). The checks live in
// src/dkim, src/dmarc, src/arc and src/authres; this file reads the message
// once, asks DNS through the shared options, and prints. `checkMessage` is
// also what `arc sign` runs before sealing.
import { randomInt } from 'node:crypto';
import type { Command } from 'commander';
import { program, subcommand, addTerminalOptions, addInputOptions, addJsonOption, addOutputOption, presentation, type CommonOptions } from './_lib/cli.ts';
import { BlazeError, usageError, EXIT_USAGE, EXIT_TEMPFAIL } from './_lib/errors.ts';
import { readMessage, inputName, Output } from './_lib/io.ts';
import { addDnsOptions, resolverFromOptions, nowFromOptions, type DnsOptions } from './_lib/dns-options.ts';
import { headerFields, rawValue } from './_header-read.ts';
import { Spool } from './_dkim-spool.ts';
import { run, type Resolver } from '../src/dns/index.ts';
import { CrlfToLf } from '../src/mime/newline.ts';
import { fieldValue, type RawField } from '../src/mime/header-decoder.ts';
import { DkimVerifier, evaluateSignature, parseTagList, stripFws, loadPublicKey, type DkimResult, type LoadedKey } from '../src/dkim/index.ts';
import { ArcReader, evaluateArc, type ArcResult } from '../src/arc/index.ts';
import { parseAuthResultsLenient, formatAuthResultsField, type AuthResults } from '../src/authres/index.ts';
import { authorDomain, evaluateDmarc, buildAuthResults, type DmarcResult, type FromDomainResult, type CheckedSpf } from '../src/dmarc/index.ts';
import { evaluateSpf, parseIp, checkSpfSender, checkSpfHelo, type SpfResult } from '../src/spf/index.ts';

export type Opts = CommonOptions & DnsOptions & Record<string, unknown>;

export interface SpfContext extends CheckedSpf {
  /** The domain SPF authenticated (MAIL FROM domain, else HELO), for DMARC alignment. */
  domain?: string;
  source: 'flags' | 'received-spf';
}

export interface Checked {
  fields: RawField[];
  dkim: DkimResult[];
  /** b= prefixes by signature line (for header.b). */
  dkimB: Map<number, string>;
  spf?: SpfContext;
  from: FromDomainResult;
  dmarc?: DmarcResult;
  arc?: ArcResult;
  arcReader?: ArcReader;
}

/** `-e SEL:DOMAIN:KEY` values (PEM file or base64) as a key map. */
export async function publicKeys(specs: string[] | undefined, fileOrText: (a: string) => Promise<string>): Promise<Map<string, LoadedKey>> {
  const keys = new Map<string, LoadedKey>();
  for (const spec of specs ?? []) {
    const m = /^([^:]+):([^:]+):(.+)$/s.exec(spec);
    if (!m) throw usageError(`-e ${spec}: expected SELECTOR:DOMAIN:KEY`);
    const k = loadPublicKey(await fileOrText(m[3]));
    if (!k.ok) throw usageError(`-e ${m[1]}:${m[2]}: ${k.error}`);
    keys.set(`${m[1]}:${m[2]}`.toLowerCase(), k.value);
  }
  return keys;
}

/** SPF and DMARC flags shared by dmarc verify and arc sign. */
export function addCheckOptions(cmd: Command): Command {
  return cmd
    .option('--ip <ip>', 'SMTP client address (SPF)')
    .option('--sender <addr>', 'MAIL FROM (SPF)')
    .option('--helo <host>', 'HELO/EHLO name (SPF)')
    .option('--tree-walk', 'find the DMARC policy by the RFC 9989 DNS tree walk instead of the PSL')
    .option('--sample <n>', 'pct sampling draw, 0-99 (default: random); the policy applies when n < pct');
}

/** The SPF verdict recorded in the newest Received-SPF field (RFC 7208 §9.1). */
export function receivedSpf(fields: readonly RawField[]): SpfContext | undefined {
  const f = fields.find((x) => x.name.toLowerCase() === 'received-spf');
  if (!f) return undefined;
  const value = fieldValue(f.raw).toString('latin1').replace(/\r?\n/g, '');
  const m = /^\s*([A-Za-z]+)/.exec(value);
  if (!m) return undefined;
  const kv = value.replace(/\((?:[^()\\]|\\.)*\)/g, ' ');
  const get = (k: string) => new RegExp(`(?:^|[\\s;])${k}\\s*=\\s*("([^"]*)"|[^\\s;]+)`, 'i').exec(kv)?.[2] ?? new RegExp(`(?:^|[\\s;])${k}\\s*=\\s*("([^"]*)"|[^\\s;]+)`, 'i').exec(kv)?.[1];
  const mailfrom = get('envelope-from')?.replace(/^<|>$/g, '');
  const helo = get('helo');
  const identity = get('identity')?.toLowerCase();
  const result = m[1].toLowerCase();
  const fromHelo = identity === 'helo' || !mailfrom;
  const domain = fromHelo ? helo : mailfrom!.slice(mailfrom!.lastIndexOf('@') + 1);
  return { result, mailfrom: fromHelo ? undefined : mailfrom, helo, domain: domain?.toLowerCase(), source: 'received-spf' };
}

/** --ip with --sender and/or --helo, checked as `spf check` checks them (bad input: exit 2). */
function spfIdentity(o: Opts): { ip: string; sender?: string; helo?: string } {
  const ip = o.ip as string | undefined;
  if (ip === undefined) throw usageError('--sender/--helo need --ip (the SMTP client address)');
  if (!parseIp(ip.trim())) throw usageError(`--ip: '${ip}' is not an IPv4 or IPv6 address`);
  let sender: string | undefined;
  if (o.sender !== undefined) {
    const s = checkSpfSender(String(o.sender));
    if (!s.ok) throw usageError(`--sender: ${s.error}`);
    sender = s.sender || undefined;
  }
  const helo = o.helo as string | undefined;
  if (helo !== undefined) {
    const err = checkSpfHelo(helo);
    if (err) throw usageError(`--helo: ${err}`);
  }
  if (!sender && !helo) throw usageError('--ip needs --sender ADDR or --helo HOST (the SPF identity)');
  return { ip: ip.trim(), sender, helo };
}

/** The computed SPF verdict in the shape DMARC and Authentication-Results take. */
function spfContext(r: SpfResult): SpfContext {
  return {
    result: r.result,
    mailfrom: r.identity === 'mailfrom' ? r.sender : undefined,
    helo: r.helo,
    domain: r.domain.toLowerCase().replace(/\.$/, ''),
    source: 'flags',
  };
}

function sampleFrom(o: Opts): number {
  if (o.sample === undefined) return randomInt(100);
  const n = Number(o.sample);
  if (!/^\d{1,2}$/.test(String(o.sample))) throw usageError(`--sample ${o.sample}: expected 0 to 99`);
  return n;
}

/** Reads the message once: DKIM (every signature), ARC (when asked), the spool; then SPF, DMARC. */
export async function checkMessage(
  input: string | undefined,
  o: Opts,
  resolver: Resolver,
  want: {
    arc?: boolean;
    seal?: boolean;
    spool?: Spool;
    keys?: Map<string, LoadedKey>;
    /** The message as wire-form chunks instead of INPUT (srv --verify). */
    chunks?: AsyncIterable<Buffer>;
    /** Never take the SPF verdict from the message's own Received-SPF (a receiver that saw the session). */
    sessionOnly?: boolean;
  },
): Promise<Checked> {
  // With --ip and --sender/--helo, SPF is evaluated here (src/spf), alongside the read of the message.
  const spfFlags = o.ip !== undefined || o.sender !== undefined || o.helo !== undefined ? spfIdentity(o) : undefined;
  const spfRun = spfFlags ? run(evaluateSpf({ ...spfFlags, receiver: o.hostname as string | undefined, now: nowFromOptions(o) }), resolver) : undefined;
  spfRun?.catch(() => {}); // awaited below; no unhandled rejection while the message is read
  const dkimV = new DkimVerifier();
  const arcR = want.arc ? new ArcReader({ seal: want.seal }) : undefined;
  // The message from INPUT, or from chunks already in wire form (srv --verify).
  for await (const chunk of want.chunks ?? readMessage(input, o.newline)) {
    dkimV.push(chunk);
    arcR?.push(chunk);
    if (want.spool) await want.spool.write(Buffer.from(chunk));
  }
  const prepared = dkimV.finish();
  arcR?.finish();
  if (dkimV.malformed) throw usageError(`${inputName(input)}: line ${dkimV.malformed.line}: ${dkimV.malformed.reason}`);
  if (dkimV.fields.length === 0) throw usageError(`${inputName(input)}: no header field (not a message?)`);
  const now = nowFromOptions(o);
  const dkim = await Promise.all(prepared.map((p) => run(evaluateSignature(p, { now, keys: want.keys }), resolver)));
  const dkimB = new Map<number, string>();
  for (const f of dkimV.fields) {
    if (f.name.toLowerCase() !== 'dkim-signature') continue;
    const t = parseTagList(fieldValue(f.raw).toString('latin1'));
    if (t.ok && t.tags.has('b')) dkimB.set(f.line, stripFws(t.tags.get('b')!).slice(0, 8));
  }
  const fields = dkimV.fields;
  const spf = spfRun ? spfContext(await spfRun) : want.sessionOnly ? undefined : receivedSpf(fields);
  const from = authorDomain(fields.filter((f) => f.name.toLowerCase() === 'from').map((f) => fieldValue(f.raw).toString('utf8')));
  let dmarc: DmarcResult | undefined;
  if (from.ok) {
    dmarc = await run(
      evaluateDmarc({
        fromDomain: from.domain,
        spf: spf?.domain ? { result: spf.result, domain: spf.domain } : undefined,
        dkim: dkim.map((d) => ({ status: d.status, domain: d.domain ?? '' })),
        sample: sampleFrom(o),
        treeWalk: o.treeWalk === true,
      }),
      resolver,
    );
  }
  const arc = arcR ? await run(evaluateArc(arcR, { keys: want.keys }), resolver) : undefined;
  return { fields, dkim, dkimB, spf, from, dmarc, arc, arcReader: arcR };
}

/** This ADMD's Authentication-Results for a checked message. */
export function authResultsOf(c: Checked, authservId: string, withArc: boolean): AuthResults {
  return buildAuthResults(authservId, {
    arc: withArc && c.arc ? { status: c.arc.status === 'temperror' ? 'temperror' : c.arc.status, instances: c.arc.instances, oldestPass: c.arc.oldestPass } : undefined,
    spf: c.spf,
    dkim: c.dkim.map((d) => ({ status: d.status, domain: d.domain, selector: d.selector, auid: d.auid, b: c.dkimB.get(d.line), reason: d.reason })),
    dmarc: c.dmarc,
    fromDomain: c.from.ok ? undefined : '',
  });
}

export default async function dmarc(argv: string[]): Promise<number> {
  let code = 0;
  const root = program('dmarc', 'DMARC verification and Authentication-Results (verify, collect)');
  root.addHelpText('after', '\nSee man blaze-dmarc (man ./man/blaze-dmarc.1).');

  const verify = addCheckOptions(addJsonOption(addOutputOption(addDnsOptions(addInputOptions(addTerminalOptions(subcommand(root, 'verify', 'SPF, DKIM and DMARC for a message')))))));
  verify
    .argument('[input]', 'the message (default: stdin)')
    .option('-h, --hostname <authserv-id>', 'prepend Authentication-Results under this authserv-id and copy the message')
    .action(async (input: string | undefined, _o, cmd: Command) => {
      code = await verifyCommand(input, cmd.opts() as Opts);
    });

  const collect = addJsonOption(addInputOptions(addTerminalOptions(subcommand(root, 'collect', 'print every Authentication-Results field'))));
  collect.argument('[input]', 'the message (default: stdin)').action(async (input: string | undefined, _o, cmd: Command) => {
    code = await collectCommand(input, cmd.opts() as Opts);
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

async function verifyCommand(input: string | undefined, o: Opts): Promise<number> {
  const resolver = resolverFromOptions(o);
  const id = o.hostname as string | undefined;
  const spool = id ? new Spool() : undefined;
  try {
    const c = await checkMessage(input, o, resolver, { spool });
    const exit = dmarcExit(c.dmarc, c.from);
    const out = new Output(o.output as string | undefined);
    if (id) {
      const field = formatAuthResultsField(authResultsOf(c, id, false));
      const lf = o.newline === 'lf' ? new CrlfToLf() : undefined;
      const emit = async (b: Buffer) => {
        const data = lf ? lf.push(b) : b;
        if (data.length) await out.write(data);
      };
      await emit(Buffer.from(field, 'utf8'));
      for await (const chunk of spool!.read()) await emit(chunk);
      if (lf) await emit(lf.finish());
    } else if (o.json) {
      if (!o.quiet) await out.write(`${JSON.stringify(verifyJson(c), null, 2)}\n`);
    } else if (!o.quiet) {
      await out.write(verifyReport(c, o));
    }
    await out.end();
    return exit;
  } finally {
    await spool?.dispose();
  }
}

function verifyJson(c: Checked): Record<string, unknown> {
  return {
    from: c.from.ok ? { domain: c.from.domain } : { error: c.from.error, message: c.from.message },
    spf: c.spf ? { result: c.spf.result, domain: c.spf.domain ?? null, mailfrom: c.spf.mailfrom ?? null, helo: c.spf.helo ?? null, source: c.spf.source } : null,
    dkim: c.dkim.map((d) => ({ status: d.status, domain: d.domain ?? null, selector: d.selector ?? null, reason: d.reason ?? null })),
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

function verifyReport(c: Checked, o: Opts): string {
  const { glyphs: g } = presentation(o);
  const mark = (ok: boolean) => (ok ? g.ok : g.err);
  const lines: string[] = [];
  if (c.spf) lines.push(`${mark(c.spf.result === 'pass')} spf=${c.spf.result} ${c.spf.mailfrom ? `smtp.mailfrom=${c.spf.mailfrom}` : `smtp.helo=${c.spf.helo ?? '?'}`} (${c.spf.source === 'flags' ? 'evaluated' : 'from Received-SPF'})`);
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
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------- collect

async function collectCommand(input: string | undefined, o: Opts): Promise<number> {
  const found: { line: number; value: string; parsed: ReturnType<typeof parseAuthResultsLenient> }[] = [];
  let problem: string | undefined;
  for await (const f of headerFields(input, o.newline, (p) => {
    problem ??= `${inputName(input)}: line ${p.line}: ${p.kind === 'malformed' ? p.reason : `header field ${p.name} is too long`}`;
  })) {
    if (f.name.toLowerCase() !== 'authentication-results') continue;
    const value = rawValue(f.raw).toString('utf8');
    found.push({ line: f.line, value, parsed: parseAuthResultsLenient(value) });
  }
  if (problem) throw new BlazeError(problem, EXIT_USAGE);
  const out = new Output();
  if (o.json) {
    const doc = found.map((x) => (x.parsed.ok ? { line: x.line, ...x.parsed.value, skipped: x.parsed.skipped } : { line: x.line, error: x.parsed.error, offset: x.parsed.offset, value: x.value.trim() }));
    if (!o.quiet) await out.write(`${JSON.stringify(doc, null, 2)}\n`);
  } else if (!o.quiet) {
    await out.write(collectReport(found, o));
  }
  await out.end();
  return 0;
}

/** The original layout: `authserv-id: ✓ method (props)`, ids right-aligned, properties wrapped at 80 columns. */
function collectReport(found: { line: number; parsed: ReturnType<typeof parseAuthResultsLenient> }[], o: Opts): string {
  const { glyphs: g, paint } = presentation(o);
  const ids = found.map((x) => (x.parsed.ok ? x.parsed.value.authservId : '?'));
  const width = Math.max(0, ...ids.map((s) => s.length));
  let text = '';
  found.forEach((x, i) => {
    const head = `${ids[i].padStart(width)}: `;
    const pad = ' '.repeat(head.length);
    if (!x.parsed.ok) {
      text += `${head}${paint.red(g.err)} unreadable field at line ${x.line}: ${x.parsed.error}\n`;
      return;
    }
    const results = x.parsed.value.results;
    if (results.length === 0 && x.parsed.skipped.length === 0) text += `${head}none\n`;
    results.forEach((r, j) => {
      const ok = r.result === 'pass';
      const glyph = ok ? paint.green(g.ok) : paint.red(g.err);
      const name = ok || r.result === 'fail' ? r.method : `${r.method}=${r.result}`;
      const start = `${j === 0 ? head : pad}${glyph} ${name}`;
      const props = r.properties.map((p) => `${p.type}.${p.name}=${p.value.includes('@') ? p.value : JSON.stringify(p.value)}`);
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
    x.parsed.skipped.forEach((piece, j) => {
      text += `${j === 0 && results.length === 0 ? head : pad}${paint.red(g.err)} unreadable: ${piece}\n`;
    });
  });
  return text;
}

