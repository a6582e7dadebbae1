// Header hash and signatures: RSA PKCS#1 v1.5 with SHA-256/SHA-1 (RFC 6376
// §3.3), Ed25519 over the SHA-256 of the canonical header data (RFC 8463 §3).
import { createHash, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { canonicalizeHeader, canonicalizeSignatureField, type Canon } from './canon-header.ts';
import { selectHeaders, removeSignatureValue, type HeaderField } from './select.ts';
import type { KeyType } from './key-record.ts';
import type { HashName } from './signature.ts';

/**
 * The data the header signature covers: the fields h= selects (bottom-up),
 * canonicalised, then the signature field itself with its b= value deleted
 * and no final CRLF.
 */
export function headerHashData(fields: readonly HeaderField[], names: readonly string[], signatureField: Buffer, canon: Canon, bTag = 'b'): Buffer {
  const parts: Buffer[] = [];
  for (const f of selectHeaders(fields, names)) if (f) parts.push(canonicalizeHeader(f.raw, canon));
  parts.push(canonicalizeSignatureField(removeSignatureValue(signatureField, bTag), canon));
  return Buffer.concat(parts);
}

export function signHeaderData(keyType: KeyType, hash: HashName, data: Buffer, key: KeyObject): Buffer {
  if (keyType === 'ed25519') return cryptoSign(null, createHash('sha256').update(data).digest(), key);
  return cryptoSign(hash, data, key);
}

export function verifyHeaderData(keyType: KeyType, hash: HashName, data: Buffer, signature: Buffer, key: KeyObject): boolean {
  try {
    if (keyType === 'ed25519') return cryptoVerify(null, createHash('sha256').update(data).digest(), key, signature);
    return cryptoVerify(hash, data, key, signature);
  } catch {
    return false;
  }
}
