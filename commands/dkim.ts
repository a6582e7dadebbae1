// blaze dkim gen | sign | verify (RFC 6376, RFC 8463, RFC 8301). The DKIM logic
// is in src/dkim; this file maps flags to it, reads inputs and prints.
import { createPublicKey } from 'node:crypto';
import { Option, type Command } from 'commander';
import { program, subcommand, addTerminalOptions, addInputOptions, addJsonOption, addOutputOption, type CommonOptions } from './_lib/cli.ts';
import { BlazeError, usageError, EXIT_USAGE } from './_lib/errors.ts';
import { readMessage, readMessageTransient, inputName, Output } from './_lib/io.ts';
import { addBatchOptions, batchInputs, runBatch, type BatchFlags } from './_lib/batch.ts';
import { checkSigningKeySize, publicKeysFromFlags, rsaBits, seedArgument, signingKeyFromFlags, type SigningKeyFlags } from './_lib/keys.ts';
import { writePrivateKeyFile, writePublicKeyFile } from './_lib/key-files.ts';
import { spinner } from './_lib/progress-bar.ts';
import { stdoutIsTTY } from './_lib/stdout.ts';
import { writePrepended } from './_lib/message-writer.ts';
import { addDnsOptions, collect, parseDuration, parseNow, type DnsOptions } from './_lib/flags.ts';
import { resolverFromOptions } from './_lib/resolver.ts';
import { Spool } from './_lib/spool.ts';
import { skippedFieldWarning } from '../src/mime/header-keeper.ts';
import { safeJson, terminalSafe } from '../src/mime/safe-text.ts';
import {
  verifyDkimMessage, formatDkimResult, dkimResultJson, dkimExitCode, DkimSigner, keyFromSeed, generateKey, ed25519PrivateBytes, publicKeyRecordData,
  parseCanonTag, isValidDomain, type DkimResult, type DkimVerifyOptions, type KeyType, type LoadedKey,
} from '../src/dkim/index.ts';

interface VerifyOptions extends CommonOptions, DnsOptions, BatchFlags {
  fields?: boolean;
  /** -e SEL:DOMAIN:KEY */
  key?: string[];
  allowSha1?: boolean;
  allowWeakKeys?: boolean;
  allowUnsignedDuplicates?: boolean;
  strict?: boolean;
}

interface SignOptions extends CommonOptions, DnsOptions, SigningKeyFlags {
  selector: string;
  domain?: string;
  hostname?: string;
  hash: 'sha256' | 'sha1';
  canonicalization: string;
  field?: string[];
  /** --oversign: true, --no-oversign: false, neither: From only. */
  oversign?: boolean;
  timestamp?: boolean;
  expire?: string;
  identity?: string;
  bodyLength?: boolean;
  allowSha1?: boolean;
  allowWeakKeys?: boolean;
}

interface GenOptions extends CommonOptions {
  algorithm: KeyType;
  bits: string;
  seed?: string;
  selector?: string;
  domain?: string;
  privateKey?: string;
  force?: boolean;
}

export default async function dkim(argv: string[]): Promise<number> {
  let code = 0;
  const root = program('dkim', 'DKIM keys, signatures and verification (gen, sign, verify)');
  root.addHelpText('after', '\nSee man blaze-dkim (man ./man/blaze-dkim.1).');

  const verify = addBatchOptions(addJsonOption(addDnsOptions(addInputOptions(addTerminalOptions(subcommand(root, 'verify', 'verify every DKIM signature of each message'))))));
  verify
    .argument('[inputs...]', 'messages (default: stdin); several = a batch, one block per file')
    .option('--fields', 'print the signed field names (h=), one per line, instead of the verdicts')
    .addOption(new Option('-e, --key <sel:domain:key>', 'public key for SEL:DOMAIN (PEM file, base64 SPKI, or Ed25519 raw base64); repeatable').argParser(collect))
    .option('--allow-sha1', 'accept rsa-sha1 signatures (RFC 8301 forbids them)')
    .option('--allow-weak-keys', 'accept RSA keys under 1024 bits (RFC 8301 forbids them)')
    .option('--allow-unsigned-duplicates', 'keep the bare result when a once-only field (From, Subject...) has an unsigned copy (RFC 6376 §8.15)')
    .option('--strict', 'fail a signature whose l= leaves body bytes unsigned (RFC 6376 §8.2)')
    .action(async (inputs: string[], _o, cmd: Command) => {
      code = await verifyCommand(inputs, cmd.opts<VerifyOptions>());
    });

  const sign = addOutputOption(addDnsOptions(addInputOptions(addTerminalOptions(subcommand(root, 'sign', 'print a DKIM-Signature field, then the message')))));
  sign
    .argument('[input]', 'the message (default: stdin)')
    .requiredOption('-s, --selector <selector>', 'selector (s=)')
    .option('-d, --domain <domain>', 'signing domain (d=)')
    .option('-h, --hostname <domain>', 'alias of --domain (the original tool\'s name)')
    .option('-k, --key <key>', 'private key: PEM file (PKCS#1/PKCS#8), base64 DER, or Ed25519 32-byte seed base64')
    .option('-p, --private-key <key>', 'alias of --key')
    .option('--seed <base64>', 'derive the key from this seed (as dkim gen --seed)')
    .addOption(new Option('-a, --algorithm <alg>', 'key type for --seed (or check of --key)').choices(['rsa', 'ed25519']))
    .option('-b, --bits <bits>', 'RSA size for --seed', '2048')
    .addOption(new Option('--hash <hash>', 'hash for RSA').choices(['sha256', 'sha1']).default('sha256'))
    .option('-c, --canonicalization <c>', 'simple|relaxed|HEADER/BODY', 'relaxed/relaxed')
    .addOption(new Option('-f, --field <name>', 'sign one instance of this field per -f (repeatable; From is always signed)').argParser(collect))
    .option('--oversign', 'list every signed field once more, so no instance of any can be added')
    .option('--no-oversign', 'do not list From once more (by default it is, so no From can be added)')
    .option('--timestamp', 'add t= (now)')
    .option('--expire <duration>', 'add x= now + DURATION (and t=)')
    .option('-i, --identity <auid>', 'agent or user identifier (i=)')
    .option('-l, --body-length', 'add l= (the body length signed)')
    .option('--allow-sha1', 'allow --hash sha1 (RFC 8301 forbids it)')
    .option('--allow-weak-keys', 'allow an RSA key under 1024 bits (RFC 8301 forbids it)')
    .action(async (input: string | undefined, _o, cmd: Command) => {
      code = await signCommand(input, cmd.opts<SignOptions>());
    });

  const gen = addTerminalOptions(subcommand(root, 'gen', 'make a key pair (deterministic with --seed)'));
  gen
    .argument('[output]', 'write the public key PEM here (- for stdout)')
    .addOption(new Option('-a, --algorithm <alg>', 'key type').choices(['rsa', 'ed25519']).default('rsa'))
    .option('-b, --bits <bits>', 'RSA size, 1024 to 4096', '2048')
    .option('--seed <base64>', 'derive the key from this seed (- for stdin); deterministic, and slow for RSA')
    .option('-s, --selector <selector>', 'with -d: print the DNS TXT record to publish')
    .option('-d, --domain <domain>', 'with -s: print the DNS TXT record to publish')
    .option('--private-key <file>', 'write the private key PEM (PKCS#8) to FILE, mode 0600 (- for stdout)')
    .option('--force', 'print a private key on a terminal')
    .action(async (output: string | undefined, _o, cmd: Command) => {
      code = await genCommand(output, cmd.opts<GenOptions>());
    });

  const first = argv.find((a) => !a.startsWith('-'));
  if (first === undefined && !argv.includes('--help')) {
    process.stderr.write(`blaze: dkim: missing subcommand (gen, sign or verify)\n${root.helpInformation()}`);
    return EXIT_USAGE;
  }
  await root.parseAsync(argv, { from: 'user' });
  return code;
}

// ---------------------------------------------------------------- verify

/** One file's outcome (structured-cloneable: it may come from a worker thread). */
interface FileOutcome {
  name: string;
  results: DkimResult[];
  error?: string;
  /** Header fields skipped as too long, one line each. */
  warnings: string[];
}

async function verifyCommand(args: string[], o: VerifyOptions): Promise<number> {
  const keys = publicKeysFromFlags(o.key);
  const resolver = resolverFromOptions(o);
  const verifyOpts: DkimVerifyOptions = {
    now: parseNow(o.now),
    keys,
    allowSha1: o.allowSha1 === true,
    allowWeakKeys: o.allowWeakKeys === true,
    allowUnsignedDuplicates: o.allowUnsignedDuplicates === true,
    strict: o.strict === true,
  };
  const inputs = batchInputs(args, o);
  const batch = inputs.length > 1;
  const out = new Output();
  let exit = 0;
  let first = true;
  if (o.json && !o.quiet) await out.write('{\n  "files": [');
  const end = await runBatch<FileOutcome>({
    label: 'dkim verify',
    inputs,
    quiet: o.quiet,
    verbose: o.verbose,
    async run(file) {
      const name = inputName(file);
      const warnings: string[] = [];
      try {
        const r = await verifyDkimMessage(readMessageTransient(file, o.newline), resolver, { ...verifyOpts, onSkipped: (s) => warnings.push(skippedFieldWarning(s)) });
        return r.ok ? { name, results: r.value, warnings } : { name, results: [], warnings, error: `${name}: line ${r.line}: ${r.message}` };
      } catch (err) {
        if (err instanceof BlazeError) return { name, results: [], warnings, error: err.message };
        throw err;
      }
    },
    async write(r, _file, i) {
      if (!o.quiet) for (const w of r.warnings) process.stderr.write(`blaze: dkim verify: ${r.name}: ${w}\n`);
      if (r.error) {
        process.stderr.write(`blaze: dkim verify: ${r.error}\n`);
        exit = EXIT_USAGE;
      } else {
        const c = dkimExitCode(r.results);
        if (exit !== EXIT_USAGE && (c === 1 || (c === 75 && exit === 0))) exit = c;
      }
      if (o.quiet) return;
      if (o.json) {
        // One document, written a file at a time, laid out as JSON.stringify(doc, null, 2) would.
        const entry = safeJson({ file: r.name, error: r.error ?? null, signatures: r.results.map(dkimResultJson) }).replace(/\n/g, '\n    ');
        await out.write(`${first ? '' : ','}\n    ${entry}`);
        first = false;
        return;
      }
      if (r.error) return;
      let text = batch ? `${i ? '\n' : ''}${r.name}:\n` : '';
      if (r.results.length === 0) text += 'no DKIM signature\n';
      if (o.fields) {
        // as the original tool: the signed field names, one per line, in h= order (a blank line between signatures)
        text += r.results.map((res) => (res.fields ?? []).map((f) => `${terminalSafe(f)}\n`).join('')).join('\n');
      } else for (const res of r.results) text += `${formatDkimResult(res)}\n`;
      await out.write(text);
    },
  });
  if (end === 'worker') return 0;
  if (o.json && !o.quiet) await out.write(first ? ']\n}\n' : '\n  ]\n}\n');
  await out.end();
  return exit;
}

// ---------------------------------------------------------------- sign

async function signCommand(input: string | undefined, o: SignOptions): Promise<number> {
  const domain = o.domain ?? o.hostname;
  if (!domain) throw usageError('no signing domain: give -d DOMAIN');
  if (!isValidDomain(domain)) throw usageError(`-d ${domain}: not a domain name`);
  if (!isValidDomain(o.selector)) throw usageError(`-s ${o.selector}: not a selector`);
  const c = o.canonicalization;
  const canon = parseCanonTag(c.includes('/') ? c : `${c}/${c}`);
  if (!canon) throw usageError(`-c ${c}: expected simple, relaxed or HEADER/BODY`);
  if (o.hash === 'sha1' && !o.allowSha1) throw usageError('--hash sha1 is forbidden by RFC 8301 (add --allow-sha1 to insist)');
  const now = Math.floor(parseNow(o.now).getTime() / 1000);
  const expire = o.expire !== undefined ? parseDuration(o.expire, '--expire') : undefined;
  const key = await signingKeyFromFlags(o, { messageOnStdin: input === undefined || input === '-' });
  checkSigningKeySize(key, o.allowWeakKeys);
  if (key.type === 'ed25519' && o.hash === 'sha1') throw usageError('ed25519 signs with sha256 only');
  const signer = new DkimSigner({
    key,
    domain,
    selector: o.selector,
    hash: o.hash,
    canon,
    fields: o.field,
    oversign: o.oversign === true ? 'all' : o.oversign === false ? 'none' : 'from',
    timestamp: o.timestamp || expire !== undefined ? now : undefined,
    expiration: expire !== undefined ? now + Math.ceil(expire / 1000) : undefined,
    auid: o.identity,
    bodyLength: o.bodyLength === true,
  });
  const spool = new Spool();
  try {
    for await (const chunk of readMessage(input, o.newline)) {
      signer.push(chunk);
      await spool.write(chunk);
    }
    const r = signer.finish();
    if (!r.ok) throw usageError(`${inputName(input)}: ${r.line ? `line ${r.line}: ` : ''}${r.message}`);
    await writePrepended(Buffer.from(r.value.field, 'latin1'), spool.read(), o);
  } finally {
    await spool.dispose();
  }
  return 0;
}

// ---------------------------------------------------------------- gen

async function genCommand(output: string | undefined, o: GenOptions): Promise<number> {
  const alg = o.algorithm;
  const bits = alg === 'rsa' ? rsaBits(o.bits) : undefined;
  if ((o.selector === undefined) !== (o.domain === undefined)) throw usageError('-s and -d go together (to print the TXT record)');
  if (output !== undefined && output !== '-' && output === o.privateKey) throw usageError(`${output}: OUTPUT (the public key) and --private-key are the same file`);
  const pemOnStdout = output === '-' || o.privateKey === '-';
  if (o.privateKey === '-' && stdoutIsTTY() && !o.force) throw usageError('refusing to print a private key on a terminal (add --force, or give --private-key a file)');
  // Without a seed the new key exists nowhere else: it goes to --private-key, or is printed as a line
  const keyLine = o.seed === undefined && o.privateKey === undefined;
  if (keyLine && (pemOnStdout || o.quiet)) throw usageError('the new private key would be lost: give --private-key FILE (- for stdout), or --seed');
  if (keyLine && stdoutIsTTY() && !o.force) throw usageError('refusing to print a private key on a terminal: give --private-key FILE, or --force');
  const seed = o.seed !== undefined ? await seedArgument(o.seed) : undefined;
  const slow = seed !== undefined && alg === 'rsa';
  // node:crypto generates off the main thread (the spinner turns); the seeded generator blocks it (a note stays)
  const spin = spinner(!o.quiet && alg === 'rsa', slow ? `deriving a ${bits}-bit RSA key from the seed: pure JavaScript, this takes seconds...` : `generating a ${bits}-bit RSA key`, slow);
  let key: LoadedKey;
  try {
    key = seed !== undefined ? await keyFromSeed(seed, { algorithm: alg, bits }) : await generateKey({ algorithm: alg, bits });
  } finally {
    spin.stop();
  }
  const p = publicKeyRecordData(key.key);
  const lines: string[] = [];
  if (seed !== undefined) lines.push(`seed is ${seed.toString('base64')}`);
  if (keyLine) {
    // what -k takes: the raw 32 bytes for Ed25519 (as dknewkey), PKCS#8 DER for RSA
    const der = alg === 'ed25519' ? ed25519PrivateBytes(key.key) : (key.key.export({ format: 'der', type: 'pkcs8' }) as Buffer);
    lines.push(`private key is ${der.toString('base64')}`);
  }
  if (o.selector !== undefined) {
    const record = `v=DKIM1; k=${alg}; p=${p}`;
    const strings: string[] = [];
    for (let i = 0; i < record.length; i += 255) strings.push(`"${record.slice(i, i + 255)}"`);
    lines.push(`${o.selector}._domainkey.${o.domain}. IN TXT ${strings.join(' ')}`);
  }
  // With OUTPUT the public key is in the file: only the seed (the secret) is printed, as the original tool
  if (output === undefined) lines.push(`public key is ${p}`);
  if (o.privateKey !== undefined) {
    const note = await writePrivateKeyFile(o.privateKey, key.key.export({ format: 'pem', type: 'pkcs8' }) as string, { force: o.force, command: 'dkim gen' });
    if (note.narrowedFrom !== undefined && !o.quiet) {
      process.stderr.write(`blaze: dkim gen: ${o.privateKey}: was mode ${note.narrowedFrom.toString(8).padStart(4, '0')}, now 0600\n`);
    }
  }
  if (output !== undefined) await writePublicKeyFile(output, createPublicKey(key.key).export({ format: 'pem', type: 'spki' }) as string);
  if (o.quiet || lines.length === 0) return 0;
  if (pemOnStdout) {
    // stdout carries the PEM: what else there is to say (never a secret) goes to stderr
    const info = lines.filter((l) => !l.startsWith('seed is ') && !l.startsWith('private key is '));
    if (info.length) process.stderr.write(`${info.join('\n')}\n`);
    return 0;
  }
  const out = new Output();
  await out.write(`${lines.join('\n')}\n`);
  await out.end();
  return 0;
}
