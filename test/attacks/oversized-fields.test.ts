// A header field longer than the decoder's bound (128 KiB) is skipped with a
// warning wherever it is, and the rest of the header is read. A long second
// field used to lose the whole header (hdr, addr, descr: "no header field",
// exit 2; the verifiers: the message refused): the field before it was still
// being read when a megabyte had gone by.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { DMARC, DMARC_DNS, blaze, text } from './support.ts';

const LONG = 1_500_000;
/** From, then one unfolded 1.5 MB field, then Subject: the long field is line 2. */
const unfolded = `From: alice@example.org\nX-Long: ${'a'.repeat(LONG)}\nSubject: kept\n\nbody\n`;
/** The same length folded over many lines. */
const folded = `From: alice@example.org\nX-Long: a\n${' bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n'.repeat(LONG / 40)}Subject: kept\n\nbody\n`;
const size = (m: string) => Buffer.byteLength(/X-Long:[^]*?\n(?=Subject)/.exec(m)![0].replace(/\n/g, '\r\n'));

describe('hdr, addr, descr keep From', () => {
  for (const [name, msg] of [['unfolded', unfolded], ['folded', folded]] as const) {
    it(`${name}: hdr prints From and Subject and warns about line 2`, async () => {
      const r = await blaze(['hdr', '-'], msg);
      expect(text(r.stdout)).toBe('From: alice@example.org\nSubject: kept\n');
      expect(text(r.stderr)).toBe(`blaze: hdr: stdin: line 2: field X-Long is too long (${size(msg)} bytes), skipped\n`);
      expect(r.exitCode).toBe(0);
    });
    it(`${name}: addr finds the author`, async () => {
      const r = await blaze(['addr', '-'], msg);
      expect(text(r.stdout)).toBe('alice@example.org\n');
      expect(r.exitCode).toBe(0);
    });
    it(`${name}: descr describes the message`, async () => {
      const r = await blaze(['descr', '--ascii', '-'], msg);
      expect(text(r.stdout)).toBe('.-- text/plain (us-ascii, 7bit, 6 bytes)\n');
      expect(text(r.stderr)).toContain('line 2: field X-Long is too long');
      expect(r.exitCode).toBe(0);
    });
  }
  it('a first line of a megabyte with no field at all is still not a message (exit 2)', async () => {
    const r = await blaze(['hdr', '-'], `${'x'.repeat(LONG)}\nFrom: a@example.org\n\n`);
    expect(r.exitCode).toBe(2);
    expect(text(r.stderr)).toBe('blaze: hdr: stdin: no header field (not a message?)\n');
  });
});

describe('the verifiers skip it with a warning', () => {
  const signed = readFileSync(`${DMARC}aligned.eml`, 'latin1');
  const withLong = `X-Long: ${'a'.repeat(LONG)}\n${signed}`;
  it('dkim verify: the signature that does not cover it still passes; one warning', async () => {
    const r = await blaze(['dkim', 'verify', ...DMARC_DNS, '-'], withLong);
    expect(text(r.stdout)).toBe('[OK]: example.org\n');
    expect(text(r.stderr)).toBe(`blaze: dkim verify: stdin: line 1: field X-Long is too long (${LONG + 10} bytes), skipped\n`);
    expect(r.exitCode).toBe(0);
  });
  it('dmarc verify and arc verify read on and warn', async () => {
    const d = await blaze(['dmarc', 'verify', ...DMARC_DNS, '-'], withLong);
    expect(text(d.stdout)).toContain('✓ dmarc=pass');
    expect(text(d.stderr)).toContain('blaze: dmarc verify: stdin: line 1: field X-Long is too long');
    const a = await blaze(['arc', 'verify', ...DMARC_DNS, '-'], withLong);
    expect(a.exitCode).toBe(0);
    expect(text(a.stderr)).toContain('blaze: arc verify: stdin: line 1: field X-Long is too long');
  });
  it('a signature whose h= covers the skipped field cannot be checked: permerror naming it', async () => {
    const longSubject = signed.replace(/^Subject: .*$/m, `Subject: ${'s'.repeat(LONG)}`);
    const r = await blaze(['dkim', 'verify', ...DMARC_DNS, '-'], longSubject);
    expect(text(r.stdout)).toMatch(/^\[ER\]: example\.org \(h= covers the Subject field at line \d+, too long to check \(\d+ bytes\)\)\n$/);
    expect(r.exitCode).toBe(1);
  });
  it('a too-long From still counts as a From: DMARC sees two author fields', async () => {
    const j = JSON.parse(text((await blaze(['dmarc', 'verify', ...DMARC_DNS, '--json', '-'], `From: ${'x'.repeat(LONG)}@evil.example\n${signed}`)).stdout));
    expect(j.from).toMatchObject({ error: 'multiple-from' });
    expect(j.dkim[0]).toMatchObject({ status: 'fail', unsignedFields: [{ name: 'From', line: 1 }] });
  });
  it('dmarc collect skips it with a warning instead of refusing the message', async () => {
    const r = await blaze(['dmarc', 'collect', '-'], `X-Long: ${'a'.repeat(LONG)}\nAuthentication-Results: mx.example; spf=pass smtp.mailfrom=a@example.org\n\nx\n`);
    expect(r.exitCode).toBe(0);
    expect(text(r.stdout)).toContain('mx.example: ✓ spf');
    expect(text(r.stderr)).toContain('line 1: field X-Long is too long');
  });
});
