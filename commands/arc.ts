// blaze arc verify | sign (RFC 8617). Chain validation and sealing are in
// src/arc; both run the pipeline of src/auth (verify: ARC only; sign: SPF,
// DKIM, DMARC and ARC, as dmarc verify) over one read of the message.
import { Option, type Command } from 'commander';
import { program, subcommand, addTerminalOptions, addInputOptions, addJsonOption, addOutputOption, presentation, type CommonOptions } from './_lib/cli.ts';
import { BlazeError, usageError, EXIT_USAGE, EXIT_TEMPFAIL } from './_lib/errors.ts';
import { readMessage, inputName, Output } from './_lib/io.ts';
import { addDnsOptions, collect, parseFieldWord, parseNow, type DnsOptions } from './_lib/flags.ts';
import { resolverFromOptions } from './_lib/resolver.ts';
import { Spool } from './_lib/spool.ts';
import { publicKeysFromFlags, signingKeyFromFlags, type SigningKeyFlags } from './_lib/keys.ts';
import { writePrepended } from './_lib/message-writer.ts';
import { addCheckOptions, addJudgementOptions, judgementFromFlags, policyFromFlags, reportOrUsage, sessionFromFlags, warnSkipped, type CheckFlags, type JudgementFlags } from './_lib/auth-flags.ts';
import { fieldValue, type RawField } from '../src/mime/header-decoder.ts';
import { parseAddressList, flattenAddresses, addrSpec } from '../src/mime/index.ts';
import { DEFAULT_SIGNED_FIELDS, isValidDomain, signedFieldNames } from '../src/dkim/index.ts';
import { sealMessage, type ArcResult } from '../src/arc/index.ts';
import { authenticateMessage, authResultsOf } from '../src/auth/index.ts';
import { safeJson, terminalSafe } from '../src/mime/safe-text.ts';

interface VerifyOptions extends CommonOptions, DnsOptions, JudgementFlags {
  /** -e SEL:DOMAIN:KEY */
  key?: string[];
}

interface SignOptions extends CommonOptions, DnsOptions, CheckFlags, JudgementFlags, Omit<SigningKeyFlags, 'key'> {
  domain?: string;
  sealSelector?: string;
  signatureSelector?: string;
  selector?: string;
  authservId?: string;
  key?: string;
  verifyKey?: string[];
  field?: string[];
  /** --oversign: true, --no-oversign: false, neither: From only. */
  oversign?: boolean;
}

export default async function arc(argv: string[]): Promise<number> {
  let code = 0;
  const root = program('arc', 'ARC chains: verify, sign (seal the next instance)');
  root.addHelpText('after', '\nSee man blaze-arc (man ./man/blaze-arc.1).');

  const verify = addJudgementOptions(addJsonOption(addDnsOptions(addInputOptions(addTerminalOptions(subcommand(root, 'verify', 'validate the ARC chain of a message'))))));
  verify
    .argument('[input]', 'the message (default: stdin)')
    .addOption(new Option('-e, --key <sel:domain:key>', 'public key for SEL:DOMAIN (PEM file, base64 SPKI, or Ed25519 raw base64); repeatable').argParser(collect))
    .action(async (input: string | undefined, _o, cmd: Command) => {
      code = await verifyCommand(input, cmd.opts<VerifyOptions>());
    });

  const sign = addJudgementOptions(addCheckOptions(addOutputOption(addDnsOptions(addInputOptions(addTerminalOptions(subcommand(root, 'sign', 'check the message, then prepend ARC-Seal, ARC-Message-Signature and ARC-Authentication-Results')))))));
  sign
    .argument('[input]', 'the message (default: stdin)')
    .option('-h, --hostname <domain>', 'the sealing domain (d=) and authserv-id of the AAR')
    .option('-d, --domain <domain>', 'alias of --hostname')
    .option('--seal-selector <selector>', 'selector of the ARC-Seal')
    .option('--signature-selector <selector>', 'selector of the ARC-Message-Signature (default: the seal selector)')
    .option('-s, --selector <selector>', 'both selectors')
    .option('--authserv-id <id>', 'authserv-id of the AAR (default: the domain)')
    .option('-k, --key <key>', 'private key: PEM file, base64 DER, or Ed25519 32-byte seed base64')
    .option('-p, --private-key <key>', 'alias of --key')
    .option('--seed <base64>', 'derive the key from this seed (as dkim gen --seed)')
    .addOption(new Option('-a, --algorithm <alg>', 'key type for --seed (default rsa), or check of --key').choices(['rsa', 'ed25519']))
    .option('-b, --bits <bits>', 'RSA size for --seed', '2048')
    .addOption(new Option('-e, --verify-key <sel:domain:key>', 'public key for SEL:DOMAIN used to check DKIM and the chain (instead of DNS); repeatable').argParser(collect))
    .addOption(new Option('-f, --field <name>', 'sign one instance of this field in the AMS per -f (repeatable; default: dkimpy\'s set present, and DKIM-Signature)').argParser(collect))
    .option('--oversign', 'list every field the AMS signs once more, so no instance of any can be added')
    .option('--no-oversign', 'do not list From once more in the AMS (by default it is)')
    .action(async (input: string | undefined, _o, cmd: Command) => {
      code = await signCommand(input, cmd.opts<SignOptions>());
    });

  const first = argv.find((a) => !a.startsWith('-'));
  if (first === undefined && !argv.includes('--help')) {
    process.stderr.write(`blaze: arc: missing subcommand (verify or sign)\n${root.helpInformation()}`);
    return EXIT_USAGE;
  }
  await root.parseAsync(argv, { from: 'user' });
  return code;
}

/** The author address for the chain line (the From addr-spec, or `unknown`). */
function sender(fields: readonly RawField[]): string {
  const f = fields.find((x) => x.name.toLowerCase() === 'from');
  if (!f) return 'unknown';
  const boxes = flattenAddresses(parseAddressList(fieldValue(f.raw).toString('utf8')).addresses);
  return boxes.length ? addrSpec(boxes[0]) : 'unknown';
}

/**
 * The arrow before a set: a link holds when its seal verifies (the newest
 * also needs its AMS); one never checked (a chain broken before validation
 * began, RFC 8617 §5.2 steps 2-3) is drawn unchecked, not failed.
 */
function linkArrow(s: ArcResult['sets'][number], newest: number, g: ReturnType<typeof presentation>['glyphs'], paint: ReturnType<typeof presentation>['paint']): string {
  const checks = s.instance < newest ? [s.seal] : [s.seal, s.ams];
  if (checks.every((c) => c === 'pass')) return paint.green(g.arrowOk);
  if (checks.some((c) => c === 'fail')) return paint.red(g.arrowErr);
  return paint.yellow(g.arrowUnchecked);
}

function arcExit(r: ArcResult): number {
  if (r.status === 'fail') return 1;
  if (r.status === 'temperror') return EXIT_TEMPFAIL;
  return 0;
}

async function verifyCommand(input: string | undefined, o: VerifyOptions): Promise<number> {
  const keys = publicKeysFromFlags(o.key);
  const resolver = resolverFromOptions(o);
  const c = reportOrUsage(
    await authenticateMessage({ chunks: readMessage(input, o.newline), resolver, methods: { arc: true }, policy: { now: parseNow(o.now), sample: 0, keys, ...judgementFromFlags(o) } }),
    inputName(input),
  );
  warnSkipped(c, 'arc verify', inputName(input), o.quiet);
  const r = c.arc!;
  const who = sender(c.fields);
  const out = new Output();
  if (o.json) {
    const doc = {
      sender: who,
      status: r.status,
      reason: r.reason ?? null,
      instances: r.instances,
      oldestPass: r.oldestPass ?? null,
      sets: r.sets.map((s) => ({
        instance: s.instance,
        domain: s.domain ?? null,
        selector: s.selector ?? null,
        seal: s.seal,
        sealReason: s.sealReason ?? null,
        ams: s.ams,
        amsReason: s.amsReason ?? null,
        unsignedFields: s.unsignedFields ?? [],
        unsignedBodyBytes: s.unsignedBodyBytes ?? null,
      })),
    };
    if (!o.quiet) await out.write(`${safeJson(doc)}\n`);
  } else if (!o.quiet) {
    const { glyphs: g, paint } = presentation(o);
    let line = terminalSafe(who);
    for (const s of r.sets) line += ` ${linkArrow(s, r.instances, g, paint)} ${String(s.instance).padStart(2, '0')}:${terminalSafe(s.domain ?? '?')}`;
    await out.write(`${line}\n`);
    // A pass that leaves body bytes unsigned says so on stdout, with the chain.
    if (r.status === 'pass' && r.reason) await out.write(`  ${terminalSafe(r.reason)}\n`);
    if (r.status !== 'pass' && r.reason) process.stderr.write(`blaze: arc verify: ${r.status}: ${terminalSafe(r.reason)}\n`);
  }
  await out.end();
  return arcExit(r);
}

/**
 * The AMS h= list, chosen as dkim sign does: dkimpy's default set where
 * present and the DKIM-Signature fields, or one instance per -f; From
 * oversigned unless --no-oversign.
 */
function amsFields(fields: readonly RawField[], o: SignOptions): string[] {
  return signedFieldNames(fields, {
    fields: o.field,
    defaults: [...DEFAULT_SIGNED_FIELDS, 'dkim-signature'],
    oversign: o.oversign === true ? 'all' : o.oversign === false ? 'none' : 'from',
  });
}

async function signCommand(input: string | undefined, o: SignOptions): Promise<number> {
  const domain = o.hostname ?? o.domain;
  if (!domain) throw usageError('no sealing domain: give -h DOMAIN');
  if (o.authservId !== undefined) parseFieldWord(o.authservId, '--authserv-id');
  if (!isValidDomain(domain)) throw usageError(`-h ${domain}: not a domain name`);
  const sealSel = o.sealSelector ?? o.selector;
  const sigSel = o.signatureSelector ?? sealSel;
  if (!sealSel) throw usageError('no selector: give --seal-selector (and --signature-selector) or -s');
  for (const s of [sealSel, sigSel!]) if (!isValidDomain(s)) throw usageError(`selector ${s}: not a selector`);
  const key = await signingKeyFromFlags(o, { messageOnStdin: input === undefined || input === '-' });
  const now = Math.floor(parseNow(o.now).getTime() / 1000);
  const session = sessionFromFlags(o);
  const keys = publicKeysFromFlags(o.verifyKey);
  const policy = policyFromFlags(o, keys);
  const resolver = resolverFromOptions(o);
  const spool = new Spool();
  try {
    const c = reportOrUsage(
      await authenticateMessage({
        chunks: readMessage(input, o.newline),
        resolver,
        session,
        policy,
        methods: { spf: true, dkim: true, dmarc: true, arc: true },
        seal: true,
        tee: (chunk) => spool.write(Buffer.from(chunk)),
      }),
      inputName(input),
    );
    warnSkipped(c, 'arc sign', inputName(input), o.quiet);
    const ar = authResultsOf(c, o.authservId ?? domain, { arc: true });
    const sealed = sealMessage(c.arcReader!, c.arc!, {
      key,
      domain,
      selector: sealSel,
      signatureSelector: sigSel,
      timestamp: now,
      fields: amsFields(c.fields, o),
      aar: { results: ar },
    });
    // A chain that already failed gets no new set: a negative verdict (exit 1), not bad input.
    if (!sealed.ok) throw new BlazeError(`${inputName(input)}: ${sealed.message}`, c.arc?.status === 'temperror' ? EXIT_TEMPFAIL : 1);
    await writePrepended(sealed.value.seal + sealed.value.signature + sealed.value.results, spool.read(), o);
    if (o.verbose) process.stderr.write(`blaze: arc sign: sealed i=${sealed.value.instance} cv=${sealed.value.cv}\n`);
    return 0;
  } finally {
    await spool.dispose();
  }
}
