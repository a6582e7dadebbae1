// DMARC on mail checked after delivery (issue 14, item 8). Gmail writes
// Received-SPF with client-ip= and no envelope-from=: the SPF identity was
// unknown, SPF authenticated no domain, and legitimate mail got dmarc=fail
// under p=reject. The identity now comes from Return-Path (the delivering MTA
// wrote it from the same MAIL FROM, RFC 5321 §4.4), and --spf recheck
// evaluates SPF again from the recorded client address; the output says
// which was used. dmarc verify and arc verify also take --allow-sha1 and
// --allow-weak-keys as dkim verify does (RFC 8301 §3.1, §3.2).
import { describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DkimSigner, loadPrivateKey, publicKeyRecordData, type LoadedKey } from '../../src/dkim/index.ts';
import { ArcReader, evaluateArc, sealMessage } from '../../src/arc/index.ts';
import { memoryResolver, run } from '../../src/dns/index.ts';
import { toCRLF } from '../../src/mime/newline.ts';
import { DMARC, DMARC_DNS, blaze, scratch, text } from './support.ts';

/** fixtures/dmarc/plain.eml is unsigned, From example.org (p=reject); the bounce domain mail.example.org is aligned (relaxed). */
const plain = readFileSync(`${DMARC}plain.eml`, 'latin1');
const gmail = `Return-Path: <bounces+848413-e276-x=gmail.com@mail.example.org>\nReceived-SPF: pass (google.com: domain of bounces+848413-e276-x=gmail.com@mail.example.org designates 192.0.2.25 as permitted sender) client-ip=192.0.2.25;\n${plain}`;

/** The dmarc fixtures' DNS plus an SPF record for mail.example.org: 192.0.2.0/24 may send. */
function spfDns(): string[] {
  const dir = scratch('spf');
  cpSync(`${DMARC}dns`, dir, { recursive: true });
  writeFileSync(join(dir, 'mail.example.org.dns'), 'txt:v=spf1 ip4:192.0.2.0/24 -all\n');
  return ['--offline', '--dns-static', dir];
}

describe('Received-SPF without envelope-from', () => {
  it('the identity comes from Return-Path: spf=pass for mail.example.org, aligned, dmarc=pass', async () => {
    const r = await blaze(['dmarc', 'verify', ...DMARC_DNS, '--sample', '0', '-'], gmail);
    expect(text(r.stdout)).toContain('✓ spf=pass smtp.mailfrom=bounces+848413-e276-x=gmail.com@mail.example.org (from Received-SPF, identity from Return-Path)\n');
    expect(text(r.stdout)).toContain('✓ dmarc=pass header.from=example.org');
    expect(r.exitCode).toBe(0);
    const j = JSON.parse(text((await blaze(['dmarc', 'verify', ...DMARC_DNS, '--json', '-'], gmail)).stdout));
    expect(j.spf).toEqual({ result: 'pass', domain: 'mail.example.org', mailfrom: 'bounces+848413-e276-x=gmail.com@mail.example.org', helo: null, source: 'received-spf', identityFrom: 'return-path' });
    expect(j.dmarc).toMatchObject({ status: 'pass', spfAligned: true });
  });
  it('without Return-Path, the "domain of X" of the comment; envelope-from wins when present', async () => {
    const noRp = gmail.replace(/^Return-Path: .*\n/, '');
    const a = JSON.parse(text((await blaze(['dmarc', 'verify', ...DMARC_DNS, '--json', '-'], noRp)).stdout));
    expect(a.spf).toMatchObject({ domain: 'mail.example.org', identityFrom: 'comment' });
    const withEf = gmail.replace('client-ip=192.0.2.25;', 'client-ip=192.0.2.25; envelope-from="b@other.example";');
    const b = JSON.parse(text((await blaze(['dmarc', 'verify', ...DMARC_DNS, '--json', '-'], withEf)).stdout));
    expect(b.spf).toMatchObject({ domain: 'other.example', mailfrom: 'b@other.example', identityFrom: 'envelope-from' });
  });
  it('--spf recheck evaluates SPF again from client-ip and the identity (with DNS); the output says so', async () => {
    const dns = spfDns();
    const pass = await blaze(['dmarc', 'verify', ...dns, '--spf', 'recheck', '--sample', '0', '-'], gmail);
    expect(text(pass.stdout)).toContain('✓ spf=pass smtp.mailfrom=bounces+848413-e276-x=gmail.com@mail.example.org (Received-SPF evaluated again, identity from Return-Path)\n');
    expect(pass.exitCode).toBe(0);
    // The field says pass, but the recorded address is not allowed: a recheck finds the fail.
    const lie = gmail.replace(/192\.0\.2\.25/g, '203.0.113.9');
    const fail = await blaze(['dmarc', 'verify', ...dns, '--spf', 'recheck', '--json', '--sample', '0', '-'], lie);
    expect(JSON.parse(text(fail.stdout)).spf).toMatchObject({ result: 'fail', source: 'recheck', identityFrom: 'return-path' });
    expect(fail.exitCode).toBe(1);
    const trusted = await blaze(['dmarc', 'verify', ...dns, '--json', '-'], lie);
    expect(JSON.parse(text(trusted.stdout)).spf).toMatchObject({ result: 'pass', source: 'received-spf' });
  });
  it('--spf recheck without a recorded client address says why there is no SPF result', async () => {
    const r = await blaze(['dmarc', 'verify', ...spfDns(), '--spf', 'recheck', '-'], `Received-SPF: pass (mx: ok)\nReturn-Path: <a@mail.example.org>\n${plain}`);
    expect(text(r.stdout)).toContain('✗ spf=none (--spf recheck: the Received-SPF field records no client address)\n');
  });
  it('--spf recheck with --ip is a usage error; --spf takes trust or recheck', async () => {
    const a = await blaze(['dmarc', 'verify', '--offline', '--spf', 'recheck', '--ip', '192.0.2.1', '--sender', 'a@example.org', '-'], plain);
    expect(a.exitCode).toBe(2);
    const b = await blaze(['dmarc', 'verify', '--offline', '--spf', 'maybe', '-'], plain);
    expect(b.exitCode).toBe(2);
  });
});

/** A 2048-bit fixture key and a fresh 512-bit one, each with its DNS record under selector `sel` / `weak`. */
function keys(): { strong: LoadedKey; weak: LoadedKey; dns: string } {
  const strong = loadPrivateKey(readFileSync(`${DMARC}key.pem`));
  const weakPem = generateKeyPairSync('rsa', { modulusLength: 512 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const weak = loadPrivateKey(weakPem);
  if (!strong.ok || !weak.ok) throw new Error('keys');
  const dir = scratch('weak');
  cpSync(`${DMARC}dns`, dir, { recursive: true });
  writeFileSync(join(dir, 'weak._domainkey.example.org.dns'), `txt:v=DKIM1; k=rsa; p=${publicKeyRecordData(weak.value.key)}\n`);
  return { strong: strong.value, weak: weak.value, dns: dir };
}

function signWith(key: LoadedKey, selector: string, hash: 'sha1' | 'sha256'): string {
  const s = new DkimSigner({ key, domain: 'example.org', selector, hash, fields: ['from', 'subject', 'date', 'to'] });
  const msg = toCRLF(plain);
  s.push(msg);
  const r = s.finish();
  if (!r.ok) throw new Error(r.message);
  return r.value.field + msg.toString('latin1');
}

describe('dmarc verify --allow-sha1 / --allow-weak-keys', () => {
  const k = keys();
  it('rsa-sha1 is refused by default (dkim=policy, RFC 8301 §3.1) and accepted with --allow-sha1', async () => {
    const m = signWith(k.strong, 'sel', 'sha1');
    const no = JSON.parse(text((await blaze(['dmarc', 'verify', '--offline', '--dns-static', k.dns, '--json', '-'], m)).stdout));
    expect(no.dkim[0]).toMatchObject({ status: 'policy' });
    const yes = await blaze(['dmarc', 'verify', '--offline', '--dns-static', k.dns, '--allow-sha1', '-'], m);
    expect(text(yes.stdout)).toContain('✓ dkim=pass header.d=example.org header.s=sel\n');
    expect(yes.exitCode).toBe(0);
  });
  it('a 512-bit key is refused by default (RFC 8301 §3.2) and accepted with --allow-weak-keys', async () => {
    const m = signWith(k.weak, 'weak', 'sha256');
    const no = JSON.parse(text((await blaze(['dmarc', 'verify', '--offline', '--dns-static', k.dns, '--json', '-'], m)).stdout));
    expect(no.dkim[0]).toMatchObject({ status: 'policy', reason: 'RSA key of 512 bits is too weak (RFC 8301; see --allow-weak-keys)' });
    const yes = await blaze(['dmarc', 'verify', '--offline', '--dns-static', k.dns, '--allow-weak-keys', '-'], m);
    expect(text(yes.stdout)).toContain('✓ dkim=pass header.d=example.org header.s=weak\n');
  });
});

describe('arc verify --allow-sha1 / --allow-weak-keys', () => {
  const k = keys();
  /** plain.eml sealed once (rsa-sha256) with KEY, published under SELECTOR. */
  async function sealed(key: LoadedKey, selector: string): Promise<string> {
    const reader = new ArcReader({ seal: true });
    reader.push(toCRLF(plain));
    reader.finish();
    const chain = await run(evaluateArc(reader), memoryResolver({}));
    const s = sealMessage(reader, chain, { key, domain: 'example.org', selector, timestamp: 1704067200, fields: ['from', 'subject', 'date', 'to'], aar: { fromAuthResults: 'example.org' } });
    if (!s.ok) throw new Error(s.message);
    return s.value.seal + s.value.signature + s.value.results + toCRLF(plain).toString('latin1');
  }
  it('a chain sealed with a 512-bit key fails by default and passes with --allow-weak-keys', async () => {
    const m = await sealed(k.weak, 'weak');
    const no = await blaze(['arc', 'verify', '--offline', '--dns-static', k.dns, '-'], m);
    expect(no.exitCode).toBe(1);
    expect(text(no.stderr)).toContain('RSA key of 512 bits is too weak (RFC 8301)');
    const yes = await blaze(['arc', 'verify', '--offline', '--dns-static', k.dns, '--allow-weak-keys', '-'], m);
    expect(text(yes.stderr)).toBe('');
    expect(yes.exitCode).toBe(0);
  });
  it('--allow-sha1 is accepted by arc verify (a sha256 chain passes either way)', async () => {
    const m = await sealed(k.strong, 'sel');
    for (const extra of [[], ['--allow-sha1']]) {
      const r = await blaze(['arc', 'verify', ...DMARC_DNS, ...extra, '-'], m);
      expect(r.exitCode, text(r.stderr)).toBe(0);
    }
  });
});
