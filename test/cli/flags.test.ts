// One grammar per kind of flag value across commands (man blaze(1), VALUES):
// the same --now text means the same instant in make, dkim sign and recv
// stamp, and a bad value gets the same message everywhere.
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const BLAZE = fileURLToPath(new URL('../../bin/blaze', import.meta.url));
const FX = fileURLToPath(new URL('../../fixtures/dkim/', import.meta.url));
const blaze = (args: string[], input = 'From: a@example.org\r\nSubject: x\r\n\r\nbody\r\n') =>
  execa(BLAZE, args, { input, reject: false, stripFinalNewline: false, env: { BLAZE_DNS_STATIC: '', NO_COLOR: '1' } });

// 1490878800 = 2017-03-30T13:00:00Z (date -u -d @1490878800)
const EPOCH = '@1490878800';

describe('--now', () => {
  it('@EPOCH and RFC 3339 give the same Date in make', async () => {
    const args = ['make', '--zone', '+0200', '--message-id', 'none', '--date', 'now'];
    const a = await blaze([...args, '--now', EPOCH], 'x\n');
    const b = await blaze([...args, '--now', '2017-03-30T13:00:00Z'], 'x\n');
    expect(a.exitCode).toBe(0);
    expect(a.stdout).toMatch(/^Date: Thu, 30 Mar 2017 15:00:00 \+0200\r\n/);
    expect(a.stdout).toBe(b.stdout);
  });
  it('make --date takes @EPOCH too (UTC unless --zone)', async () => {
    const r = await blaze(['make', '--message-id', 'none', '--date', EPOCH], 'x\n');
    expect(r.stdout).toMatch(/^Date: Thu, 30 Mar 2017 13:00:00 \+0000\r\n/);
  });
  it('dkim sign --now @EPOCH --timestamp writes t=EPOCH', async () => {
    const r = await blaze(['dkim', 'sign', '-d', 'example.org', '-s', 'ed', '-k', join(FX, 'ed.pem'), '--timestamp', '--now', EPOCH]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.replace(/\r\n[ \t]+/g, ' ')).toMatch(/\bt=1490878800;/);
  });
  it('recv stamp --now @EPOCH dates the Received field', async () => {
    const r = await blaze(['recv', 'stamp', 'x@y', '-h', 'mx.example', '--now', EPOCH]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.replace(/\r\n[ \t]+/g, ' ')).toContain('; Thu, 30 Mar 2017 13:00:00 +0000\r\n');
  });
  it('a bad --now is the same usage error in every command', async () => {
    for (const args of [
      ['make'],
      ['recv', 'stamp', 'x@y'],
      ['dkim', 'sign', '-d', 'example.org', '-s', 'ed', '-k', join(FX, 'ed.pem')],
      ['dkim', 'verify', '--offline'],
      ['spf', 'check', '--offline', '--ip', '192.0.2.1', '--sender', 'a@example.org'],
      ['dmarc', 'verify', '--offline'],
    ]) {
      const r = await blaze([...args, '--now', 'tomorrow']);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/^blaze: \w+: --now: expected an RFC 3339 date like 2026-11-22T14:00:00Z \(or @EPOCH, or now\), got 'tomorrow'\n$/);
    }
  });
});

describe('durations, sizes and addresses', () => {
  it('the same duration grammar for --dns-timeout, --timeout and --expire', async () => {
    for (const args of [
      ['dkim', 'verify', '--offline', '--dns-timeout', 'soon'],
      ['submit', '--timeout', 'soon', '-', '127.0.0.1:9'],
      ['dkim', 'sign', '-d', 'example.org', '-s', 'ed', '-k', join(FX, 'ed.pem'), '--expire', 'soon'],
    ]) {
      const r = await blaze(args);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/: --(dns-timeout|timeout|expire): bad duration 'soon' \(expected e\.g\. 300ms, 5s, 2m, 1h, 7d\)\n$/);
    }
  });
  it('dkim sign --expire 7d adds x = t + 604800', async () => {
    const r = await blaze(['dkim', 'sign', '-d', 'example.org', '-s', 'ed', '-k', join(FX, 'ed.pem'), '--expire', '7d', '--now', EPOCH]);
    const field = r.stdout.replace(/\r\n[ \t]+/g, ' ');
    expect(field).toMatch(/\bt=1490878800;/);
    expect(field).toMatch(/\bx=1491483600;/);
  });
  it('HOST[:PORT] errors name the value', async () => {
    const r = await blaze(['send', '--mx', 'mx.example:smtp']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe('blaze: send: --mx: mx.example:smtp: expected HOST[:PORT]\n');
  });
});
