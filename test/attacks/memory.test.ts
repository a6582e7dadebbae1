// Hostile shapes must not grow memory: 16 MB of tiny MIME parts for descr
// (it peaked at 503 MB), a 16 MB header of tiny fields for the verifiers
// (288-332 MB), a 16 MB header of Received fields for recv extract. The
// binary is spawned under GNU time and its peak RSS (%M, the node binary's
// own pages included) must stay under 64 MB. bench/hostile.mjs measures the
// same shapes at 16 and 256 MB with their times.
import { describe, expect, it, beforeAll } from 'vitest';
import { execa } from 'execa';
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { BLAZE, DMARC_DNS, scratch } from './support.ts';

const MB = 1024 * 1024;
const LIMIT_KB = 64 * 1024;

/** Writes HEAD, then UNIT repeated until SIZE bytes (numbered with {i} when asked), then TAIL. */
function write(file: string, head: string, unit: (i: number) => string, size: number, tail: string): void {
  const fd = openSync(file, 'w');
  writeSync(fd, head);
  let block = '';
  let written = 0;
  for (let i = 0; written < size; i++) {
    const u = unit(i);
    block += u;
    written += u.length;
    if (block.length > 1 << 20) {
      writeSync(fd, block);
      block = '';
    }
  }
  writeSync(fd, block + tail);
  closeSync(fd);
}

/** Peak RSS in KiB of `blaze ARGS` (GNU time %M), and its exit code. */
async function peak(args: string[]): Promise<{ kb: number; exitCode: number; stderr: string }> {
  const r = await execa('/usr/bin/time', ['-q', '-f', '@@%M', BLAZE, ...args], { reject: false, stdout: 'ignore', env: { BLAZE_DNS_STATIC: '' } });
  const m = /@@(\d+)\s*$/.exec(r.stderr);
  if (!m) throw new Error(`no GNU time figure in ${r.stderr.slice(-300)}`);
  return { kb: Number(m[1]), exitCode: r.exitCode ?? -1, stderr: r.stderr.replace(/@@\d+\s*$/, '') };
}

let dir: string;
let parts: string;
let fields: string;
let hops: string;
beforeAll(() => {
  dir = scratch('memory');
  parts = join(dir, 'parts.eml');
  write(parts, 'From: a@example.org\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n', () => '--b\r\n\r\nx\r\n', 16 * MB, '--b--\r\n');
  fields = join(dir, 'fields.eml');
  write(fields, 'From: a@example.org\r\n', (i) => `X-F${i}: v\r\n`, 16 * MB, '\r\nbody\r\n');
  hops = join(dir, 'hops.eml');
  write(hops, '', (i) => `Received: from mx${i}.example.net ([192.0.2.${i % 250}]) by mx.example.org with ESMTP id q${i}; Mon, 1 Jan 2024 00:${String(i % 60).padStart(2, '0')}:00 +0000\r\n`, 16 * MB, 'From: a@example.org\r\n\r\nx\r\n');
});

describe('peak RSS under 64 MB on 16 MB hostile shapes', () => {
  it('descr: 16 MB of tiny parts (about 1.5 million): lists the first ones, counts the rest', { timeout: 300_000 }, async () => {
    const r = await peak(['descr', parts]);
    expect(r.exitCode).toBe(0);
    expect(r.kb).toBeLessThanOrEqual(LIMIT_KB);
  });
  it('descr --json on the same', { timeout: 300_000 }, async () => {
    const r = await peak(['descr', '--json', parts]);
    expect(r.exitCode).toBe(0);
    expect(r.kb).toBeLessThanOrEqual(LIMIT_KB);
  });
  for (const cmd of [['dkim', 'verify'], ['dmarc', 'verify'], ['arc', 'verify']]) {
    it(`${cmd.join(' ')}: a 16 MB header of tiny fields is refused in one line (exit 2)`, { timeout: 120_000 }, async () => {
      const r = await peak([...cmd, ...DMARC_DNS, fields]);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(/header too large to check/);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.kb).toBeLessThanOrEqual(LIMIT_KB);
    });
  }
  it('hdr: the same header, printed field by field', { timeout: 300_000 }, async () => {
    const r = await peak(['hdr', fields]);
    expect(r.exitCode).toBe(0);
    expect(r.kb).toBeLessThanOrEqual(LIMIT_KB);
  });
  it('recv extract: 16 MB of Received fields (about 130,000 hops): the first 5,000 make the route, the rest are counted', { timeout: 300_000 }, async () => {
    const r = await peak(['recv', 'extract', '--delays', hops]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/^blaze: recv extract: \S+: \d+ more Received fields after the first 5000 not read\n$/);
    expect(r.kb).toBeLessThanOrEqual(LIMIT_KB);
  });
});
