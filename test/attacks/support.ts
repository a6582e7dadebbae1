// Shared pieces of the attack suite: the binary under test, the fixtures it
// attacks (messages signed and sealed by blaze's own fixture keys), and a
// runner that keeps stdout and stderr as bytes (a raw CR must be seen).
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BLAZE = fileURLToPath(new URL('../../bin/blaze', import.meta.url));
export const PY = '/usr/bin/python3';
export const DMARC = fileURLToPath(new URL('../../fixtures/dmarc/', import.meta.url));
export const ARC = fileURLToPath(new URL('../../fixtures/arc/', import.meta.url));
/** fixtures/dmarc/aligned.eml is signed by fixtures/dmarc/key.pem with h=from:subject:date:to (no over-signing). */
export const DMARC_DNS = ['--offline', '--dns-static', `${DMARC}dns`];
export const ARC_DNS = ['--offline', '--dns-static', `${ARC}dns`];

export const blaze = (args: string[], input?: Buffer | string, env: Record<string, string> = {}) =>
  execa(BLAZE, args, { reject: false, stripFinalNewline: false, encoding: 'buffer', input, env: { NO_COLOR: '1', BLAZE_DNS_STATIC: '', ...env } });

export const text = (b: unknown): string => Buffer.from(b as Uint8Array).toString('utf8');

export function scratch(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `blaze-attacks-${prefix}-`));
}

/** Every control character (C0, DEL, C1) in S, as code points: what must never reach a terminal or a generated field raw. */
export function controls(s: string, allow = '\n'): number[] {
  return [...s].filter((c) => /[\u0000-\u001f\u007f-\u009f]/.test(c) && !allow.includes(c)).map((c) => c.charCodeAt(0));
}
