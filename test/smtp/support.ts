// Test helpers for the SMTP tests: run `blaze srv` and Debian peers on loopback,
// bounded in time, and read what they stored.
import { execa, type ResultPromise } from 'execa';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The CLI under test (BLAZE_BIN overrides, for a private build). */
export const BLAZE = process.env.BLAZE_BIN ?? fileURLToPath(new URL('../../bin/blaze', import.meta.url));
export const PYTHON = '/usr/bin/python3';
export const FIXTURES = fileURLToPath(new URL('../../fixtures/smtp/', import.meta.url));

export function tempDir(prefix = 'blaze-smtp-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface Srv {
  port: number;
  dir: string;
  proc: ResultPromise;
  stderr: () => string;
  stop: (signal?: NodeJS.Signals) => Promise<{ exitCode?: number; stderr: string }>;
}

/** Starts `blaze srv 127.0.0.1:0 ...` and waits for its `listening on` line. */
export async function startSrv(args: string[] = [], dir = tempDir()): Promise<Srv> {
  const proc = execa(BLAZE, ['srv', '127.0.0.1:0', '-o', dir, ...args], { reject: false, buffer: true, stdin: 'ignore' });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const until = Date.now() + 15_000;
  let port = 0;
  while (!port) {
    const m = /listening on 127\.0\.0\.1:(\d+)|"port":(\d+)/.exec(err);
    if (m) port = Number(m[1] ?? m[2]);
    else if (proc.exitCode !== null && proc.exitCode !== undefined) throw new Error(`blaze srv exited: ${err}`);
    else if (Date.now() > until) {
      proc.kill();
      throw new Error(`blaze srv did not start: ${err}`);
    } else await new Promise((r) => setTimeout(r, 20));
  }
  return {
    port,
    dir,
    proc,
    stderr: () => err,
    async stop(signal = 'SIGTERM') {
      proc.kill(signal);
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      const r = await proc;
      clearTimeout(timer);
      return { exitCode: r.exitCode, stderr: err };
    },
  };
}

/** The files in DIR/new (sorted by name) as buffers. */
export function maildirMessages(dir: string, sub = 'new'): Buffer[] {
  return readdirSync(join(dir, sub))
    .sort()
    .map((f) => readFileSync(join(dir, sub, f)));
}

/** Splits a stored message into its leading Received field and the rest. */
export function splitReceived(stored: Buffer): { received: string; rest: Buffer } {
  const m = /^Received:[^\r\n]*\r\n(?:[ \t][^\r\n]*\r\n)*/.exec(stored.toString('latin1'));
  if (!m) throw new Error('no leading Received field: ' + stored.subarray(0, 80).toString());
  return { received: m[0], rest: stored.subarray(m[0].length) };
}

/** A test message in wire form with the awkward bits: dot lines, 8-bit text, a long line. */
export function sampleMessage(tag: string): Buffer {
  return Buffer.from(
    [
      'From: Alice <alice@example.org>',
      'To: Bob <bob@example.net>',
      `Subject: interop ${tag}`,
      `Message-ID: <${tag}@example.org>`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      'Hello Bob,',
      '.',
      '.leading dot',
      '..two dots',
      'Grüße, naïve café',
      'x'.repeat(900),
      '',
      'end',
      '',
    ].join('\r\n'),
    'utf8',
  );
}

export function writeTemp(name: string, data: Buffer | string, dir = tempDir()): string {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
}

/** Polls until fn returns true (bounded). */
export async function until(fn: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
