// Helpers for the web inbox tests: start `blaze web` or `blaze srv --http`
// on 127.0.0.1 port 0, read the port it prints, stop it by pid; write
// messages into a Maildir the way a delivery agent does (tmp/ then new/).
import { execa, type ResultPromise } from 'execa';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BLAZE, tempDir } from '../smtp/support.ts';

export interface Running {
  url: string;
  port: number;
  pid: number;
  proc: ResultPromise;
  stderr: () => string;
  stop(): Promise<{ exitCode?: number; stderr: string }>;
}

export async function startBlaze(args: string[], pattern: RegExp): Promise<Running> {
  const proc = execa(BLAZE, args, { reject: false, stdin: 'ignore', buffer: true });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const until = Date.now() + 15_000;
  let m: RegExpExecArray | null = null;
  while (!(m = pattern.exec(err))) {
    if (proc.exitCode !== null && proc.exitCode !== undefined) throw new Error(`blaze ${args[0]} exited ${proc.exitCode}: ${err}`);
    if (Date.now() > until) {
      proc.kill('SIGKILL');
      throw new Error(`blaze ${args[0]} did not start: ${err}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const port = Number(m[1]);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    pid: proc.pid!,
    proc,
    stderr: () => err,
    async stop() {
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
      const r = await proc;
      clearTimeout(t);
      return { exitCode: r.exitCode, stderr: err };
    },
  };
}

export function startWeb(dir: string, extra: string[] = []): Promise<Running> {
  return startBlaze(['web', dir, '--listen', '127.0.0.1:0', ...extra], /listening on http:\/\/127\.0\.0\.1:(\d+)\//);
}

export function newMaildir(): string {
  const dir = tempDir('blaze-web-test-');
  for (const sub of ['tmp', 'new', 'cur']) mkdirSync(join(dir, sub), { recursive: true });
  return dir;
}

let counter = 0;
/** Delivers MSG into DIR/new under a qmail-style name whose time is SECONDS (default: now); returns the name. */
export function deliver(dir: string, msg: string | Buffer, seconds = Math.floor(Date.now() / 1000), folder: 'new' | 'cur' = 'new', info = ''): string {
  const name = `${seconds}.M${String(++counter).padStart(6, '0')}P${process.pid}Q${counter}.test`;
  writeFileSync(join(dir, 'tmp', name), msg);
  renameSync(join(dir, 'tmp', name), join(dir, folder, name + info));
  return name;
}

export async function getJson<T = any>(url: string, init?: RequestInit): Promise<{ status: number; body: T; headers: Headers }> {
  const r = await fetch(url, init);
  return { status: r.status, body: (await r.json()) as T, headers: r.headers };
}

/** Polls until the condition holds (bounded), for states the server reaches asynchronously. */
export async function until(cond: () => boolean | Promise<boolean>, ms = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Peak resident memory of a process (kB -> MB), from /proc. */
export function peakRssMB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

export const crlf = (lines: string[]): string => lines.join('\r\n');
