// blaze dkim gen | sign | verify (RFC 6376, RFC 8463, RFC 8301). The DKIM logic
// is in src/dkim; this file maps flags to it, reads inputs and prints.
import { openSync, readSync, closeSync } from 'node:fs';
import { createPublicKey } from 'node:crypto';
import type * as WorkerThreads from 'node:worker_threads';
import { builtin } from './_lib/builtin.ts';
import { Option, type Command } from 'commander';
import { program, subcommand, addTerminalOptions, addInputOptions, addJsonOption, addOutputOption, type CommonOptions } from './_lib/cli.ts';
import { BlazeError, usageError, describeFsError, EXIT_USAGE } from './_lib/errors.ts';
import { readMessage, inputName, Output } from './_lib/io.ts';
import { publicKeysFromFlags, rsaBits, seedFlag, signingKeyFromFlags, type SigningKeyFlags } from './_lib/keys.ts';
import { writePrepended } from './_lib/message-writer.ts';
import { addDnsOptions, collect, parseDuration, parseNow, type DnsOptions } from './_lib/flags.ts';
import { resolverFromOptions } from './_lib/resolver.ts';
import { Spool } from './_lib/spool.ts';
import { run, type Resolver } from '../src/dns/index.ts';
import { systemRandom } from '../src/rand/index.ts';
import { NewlineNormalizer } from '../src/mime/newline.ts';
import {
  DkimVerifier, evaluateSignature, formatDkimResult, dkimResultJson, dkimExitCode, DkimSigner, keyFromSeed, publicKeyRecordData,
  parseCanonTag, isValidDomain, type DkimResult, type KeyType,
} from '../src/dkim/index.ts';

type Opts = CommonOptions & DnsOptions & Record<string, unknown>;

export default async function dkim(argv: string[]): Promise<number> {
  let code = 0;
  const root = program('dkim', 'DKIM keys, signatures and verification (gen, sign, verify)');
  root.addHelpText('after', '\nSee man blaze-dkim (man ./man/blaze-dkim.1).');

  const verify = addJsonOption(addDnsOptions(addInputOptions(addTerminalOptions(subcommand(root, 'verify', 'verify every DKIM signature of each message')))));
  verify
    .argument('[inputs...]', 'messages (default: stdin); several = a batch, one block per file')
    .option('--fields', 'also print the signed field names')
    .addOption(new Option('-e, --key <sel:domain:key>', 'public key for SEL:DOMAIN (PEM file, base64 SPKI, or Ed25519 raw base64); repeatable').argParser(collect))
    .option('--allow-sha1', 'accept rsa-sha1 signatures (RFC 8301 forbids them)')
    .option('--allow-weak-keys', 'accept RSA keys under 1024 bits (RFC 8301 forbids them)')
    .action(async (inputs: string[], _o, cmd: Command) => {
      code = await verifyCommand(inputs, cmd.opts() as Opts);
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
    .addOption(new Option('-f, --field <name>', 'sign this field (repeatable; From is always signed)').argParser(collect))
    .option('--oversign', 'also sign one absent instance of each field, so none can be added')
    .option('--timestamp', 'add t= (now)')
    .option('--expire <duration>', 'add x= now + DURATION (and t=)')
    .option('-i, --identity <auid>', 'agent or user identifier (i=)')
    .option('-l, --body-length', 'add l= (the body length signed)')
    .option('--allow-sha1', 'allow --hash sha1 (RFC 8301 forbids it)')
    .action(async (input: string | undefined, _o, cmd: Command) => {
      code = await signCommand(input, cmd.opts() as Opts);
    });

  const gen = addTerminalOptions(subcommand(root, 'gen', 'make a key pair (deterministic with --seed)'));
  gen
    .argument('[output]', 'write the public key PEM here')
    .addOption(new Option('-a, --algorithm <alg>', 'key type').choices(['rsa', 'ed25519']).default('rsa'))
    .option('-b, --bits <bits>', 'RSA size, 1024 to 4096', '2048')
    .option('--seed <base64>', 'derive the key from this seed (else a random seed, printed)')
    .option('-s, --selector <selector>', 'with -d: print the DNS TXT record to publish')
    .option('-d, --domain <domain>', 'with -s: print the DNS TXT record to publish')
    .option('--private-key <file>', 'also write the private key PEM (PKCS#8) to FILE')
    .action(async (output: string | undefined, _o, cmd: Command) => {
      code = await genCommand(output, cmd.opts() as Opts);
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

async function verifyCommand(inputs: string[], o: Opts): Promise<number> {
  const keys = publicKeysFromFlags(o.key as string[] | undefined);
  const resolver = resolverFromOptions(o);
  const now = parseNow(o.now);
  const files = inputs.length ? inputs : ['-'];
  const verifyOpts = { now, keys, allowSha1: o.allowSha1 === true, allowWeakKeys: o.allowWeakKeys === true };
  // A batch: split across worker threads (one per core, contiguous slices),
  // each keeping several files in flight; results print in input order.
  const results: FileOutcome[] = new Array(files.length);
  // Worker threads only matter for a batch (loading them costs a few ms).
  const wt = files.length > 1 ? builtin<typeof WorkerThreads>('node:worker_threads') : undefined;
  const slice = wt && workerSlice(wt);
  if (slice) {
    // In a worker: verify the slice, hand the outcomes to the main thread, print nothing.
    const mine = files.slice(slice[0], slice[1]);
    const out: FileOutcome[] = new Array(mine.length);
    await verifyRange(mine, out, o, resolver, verifyOpts, () => {});
    await postToParent(wt!, out);
    return 0;
  }
  // A progress line on a terminal's stderr for a batch (never when piped).
  let done = 0;
  let shown = 0;
  const progress =
    files.length > 1 && process.stderr.isTTY && !o.quiet
      ? (n: number) => {
          const now = Date.now();
          if (n < files.length && now - shown < 100) return;
          shown = now;
          process.stderr.write(`\r\x1b[Kdkim verify: ${n}/${files.length}`);
          if (n === files.length) process.stderr.write('\r\x1b[K');
        }
      : undefined;
  const tick = () => progress?.(++done);
  const workers = wt ? batchWorkers(wt, files, builtin<typeof import('node:os')>('node:os').availableParallelism()) : 1;
  if (o.verbose && workers > 1) process.stderr.write(`blaze: dkim verify: ${files.length} files across ${workers} threads\n`);
  if (workers <= 1) await verifyRange(files, results, o, resolver, verifyOpts, tick);
  else {
    const per = Math.ceil(files.length / workers);
    const jobs: Array<Promise<void>> = [verifyRange(files.slice(0, per), results, o, resolver, verifyOpts, tick)];
    for (let w = 1; w < workers; w++) {
      const [a, b] = [w * per, Math.min(files.length, (w + 1) * per)];
      if (a >= b) break;
      jobs.push(
        runWorker(wt!, a, b).then(
          (outcomes) => {
            outcomes.forEach((r, k) => (results[a + k] = r));
            for (let k = a; k < b; k++) tick();
          },
          // A worker that could not run: its slice is verified here.
          async () => {
            const mine: FileOutcome[] = new Array(b - a);
            await verifyRange(files.slice(a, b), mine, o, resolver, verifyOpts, tick);
            mine.forEach((r, k) => (results[a + k] = r));
          },
        ),
      );
    }
    await Promise.all(jobs);
  }
  const out = new Output();
  let exit = 0;
  const batch = files.length > 1;
  for (const r of results) {
    if (r.error) {
      process.stderr.write(`blaze: dkim verify: ${r.error}\n`);
      exit = EXIT_USAGE;
      continue;
    }
    const c = dkimExitCode(r.results);
    if (exit !== EXIT_USAGE && (c === 1 || (c === 75 && exit === 0))) exit = c;
  }
  if (o.json) {
    const doc = { files: results.map((r) => ({ file: r.name, error: r.error ?? null, signatures: r.results.map(dkimResultJson) })) };
    if (!o.quiet) await out.write(`${JSON.stringify(doc, null, 2)}\n`);
  } else if (!o.quiet) {
    for (const [i, r] of results.entries()) {
      if (r.error) continue;
      let text = batch ? `${i ? '\n' : ''}${r.name}:\n` : '';
      if (r.results.length === 0) text += 'no DKIM signature\n';
      for (const res of r.results) text += `${formatDkimResult(res, { fields: o.fields === true })}\n`;
      await out.write(text);
    }
  }
  await out.end();
  return exit;
}

/** Several files in flight (async reads overlap the CPU work); outcomes land at their index. */
async function verifyRange(
  files: string[],
  results: FileOutcome[],
  o: Opts,
  resolver: Resolver,
  opts: Parameters<typeof evaluateSignature>[1],
  tick: () => void,
): Promise<void> {
  const LIMIT = 16;
  let next = 0;
  const slots: Array<Promise<void>> = [];
  for (let s = 0; s < Math.min(LIMIT, files.length); s++) {
    slots.push(
      (async () => {
        while (next < files.length) {
          const i = next++;
          results[i] = await verifyOne(files[i], o, resolver, opts);
          tick();
        }
      })(),
    );
  }
  await Promise.all(slots);
}

/**
 * Worker threads for a batch: one per core (at most 8) from 2,000 files read
 * from files (a worker costs about 80 ms to start: below that one thread is
 * as fast); BLAZE_WORKERS=N sets the count for any batch.
 */
function batchWorkers(wt: typeof WorkerThreads, files: string[], cores: number): number {
  if (files.length < 2 || files.includes('-') || !wt.isMainThread) return 1;
  const env = process.env.BLAZE_WORKERS;
  if (env !== undefined && /^\d+$/.test(env)) return Math.max(1, Math.min(Number(env), files.length));
  if (files.length < 2000) return 1;
  return Math.min(cores, 8);
}

/** In a batch worker: the [start, end) slice of the inputs it verifies. */
function workerSlice(wt: typeof WorkerThreads): [number, number] | undefined {
  if (wt.isMainThread) return undefined;
  const s = (wt.workerData as { blazeDkimSlice?: [number, number] } | null)?.blazeDkimSlice;
  return Array.isArray(s) ? s : undefined;
}

function postToParent(wt: typeof WorkerThreads, outcomes: FileOutcome[]): Promise<void> {
  wt.parentPort!.postMessage(outcomes);
  return Promise.resolve();
}

/** The same command line in a worker thread (bin/blaze again, so the code cache is used), for inputs [a, b). */
function runWorker(wt: typeof WorkerThreads, a: number, b: number): Promise<FileOutcome[]> {
  return new Promise((resolve, reject) => {
    const w = new wt.Worker(process.argv[1], { argv: process.argv.slice(2), workerData: { blazeDkimSlice: [a, b] }, stdout: true, stderr: false });
    let got: FileOutcome[] | undefined;
    w.once('message', (m: FileOutcome[]) => (got = m));
    w.once('error', reject);
    w.once('exit', () => (got ? resolve(got) : reject(new Error('batch worker ended without results'))));
  });
}

interface FileOutcome {
  name: string;
  results: DkimResult[];
  error?: string;
}

async function verifyOne(file: string, o: Opts, resolver: Resolver, opts: Parameters<typeof evaluateSignature>[1]): Promise<FileOutcome> {
  const name = inputName(file);
  const v = new DkimVerifier();
  try {
    for await (const chunk of messageChunks(file, o.newline)) v.push(chunk);
  } catch (err) {
    if (err instanceof BlazeError) return { name, results: [], error: err.message };
    throw err;
  }
  const prepared = v.finish();
  if (v.malformed) return { name, results: [], error: `${name}: line ${v.malformed.line}: ${v.malformed.reason}` };
  const results = await Promise.all(prepared.map((p) => run(evaluateSignature(p, opts), resolver)));
  return { name, results };
}

/**
 * A file read into a reused 1 MiB buffer (large reads, no garbage: flat
 * memory on a 1 GB message); stdin through the shared reader. Each chunk is
 * valid until the next one is asked for.
 */
async function* messageChunks(file: string, newline: CommonOptions['newline']): AsyncGenerator<Buffer> {
  if (file === '-') {
    yield* readMessage(file, newline);
    return;
  }
  // Synchronous reads: no thread-pool round trip per read, which dominates a
  // batch of small files; the work per file is CPU-bound anyway.
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    throw describeFsError(file, err);
  }
  const norm = new NewlineNormalizer(newline ?? 'auto');
  const buf = freeBuffers.pop() ?? Buffer.allocUnsafeSlow(1 << 20);
  try {
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (err) {
        throw describeFsError(file, err);
      }
      if (n === 0) break;
      const out = norm.push(buf.subarray(0, n));
      if (out.length) yield out;
    }
    const tail = norm.finish();
    if (tail.length) yield tail;
  } finally {
    freeBuffers.push(buf);
    closeSync(fd);
  }
}

/** Read buffers are reused across the files of a batch (no 1 MiB of garbage per file). */
const freeBuffers: Buffer[] = [];

// ---------------------------------------------------------------- sign

async function signCommand(input: string | undefined, o: Opts): Promise<number> {
  const domain = (o.domain ?? o.hostname) as string | undefined;
  if (!domain) throw usageError('no signing domain: give -d DOMAIN');
  if (!isValidDomain(domain)) throw usageError(`-d ${domain}: not a domain name`);
  if (!isValidDomain(String(o.selector))) throw usageError(`-s ${o.selector}: not a selector`);
  const c = String(o.canonicalization);
  const canon = parseCanonTag(c.includes('/') ? c : `${c}/${c}`);
  if (!canon) throw usageError(`-c ${c}: expected simple, relaxed or HEADER/BODY`);
  if (o.hash === 'sha1' && !o.allowSha1) throw usageError('--hash sha1 is forbidden by RFC 8301 (add --allow-sha1 to insist)');
  const now = Math.floor(parseNow(o.now).getTime() / 1000);
  const expire = o.expire !== undefined ? parseDuration(String(o.expire), '--expire') : undefined;
  const key = await signingKeyFromFlags(o as SigningKeyFlags);
  if (key.type === 'ed25519' && o.hash === 'sha1') throw usageError('ed25519 signs with sha256 only');
  const signer = new DkimSigner({
    key,
    domain,
    selector: String(o.selector),
    hash: o.hash as 'sha256' | 'sha1',
    canon,
    fields: o.field as string[] | undefined,
    oversign: o.oversign === true,
    timestamp: o.timestamp || expire !== undefined ? now : undefined,
    expiration: expire !== undefined ? now + Math.ceil(expire / 1000) : undefined,
    auid: o.identity as string | undefined,
    bodyLength: o.bodyLength === true,
  });
  const spool = new Spool();
  try {
    for await (const chunk of readMessage(input, o.newline)) {
      signer.push(chunk);
      await spool.write(chunk);
    }
    const r = signer.finish();
    if (!r.ok) throw usageError(`${inputName(input)}: ${r.line ? `line ${r.line}: ` : ''}${r.error}`);
    await writePrepended(Buffer.from(r.field, 'latin1'), spool.read(), o);
  } finally {
    await spool.dispose();
  }
  return 0;
}

// ---------------------------------------------------------------- gen

async function genCommand(output: string | undefined, o: Opts): Promise<number> {
  const alg = o.algorithm as KeyType;
  const bits = alg === 'rsa' ? rsaBits(String(o.bits)) : undefined;
  if ((o.selector === undefined) !== (o.domain === undefined)) throw usageError('-s and -d go together (to print the TXT record)');
  const seed = o.seed !== undefined ? seedFlag(String(o.seed)) : systemRandom.read(32);
  const key = await keyFromSeed(seed, { algorithm: alg, bits });
  const p = publicKeyRecordData(key.key);
  const lines = [`seed is ${seed.toString('base64')}`];
  if (o.selector !== undefined) {
    const record = `v=DKIM1; k=${alg}; p=${p}`;
    const strings: string[] = [];
    for (let i = 0; i < record.length; i += 255) strings.push(`"${record.slice(i, i + 255)}"`);
    lines.push(`${o.selector}._domainkey.${o.domain}. IN TXT ${strings.join(' ')}`);
  }
  lines.push(`public key is ${p}`);
  if (output !== undefined) {
    const pem = createPublicKey(key.key).export({ format: 'pem', type: 'spki' }) as string;
    const { writeFile } = builtin<typeof import('node:fs/promises')>('node:fs/promises');
    await writeFile(output, pem).catch((err) => {
      throw describeFsError(output, err);
    });
  }
  if (o.privateKey !== undefined) {
    const file = String(o.privateKey);
    const pem = key.key.export({ format: 'pem', type: 'pkcs8' }) as string;
    const { writeFile } = builtin<typeof import('node:fs/promises')>('node:fs/promises');
    await writeFile(file, pem, { mode: 0o600 }).catch((err) => {
      throw describeFsError(file, err);
    });
  }
  if (!o.quiet) process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
