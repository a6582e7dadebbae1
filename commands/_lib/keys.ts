// Key flags of dkim and arc (SPEC §1 "Keys"): a private key as -k KEY (PEM
// file, base64 DER, Ed25519 raw seed) or derived from --seed; public keys as
// -e SELECTOR:DOMAIN:KEY instead of DNS.
import { usageError } from './errors.ts';
import { fileOrText, readRaw } from './io.ts';
import { keyFromSeed, loadPrivateKey, loadPublicKey, type KeyType, type LoadedKey } from '../../src/dkim/index.ts';
import { decodeSeed } from '../../src/rand/index.ts';

export interface SigningKeyFlags {
  key?: string;
  privateKey?: string;
  seed?: string;
  /** -a: the key type for --seed, and what --key must be when given. */
  algorithm?: KeyType;
  bits?: string;
}

/** -b: an RSA size from 1024 to 4096 bits. */
export function rsaBits(text: string): number {
  const bits = Number(text);
  if (!/^\d+$/.test(text) || bits < 1024 || bits > 4096) throw usageError(`-b ${text}: RSA keys are 1024 to 4096 bits`);
  return bits;
}

/** The base64 --seed, decoded. */
export function seedFlag(text: string): Buffer {
  const seed = decodeSeed(text);
  if (!seed) throw usageError(`--seed: not base64: '${text}'`);
  return seed;
}

/** The whole of stdin as text, for a key or a seed given as `-` (bounded: a key is a few kB). */
export async function stdinText(flag: string, limit = 64 * 1024): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const c of readRaw('-')) {
    size += c.length;
    if (size > limit) throw usageError(`${flag} -: more than ${limit} bytes on stdin`);
    parts.push(c);
  }
  return Buffer.concat(parts).toString('latin1');
}

/** --seed SEED, or `-`: read from stdin (a bare base64 seed, or the "seed is SEED" line of dkim gen). */
export async function seedArgument(text: string): Promise<Buffer> {
  if (text !== '-') return seedFlag(text);
  const t = (await stdinText('--seed', 4096)).trim().replace(/^seed is\s+/, '').split(/\r?\n/)[0].trim();
  return seedFlag(t);
}

/** -b BITS for --seed, and RFC 8301 §3.2 for any RSA key: 1024 bits at least unless ALLOW. */
export function checkSigningKeySize(key: LoadedKey, allowWeak: boolean | undefined): void {
  if (key.type === 'rsa' && key.bits !== undefined && key.bits < 1024 && !allowWeak) {
    throw usageError(`the RSA key has ${key.bits} bits: RFC 8301 forbids keys under 1024 bits (add --allow-weak-keys to insist)`);
  }
}

/** The private key of -k/-p KEY or --seed SEED (exactly one). */
export async function signingKeyFromFlags(o: SigningKeyFlags, opts: { messageOnStdin?: boolean } = {}): Promise<LoadedKey> {
  const keyArg = o.key ?? o.privateKey;
  if (opts.messageOnStdin && (keyArg === '-' || o.seed === '-')) throw usageError('stdin can be read only once: the key or the message');
  if (keyArg !== undefined && o.seed !== undefined) throw usageError('give --key or --seed, not both');
  if (o.seed !== undefined) return keyFromSeed(await seedArgument(o.seed), { algorithm: o.algorithm ?? 'rsa', bits: rsaBits(o.bits ?? '2048') });
  if (keyArg === undefined) throw usageError('no key: give -k KEY or --seed SEED');
  // `-`: the key is read from stdin (then the message cannot be)
  const k = loadPrivateKey(keyArg === '-' ? await stdinText('--key') : fileOrText(keyArg));
  if (!k.ok) throw usageError(`--key ${keyArg}: ${k.message}`);
  if (o.algorithm && k.value.type !== o.algorithm) throw usageError(`--key is ${k.value.type}, -a says ${o.algorithm}`);
  return k.value;
}

/** `-e SEL:DOMAIN:KEY` values (PEM file or base64) as a key map by `sel:domain` (lower case). */
export function publicKeysFromFlags(specs: readonly string[] | undefined, flag = '-e'): Map<string, LoadedKey> {
  const keys = new Map<string, LoadedKey>();
  for (const spec of specs ?? []) {
    const m = /^([^:]+):([^:]+):(.+)$/s.exec(spec);
    if (!m) throw usageError(`${flag} ${spec}: expected SELECTOR:DOMAIN:KEY`);
    const k = loadPublicKey(fileOrText(m[3]));
    if (!k.ok) throw usageError(`${flag} ${m[1]}:${m[2]}: ${k.message}`);
    keys.set(`${m[1]}:${m[2]}`.toLowerCase(), k.value);
  }
  return keys;
}
