// Forged copies of signed fields (RFC 6376 §8.15). A signature covers the
// bottom-most instance of each name in h= (§5.4.2): a From or Subject added on
// top of a signed message leaves the bare RFC 6376 result a pass while a mail
// reader shows the added one. For the fields RFC 5322 §3.6 allows once, blaze
// fails such a signature and names the copy, in every command that judges it.
// fixtures/dmarc/aligned.eml is signed with h=from:subject:date:to (no
// over-signing); fixtures/arc/i1-pass.eml is sealed with an AMS over
// from:subject:date:to:message-id:mime-version.
import { afterAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { readFileSync, rmSync } from 'node:fs';
import { parseAuthResults } from '../../src/authres/index.ts';
import { maildirMessages, splitReceived, startSrv } from '../smtp/support.ts';
import { ARC, ARC_DNS, BLAZE, DMARC, DMARC_DNS, blaze, text } from './support.ts';

const signed = readFileSync(`${DMARC}aligned.eml`);
/** The attack of issue 14: a new author and subject on top; they are lines 1 and 2. */
const forged = Buffer.concat([Buffer.from('From: CEO <ceo@example.org>\nSubject: wire money\n'), signed]);
const REASON = 'unsigned duplicate of a signed field: From at line 1, Subject at line 2 (RFC 6376 §8.15)';

/** The results of the Authentication-Results field a command wrote first. */
function authResults(message: string) {
  const m = /^Authentication-Results:([^\n]*(?:\n[ \t][^\n]*)*)\n/m.exec(message.replace(/\r\n/g, '\n'));
  if (!m) throw new Error(`no Authentication-Results in ${message.slice(0, 200)}`);
  const p = parseAuthResults(m[1].replace(/\n/g, ''));
  if (!p.ok) throw new Error(p.error);
  return p.value.results;
}

describe('dkim verify', () => {
  it('the signed message alone passes', async () => {
    const r = await blaze(['dkim', 'verify', ...DMARC_DNS, '-'], signed);
    expect(text(r.stdout)).toBe('[OK]: example.org\n');
    expect(r.exitCode).toBe(0);
  });
  it('a From and a Subject added on top: the signature fails naming both copies, exit 1', async () => {
    const r = await blaze(['dkim', 'verify', ...DMARC_DNS, '-'], forged);
    expect(text(r.stdout)).toBe(`[ER]: example.org (${REASON})\n`);
    expect(text(r.stderr)).toBe('');
    expect(r.exitCode).toBe(1);
  });
  it('--json names the field and line of each unsigned copy', async () => {
    const r = await blaze(['dkim', 'verify', ...DMARC_DNS, '--json', '-'], forged);
    const sig = JSON.parse(text(r.stdout)).files[0].signatures[0];
    expect(sig).toMatchObject({ status: 'fail', reason: REASON, unsignedFields: [{ name: 'From', line: 1 }, { name: 'Subject', line: 2 }] });
  });
  it('--allow-unsigned-duplicates restores the bare RFC 6376 result (the signed instances still verify)', async () => {
    const r = await blaze(['dkim', 'verify', ...DMARC_DNS, '--allow-unsigned-duplicates', '-'], forged);
    expect(text(r.stdout)).toBe('[OK]: example.org\n');
    expect(r.exitCode).toBe(0);
  });
  it('a copy below the signed one breaks the signature itself (the bottom one is hashed)', async () => {
    const below = Buffer.from(signed.toString('latin1').replace('Date: ', 'Subject: wire money\nDate: '), 'latin1');
    const r = await blaze(['dkim', 'verify', ...DMARC_DNS, '-'], below);
    expect(text(r.stdout)).toBe('[ER]: example.org (signature did not verify)\n');
  });
  it('fields the signature does not sign change nothing: an X- field, a Cc, a second Message-ID', async () => {
    // h=from:subject:date:to: Cc and Message-ID are not signed at all, so a copy of them is no forged copy of a signed field.
    const added = Buffer.concat([Buffer.from('X-Mailer: evil\nCc: someone@example.net\nMessage-ID: <forged@example.net>\n'), signed]);
    const r = await blaze(['dkim', 'verify', ...DMARC_DNS, '-'], added);
    expect(text(r.stdout)).toBe('[OK]: example.org\n');
    expect(r.exitCode).toBe(0);
  });
  it('field names match in any case (RFC 5322 §1.2.2): "SUBJECT" on top is a copy of the signed Subject', async () => {
    const r = await blaze(['dkim', 'verify', ...DMARC_DNS, '-'], Buffer.concat([Buffer.from('SUBJECT: wire money\n'), signed]));
    expect(text(r.stdout)).toBe('[ER]: example.org (unsigned duplicate of a signed field: SUBJECT at line 1 (RFC 6376 §8.15))\n');
  });
});

describe('dmarc verify', () => {
  // A second From is already a DMARC permerror (RFC 7489 §6.6.1); a forged Subject alone leaves DMARC to DKIM.
  const subjectOnly = Buffer.concat([Buffer.from('Subject: wire money\n'), signed]);
  it('a forged Subject fails DKIM, so DMARC fails under p=reject; the text says why', async () => {
    const r = await blaze(['dmarc', 'verify', ...DMARC_DNS, '--sample', '0', '-'], subjectOnly);
    expect(text(r.stdout)).toContain('✗ dkim=fail header.d=example.org header.s=sel (unsigned duplicate of a signed field: Subject at line 1 (RFC 6376 §8.15))\n');
    expect(text(r.stdout)).toContain('✗ dmarc=fail header.from=example.org');
    expect(r.exitCode).toBe(1);
  });
  it('-h: the Authentication-Results field carries dkim=fail with the reason', async () => {
    const r = await blaze(['dmarc', 'verify', ...DMARC_DNS, '--sample', '0', '-h', 'mx.test', '-'], subjectOnly);
    const results = authResults(text(r.stdout));
    expect(results.find((x) => x.method === 'dkim')).toMatchObject({ result: 'fail', reason: 'unsigned duplicate of a signed field: Subject at line 1 (RFC 6376 §8.15)' });
    expect(results.find((x) => x.method === 'dmarc')?.result).toBe('fail');
  });
  it('--json lists the copies; --allow-unsigned-duplicates gives dkim=pass and dmarc=pass', async () => {
    const j = JSON.parse(text((await blaze(['dmarc', 'verify', ...DMARC_DNS, '--json', '--sample', '0', '-'], subjectOnly)).stdout));
    expect(j.dkim[0]).toMatchObject({ status: 'fail', unsignedFields: [{ name: 'Subject', line: 1 }] });
    const r = await blaze(['dmarc', 'verify', ...DMARC_DNS, '--allow-unsigned-duplicates', '-'], subjectOnly);
    expect(text(r.stdout)).toContain('✓ dkim=pass header.d=example.org header.s=sel\n');
    expect(text(r.stdout)).toContain('✓ dmarc=pass');
    expect(r.exitCode).toBe(0);
  });
  it('a forged From: DKIM fails and DMARC refuses two author fields', async () => {
    const j = JSON.parse(text((await blaze(['dmarc', 'verify', ...DMARC_DNS, '--json', '-'], forged)).stdout));
    expect(j.dkim[0]).toMatchObject({ status: 'fail', reason: REASON });
    expect(j.from).toMatchObject({ error: 'multiple-from' });
  });
});

describe('arc verify', () => {
  const sealed = readFileSync(`${ARC}i1-pass.eml`);
  it('an unsigned copy of a field the newest AMS signs fails the chain (exit 1), with the reason on stderr', async () => {
    const r = await blaze(['arc', 'verify', ...ARC_DNS, '-'], Buffer.concat([Buffer.from('Subject: wire money\n'), sealed]));
    expect(r.exitCode).toBe(1);
    expect(text(r.stderr)).toBe('blaze: arc verify: fail: ARC-Message-Signature i=1: unsigned duplicate of a signed field: Subject at line 1 (RFC 6376 §8.15)\n');
    const j = JSON.parse(text((await blaze(['arc', 'verify', ...ARC_DNS, '--json', '-'], Buffer.concat([Buffer.from('Subject: wire money\n'), sealed]))).stdout));
    expect(j.sets[0]).toMatchObject({ ams: 'fail', unsignedFields: [{ name: 'Subject', line: 1 }] });
  });
  it('--allow-unsigned-duplicates: the bare result, a pass', async () => {
    const r = await blaze(['arc', 'verify', ...ARC_DNS, '--allow-unsigned-duplicates', '-'], Buffer.concat([Buffer.from('Subject: wire money\n'), sealed]));
    expect(text(r.stderr)).toBe('');
    expect(r.exitCode).toBe(0);
  });
});

describe('srv --verify', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  it('the Authentication-Results srv prepends says dkim=fail for a forged copy, pass for the original', async () => {
    const s = await startSrv(['-h', 'mx.test', '--verify', ...DMARC_DNS]);
    dirs.push(s.dir);
    for (const m of [signed, Buffer.concat([Buffer.from('Subject: wire money\n'), signed])]) {
      const r = await execa(BLAZE, ['submit', '--tls', 'none', '-h', 'client.test', `127.0.0.1:${s.port}`], { input: m, reject: false });
      expect(r.exitCode, r.stderr).toBe(0);
    }
    await s.stop();
    const stored = maildirMessages(s.dir).map((b) => splitReceived(b).rest.toString('latin1'));
    const dkim = (m: string) => authResults(m).find((x) => x.method === 'dkim');
    const plain = stored.find((m) => !/^Subject: wire money/m.test(m))!;
    const attack = stored.find((m) => /^Subject: wire money/m.test(m))!;
    expect(dkim(plain)?.result).toBe('pass');
    expect(dkim(attack)).toMatchObject({ result: 'fail', reason: expect.stringContaining('Subject at line 1') });
  });
});
