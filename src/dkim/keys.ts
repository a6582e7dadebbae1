// Keys: private keys from PEM (PKCS#1, PKCS#8), base64 DER, or an Ed25519
// 32-byte seed in base64 (dkimpy's dknewkey); public keys from PEM, base64
// SubjectPublicKeyInfo or RSAPublicKey, or Ed25519 raw 32 bytes; keys derived
// from a `--seed` through the deterministic stream of src/rand.
import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { SeededStream } from '../rand/index.ts';
import type { KeyType } from './key-record.ts';
import { err, ok, type Result } from '../result.ts';

export interface LoadedKey {
  key: KeyObject;
  type: KeyType;
  /** RSA modulus size. */
  bits?: number;
}

/** `unsupported`: a key type other than RSA and Ed25519 (or not the one asked for); `unreadable`: not a key. */
export type KeyResult = Result<LoadedKey, 'unsupported' | 'unreadable'>;

const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

function describe(key: KeyObject): KeyResult {
  const t = key.asymmetricKeyType;
  if (t === 'rsa') return ok({ key, type: 'rsa', bits: key.asymmetricKeyDetails?.modulusLength });
  if (t === 'ed25519') return ok({ key, type: 'ed25519' });
  return err('unsupported', `unsupported key type ${t}`);
}

function tryAll<T>(attempts: Array<() => T>): T | undefined {
  for (const a of attempts) {
    try {
      return a();
    } catch {
      /* next form */
    }
  }
  return undefined;
}

function base64Bytes(text: string): Buffer | undefined {
  const t = text.replace(/[\s]+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(t)) return undefined;
  return Buffer.from(t, 'base64');
}

/** An Ed25519 private key from its 32-byte seed. */
export function ed25519FromSeed(seed: Buffer): KeyObject {
  return createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

/** A private key from the text of a key file or a base64 argument. */
export function loadPrivateKey(input: string | Buffer): KeyResult {
  const text = typeof input === 'string' ? input : input.toString('latin1');
  if (text.includes('-----BEGIN')) {
    const k = tryAll([() => createPrivateKey({ key: text, format: 'pem' })]);
    return k ? describe(k) : err('unreadable', 'unreadable PEM private key');
  }
  const der = base64Bytes(text);
  if (!der) return err('unreadable', 'not a PEM or base64 private key');
  if (der.length === 32) return describe(ed25519FromSeed(der));
  const k = tryAll([
    () => createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }),
    () => createPrivateKey({ key: der, format: 'der', type: 'pkcs1' }),
  ]);
  return k ? describe(k) : err('unreadable', 'unreadable base64 private key (not PKCS#8, PKCS#1 or a 32-byte Ed25519 seed)');
}

/** A public key from PEM, base64 SPKI / RSAPublicKey, or Ed25519 raw 32 bytes. */
export function loadPublicKey(input: string | Buffer, hint?: KeyType): KeyResult {
  const text = typeof input === 'string' ? input : input.toString('latin1');
  if (text.includes('-----BEGIN')) {
    const k = tryAll([() => createPublicKey({ key: text, format: 'pem' })]);
    return k ? describe(k) : err('unreadable', 'unreadable PEM public key');
  }
  const der = base64Bytes(text);
  if (!der) return err('unreadable', 'public key is not base64');
  return publicKeyFromDer(der, hint);
}

/** The key of a record's p= (RFC 6376: SPKI for rsa, also RSAPublicKey in the wild; RFC 8463: raw for ed25519). */
export function publicKeyFromDer(der: Buffer, hint?: KeyType): KeyResult {
  if (hint === 'ed25519' || (hint === undefined && der.length === 32)) {
    if (der.length !== 32) return err('unreadable', `ed25519 key of ${der.length} bytes (32 expected)`);
    const k = tryAll([() => createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, der]), format: 'der', type: 'spki' })]);
    return k ? describe(k) : err('unreadable', 'bad ed25519 key');
  }
  const k = tryAll([
    () => createPublicKey({ key: der, format: 'der', type: 'spki' }),
    () => createPublicKey({ key: der, format: 'der', type: 'pkcs1' }),
  ]);
  if (!k) return err('unreadable', 'bad public key data');
  const d = describe(k);
  if (d.ok && hint && d.value.type !== hint) return err('unsupported', `key is ${d.value.type}, record says k=${hint}`);
  return d;
}

/** The p= value to publish: SPKI DER for RSA, the raw 32 bytes for Ed25519 (RFC 8463 §4). */
export function publicKeyRecordData(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const der = pub.export({ format: 'der', type: 'spki' });
  if (pub.asymmetricKeyType === 'ed25519') return der.subarray(ED25519_SPKI_PREFIX.length).toString('base64');
  return der.toString('base64');
}

export interface SeedKeyOptions {
  algorithm: KeyType;
  bits?: number;
}

/**
 * The key a seed gives, the same in `dkim gen`, `dkim sign` and `arc sign`:
 * Ed25519 = the first 32 bytes of the seeded stream; RSA = node-forge's
 * generator (PRIMEINC, e=65537) drawing its randomness from the stream. That
 * is pure JavaScript and slow (seconds for 2048 bits), and runs in one go:
 * node-forge's stepped generator is not deterministic across step boundaries
 * (it restarts its prime search offset at each step).
 */
export async function keyFromSeed(seed: Uint8Array, opts: SeedKeyOptions): Promise<LoadedKey> {
  const stream = new SeededStream(seed);
  if (opts.algorithm === 'ed25519') return { key: ed25519FromSeed(stream.read(32)), type: 'ed25519' };
  const bits = opts.bits ?? 2048;
  // Loaded on demand: only seeded RSA needs node-forge (about 30 ms to load).
  const forge = (await import('node-forge')).default;
  const prng = { getBytesSync: (n: number) => stream.read(n).toString('binary') } as never;
  const pair = forge.pki.rsa.generateKeyPair({ bits, e: 0x10001, prng, algorithm: 'PRIMEINC' } as never);
  const pem = forge.pki.privateKeyToPem(pair.privateKey);
  return { key: createPrivateKey({ key: pem, format: 'pem' }), type: 'rsa', bits };
}

/** A fresh key from node:crypto's generator (OpenSSL: RSA-2048 in a fraction of a second, off the main thread). */
export function generateKey(opts: SeedKeyOptions): Promise<LoadedKey> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, _pub: KeyObject, key: KeyObject): void => {
      if (err) reject(err);
      else resolve(opts.algorithm === 'ed25519' ? { key, type: 'ed25519' } : { key, type: 'rsa', bits: opts.bits ?? 2048 });
    };
    if (opts.algorithm === 'ed25519') generateKeyPair('ed25519', {}, done);
    else generateKeyPair('rsa', { modulusLength: opts.bits ?? 2048, publicExponent: 0x10001 }, done);
  });
}

/** The raw 32-byte private key of an Ed25519 key (what dknewkey writes and -k takes). */
export function ed25519PrivateBytes(key: KeyObject): Buffer {
  return key.export({ format: 'der', type: 'pkcs8' }).subarray(ED25519_PKCS8_PREFIX.length);
}
