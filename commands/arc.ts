// blaze arc verify | sign (RFC 8617). Chain validation and sealing are in
// src/arc; sealing first runs the same SPF/DKIM/DMARC checks as dmarc verify
// (commands/dmarc.ts checkMessage), in the same single read of the message.
import { readFile, stat } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { program, subcommand, addTerminalOptions, addInputOptions, addJsonOption, addOutputOption, presentation } from './_lib/cli.ts';
import { BlazeError, usageError, describeFsError, EXIT_USAGE, EXIT_TEMPFAIL } from './_lib/errors.ts';
import { readMessage, inputName, Output } from './_lib/io.ts';
import { addDnsOptions, resolverFromOptions, nowFromOptions } from './_lib/dns-options.ts';
import { Spool } from './_dkim-spool.ts';
import { run } from '../src/dns/index.ts';
import { CrlfToLf } from '../src/mime/newline.ts';
import { fieldValue, type RawField } from '../src/mime/header-decoder.ts';
import { parseAddressList, flattenAddresses, addrSpec } from '../src/mime/index.ts';
import { decodeSeed } from '../src/rand/index.ts';
import { loadPrivateKey, keyFromSeed, isValidDomain, RECOMMENDED_FIELDS, type LoadedKey, type KeyType } from '../src/dkim/index.ts';
import { ArcReader, evaluateArc, sealMessage, type ArcResult } from '../src/arc/index.ts';
import { checkMessage, authResultsOf, addCheckOptions, publicKeys, type Opts } from './dmarc.ts';

export default async function arc(argv: string[]): Promise<number> {
  let code = 0;
  const root = program('arc', 'ARC chains: verify, sign (seal the next instance)');
  root.addHelpText('after', '\nSee man blaze-arc (man ./man/blaze-arc.1).');

  const verify = addJsonOption(addDnsOptions(addInputOptions(addTerminalOptions(subcommand(root, 'verify', 'validate the ARC chain of a message')))));
  verify
    .argument('[input]', 'the message (default: stdin)')
    .addOption(new Option('-e, --key <sel:domain:key>', 'public key for SEL:DOMAIN (PEM file, base64 SPKI, or Ed25519 raw base64); repeatable').argParser(collect))
    .action(async (input: string | undefined, _o, cmd: Command) => {
      code = await verifyCommand(input, cmd.opts() as Opts);
    });

  const sign = addCheckOptions(addOutputOption(addDnsOptions(addInputOptions(addTerminalOptions(subcommand(root, 'sign', 'check the message, then prepend ARC-Seal, ARC-Message-Signature and ARC-Authentication-Results'))))));
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
    .addOption(new Option('-a, --algorithm <alg>', 'key type for --seed').choices(['rsa', 'ed25519']).default('rsa'))
    .option('-b, --bits <bits>', 'RSA size for --seed', '2048')
    .addOption(new Option('-e, --verify-key <sel:domain:key>', 'public key for SEL:DOMAIN used to check DKIM and the chain (instead of DNS); repeatable').argParser(collect))
    .addOption(new Option('-f, --field <name>', 'field for the AMS to sign (repeatable; default: the RFC 6376 set present plus DKIM-Signature)').argParser(collect))
    .action(async (input: string | undefined, _o, cmd: Command) => {
      code = await signCommand(input, cmd.opts() as Opts);
    });

  const first = argv.find((a) => !a.startsWith('-'));
  if (first === undefined && !argv.includes('--help')) {
    process.stderr.write(`blaze: arc: missing subcommand (verify or sign)\n${root.helpInformation()}`);
    return EXIT_USAGE;
  }
  await root.parseAsync(argv, { from: 'user' });
  return code;
}

function collect(v: string, prev: string[] | undefined): string[] {
  return [...(prev ?? []), v];
}

async function fileOrText(arg: string): Promise<string> {
  const isFile = await stat(arg).then((s) => s.isFile(), () => false);
  if (!isFile) return arg;
  try {
    return await readFile(arg, 'latin1');
  } catch (err) {
    throw describeFsError(arg, err);
  }
}

/** The author address for the chain line (the From addr-spec, or `unknown`). */
function sender(fields: readonly RawField[]): string {
  const f = fields.find((x) => x.name.toLowerCase() === 'from');
  if (!f) return 'unknown';
  const boxes = flattenAddresses(parseAddressList(fieldValue(f.raw).toString('utf8')).addresses);
  return boxes.length ? addrSpec(boxes[0]) : 'unknown';
}

function arcExit(r: ArcResult): number {
  if (r.status === 'fail') return 1;
  if (r.status === 'temperror') return EXIT_TEMPFAIL;
  return 0;
}

async function verifyCommand(input: string | undefined, o: Opts): Promise<number> {
  const keys = await publicKeys(o.key as string[] | undefined, fileOrText);
  const resolver = resolverFromOptions(o);
  const reader = new ArcReader();
  for await (const chunk of readMessage(input, o.newline)) reader.push(chunk);
  reader.finish();
  if (reader.malformed) throw usageError(`${inputName(input)}: line ${reader.malformed.line}: ${reader.malformed.reason}`);
  if (reader.fields.length === 0) throw usageError(`${inputName(input)}: no header field (not a message?)`);
  const r = await run(evaluateArc(reader, { keys }), resolver);
  const who = sender(reader.fields);
  const out = new Output();
  if (o.json) {
    const doc = {
      sender: who,
      status: r.status,
      reason: r.reason ?? null,
      instances: r.instances,
      oldestPass: r.oldestPass ?? null,
      sets: r.sets.map((s) => ({ instance: s.instance, domain: s.domain ?? null, selector: s.selector ?? null, seal: s.seal, sealReason: s.sealReason ?? null, ams: s.ams, amsReason: s.amsReason ?? null })),
    };
    if (!o.quiet) await out.write(`${JSON.stringify(doc, null, 2)}\n`);
  } else if (!o.quiet) {
    const { glyphs: g, paint } = presentation(o);
    let line = who;
    for (const s of r.sets) {
      // A link holds when its seal verifies; the newest also needs its AMS.
      const ok = s.seal === 'pass' && (s.instance < r.instances || s.ams === 'pass');
      line += ` ${ok ? paint.green(g.arrowOk) : paint.red(g.arrowErr)} ${String(s.instance).padStart(2, '0')}:${s.domain ?? '?'}`;
    }
    await out.write(`${line}\n`);
    if (r.status !== 'pass' && r.reason) process.stderr.write(`blaze: arc verify: ${r.status}: ${r.reason}\n`);
  }
  await out.end();
  return arcExit(r);
}

async function signingKey(o: Opts): Promise<LoadedKey> {
  const keyArg = (o.key ?? o.privateKey) as string | undefined;
  if (keyArg !== undefined && o.seed !== undefined) throw usageError('give --key or --seed, not both');
  if (o.seed !== undefined) {
    const seed = decodeSeed(String(o.seed));
    if (!seed) throw usageError(`--seed: not base64: '${o.seed}'`);
    const bits = Number(o.bits);
    if (!/^\d+$/.test(String(o.bits)) || bits < 1024 || bits > 4096) throw usageError(`-b ${o.bits}: RSA keys are 1024 to 4096 bits`);
    return keyFromSeed(seed, { algorithm: o.algorithm as KeyType, bits });
  }
  if (keyArg === undefined) throw usageError('no key: give -k KEY or --seed SEED');
  const k = loadPrivateKey(await fileOrText(keyArg));
  if (!k.ok) throw usageError(`--key: ${k.error}`);
  return k.value;
}

/** Default AMS fields: the RFC 6376 §5.4.1 set present, plus MIME fields and DKIM-Signature (never ARC-Seal). */
function amsFields(fields: readonly RawField[], explicit: string[] | undefined): string[] {
  if (explicit) return ['from', ...explicit.map((n) => n.toLowerCase()).filter((n) => n !== 'from')];
  const present = new Set(fields.map((f) => f.name.toLowerCase()));
  const wanted = ['from', ...RECOMMENDED_FIELDS, 'message-id', 'mime-version', 'content-type', 'content-transfer-encoding', 'dkim-signature'];
  return [...new Set(wanted)].filter((n) => present.has(n));
}

async function signCommand(input: string | undefined, o: Opts): Promise<number> {
  const domain = (o.hostname ?? o.domain) as string | undefined;
  if (!domain) throw usageError('no sealing domain: give -h DOMAIN');
  if (!isValidDomain(domain)) throw usageError(`-h ${domain}: not a domain name`);
  const sealSel = (o.sealSelector ?? o.selector) as string | undefined;
  const sigSel = (o.signatureSelector ?? sealSel) as string | undefined;
  if (!sealSel) throw usageError('no selector: give --seal-selector (and --signature-selector) or -s');
  for (const s of [sealSel, sigSel!]) if (!isValidDomain(s)) throw usageError(`selector ${s}: not a selector`);
  const key = await signingKey(o);
  const now = Math.floor(nowFromOptions(o).getTime() / 1000);
  const resolver = resolverFromOptions(o);
  const spool = new Spool();
  try {
    const keys = await publicKeys(o.verifyKey as string[] | undefined, fileOrText);
    const c = await checkMessage(input, o, resolver, { arc: true, seal: true, spool, keys });
    const ar = authResultsOf(c, (o.authservId as string | undefined) ?? domain, true);
    const sealed = sealMessage(c.arcReader!, c.arc!, {
      key,
      domain,
      selector: sealSel,
      signatureSelector: sigSel,
      timestamp: now,
      fields: amsFields(c.fields, o.field as string[] | undefined),
      aar: { results: ar },
    });
    // A chain that already failed gets no new set: a negative verdict (exit 1), not bad input.
    if (!sealed.ok) throw new BlazeError(`${inputName(input)}: ${sealed.error}`, c.arc?.status === 'temperror' ? EXIT_TEMPFAIL : 1);
    const out = new Output(o.output as string | undefined);
    const lf = o.newline === 'lf' ? new CrlfToLf() : undefined;
    const emit = async (b: Buffer) => {
      const data = lf ? lf.push(b) : b;
      if (data.length) await out.write(data);
    };
    await emit(Buffer.from(sealed.seal + sealed.signature + sealed.results, 'utf8'));
    for await (const chunk of spool.read()) await emit(chunk);
    if (lf) await emit(lf.finish());
    await out.end();
    if (o.verbose) process.stderr.write(`blaze: arc sign: sealed i=${sealed.instance} cv=${sealed.cv}\n`);
    return 0;
  } finally {
    await spool.dispose();
  }
}
