// Key flags of dkim and arc (SPEC §1 "Keys"): a private key as -k KEY (PEM
// file, base64 DER, Ed25519 raw seed) or derived from --seed; public keys as
// -e SELECTOR:DOMAIN:KEY instead of DNS.
import { usageError } from './errors.ts';
import { fileOrText } from './io.ts';
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

/** The private key of -k/-p KEY or --seed SEED (exactly one). */
export async function signingKeyFromFlags(o: SigningKeyFlags): Promise<LoadedKey> {
  const keyArg = o.key ?? o.privateKey;
  if (keyArg !== undefined && o.seed !== undefined) throw usageError('give --key or --seed, not both');
  if (o.seed !== undefined) return keyFromSeed(seedFlag(o.seed), { algorithm: o.algorithm ?? 'rsa', bits: rsaBits(o.bits ?? '2048') });
  if (keyArg === undefined) throw usageError('no key: give -k KEY or --seed SEED');
  const k = loadPrivateKey(fileOrText(keyArg));
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
