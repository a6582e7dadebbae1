// Content appended after l= (RFC 6376 §8.2): the signature still verifies,
// since it covers only the first l= bytes of the canonical body, so a mailing
// list footer, or an attacker's whole new message, rides along. blaze says
// how many bytes are unsigned wherever the verdict appears, and --strict makes
// it a fail; the same for the l= of an ARC-Message-Signature.
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAuthResults } from '../../src/authres/index.ts';
import { canonicalizeBody, headerHashData, loadPrivateKey, signHeaderData } from '../../src/dkim/index.ts';
import { sealHashData, writeTags } from '../../src/arc/index.ts';
import { HeaderDecoder, type RawField } from '../../src/mime/header-decoder.ts';
import { ARC, ARC_DNS, DMARC, DMARC_DNS, blaze, scratch, text } from './support.ts';

const MESSAGE = 'From: Alice <alice@example.org>\nTo: bob@other.example\nSubject: l= test\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n\nHello Bob.\n';
const APPENDED = 'Click here: http://evil.example/\n';
/** The relaxed canonical body grows by the appended line in CRLF form: 33 + 1 bytes, counted by hand. */
const EXTRA = `${APPENDED.slice(0, -1)}\r\n`.length;

async function signedWithLength(): Promise<Buffer> {
  const dir = scratch('l');
  writeFileSync(join(dir, 'm.eml'), MESSAGE);
  const r = await blaze(['dkim', 'sign', '-l', '-s', 'sel', '-d', 'example.org', '-k', `${DMARC}key.pem`, '--now', '2024-01-01T00:00:00Z', join(dir, 'm.eml')]);
  expect(text(r.stderr)).toBe('');
  return Buffer.from(r.stdout);
}

describe('DKIM l= with content appended', () => {
  it('dkim verify: [OK] with the count of unsigned bytes; exactly [OK] without an append', async () => {
    const signed = await signedWithLength();
    expect(text((await blaze(['dkim', 'verify', ...DMARC_DNS, '-'], signed)).stdout)).toBe('[OK]: example.org\n');
    const r = await blaze(['dkim', 'verify', ...DMARC_DNS, '-'], Buffer.concat([signed, Buffer.from(APPENDED)]));
    expect(EXTRA).toBe(34);
    expect(text(r.stdout)).toBe(`[OK]: example.org (${EXTRA} unsigned bytes after l=)\n`);
    expect(r.exitCode).toBe(0);
  });
  it('dkim verify --json: unsignedBodyBytes and the reason; --strict fails it (exit 1)', async () => {
    const appended = Buffer.concat([await signedWithLength(), Buffer.from(APPENDED)]);
    const sig = JSON.parse(text((await blaze(['dkim', 'verify', ...DMARC_DNS, '--json', '-'], appended)).stdout)).files[0].signatures[0];
    expect(sig).toMatchObject({ status: 'pass', unsignedBodyBytes: EXTRA, reason: `${EXTRA} unsigned bytes after l=`, bodySize: sig.bodyLength + EXTRA });
    const strict = await blaze(['dkim', 'verify', ...DMARC_DNS, '--strict', '-'], appended);
    expect(text(strict.stdout)).toBe(`[ER]: example.org (${EXTRA} unsigned bytes after l= (strict))\n`);
    expect(strict.exitCode).toBe(1);
  });
  it('dmarc verify: the text, the JSON and the Authentication-Results reason= say so; --strict fails DKIM and DMARC', async () => {
    const appended = Buffer.concat([await signedWithLength(), Buffer.from(APPENDED)]);
    const t = await blaze(['dmarc', 'verify', ...DMARC_DNS, '-'], appended);
    expect(text(t.stdout)).toContain(`✓ dkim=pass header.d=example.org header.s=sel (${EXTRA} unsigned bytes after l=)\n`);
    const j = JSON.parse(text((await blaze(['dmarc', 'verify', ...DMARC_DNS, '--json', '-'], appended)).stdout));
    expect(j.dkim[0]).toMatchObject({ status: 'pass', unsignedBodyBytes: EXTRA });
    const h = text((await blaze(['dmarc', 'verify', ...DMARC_DNS, '-h', 'mx.test', '-'], appended)).stdout);
    const value = /^Authentication-Results:(.*(?:\r\n[ \t].*)*)\r\n/.exec(h)![1].replace(/\r\n/g, '');
    const ar = parseAuthResults(value);
    expect(ar.ok && ar.value.results.find((x) => x.method === 'dkim')).toMatchObject({ result: 'pass', reason: `${EXTRA} unsigned bytes after l=` });
    const strict = await blaze(['dmarc', 'verify', ...DMARC_DNS, '--strict', '--sample', '0', '-'], appended);
    expect(text(strict.stdout)).toContain('✗ dkim=fail');
    expect(text(strict.stdout)).toContain('✗ dmarc=fail');
    expect(strict.exitCode).toBe(1);
  });
});

/**
 * fixtures/arc/i1-pass.eml's message with one ARC set whose AMS has l= (what
 * `arc sign` never writes): made here with the fixture key, the way
 * src/arc/seal.ts makes a set, plus the l= tag.
 */
function sealedWithLength(): Buffer {
  const original = readFileSync(`${ARC}i1-pass.eml`, 'latin1').replace(/\r?\n/g, '\r\n');
  const plain = original.slice(original.indexOf('From:'));
  const [head, body] = [plain.slice(0, plain.indexOf('\r\n\r\n') + 2), plain.slice(plain.indexOf('\r\n\r\n') + 4)];
  const key = loadPrivateKey(readFileSync(`${ARC}key.pem`));
  if (!key.ok) throw new Error(key.error);
  const canonical = canonicalizeBody(body, 'relaxed');
  const bh = createHash('sha256').update(canonical).digest('base64');
  const aar = Buffer.from('ARC-Authentication-Results: i=1; example.org; none\r\n', 'latin1');
  const fields: RawField[] = [];
  const d = new HeaderDecoder();
  for (const e of d.push(Buffer.from(`${head}\r\n`, 'latin1'))) if (e.type === 'field') fields.push(e.field);
  const amsTags = (b: string): Array<[string, string]> => [
    ['a', 'rsa-sha256'], ['b', b], ['bh', bh], ['c', 'relaxed/relaxed'], ['d', 'example.org'], ['h', 'from:subject:date:to'],
    ['i', '1'], ['l', String(canonical.length)], ['s', 'dummy'], ['t', '1711929600'],
  ];
  const amsData = headerHashData([{ name: 'ARC-Authentication-Results', raw: aar, line: 0 }, ...fields], ['from', 'subject', 'date', 'to'], Buffer.from(writeTags('ARC-Message-Signature', amsTags('')), 'latin1'), 'relaxed');
  const ams = writeTags('ARC-Message-Signature', amsTags(signHeaderData('rsa', 'sha256', amsData, key.value.key).toString('base64')));
  const asTags = (b: string): Array<[string, string]> => [['a', 'rsa-sha256'], ['b', b], ['cv', 'none'], ['d', 'example.org'], ['i', '1'], ['s', 'dummy'], ['t', '1711929600']];
  const asData = sealHashData([{ aar, ams: Buffer.from(ams, 'latin1'), as: Buffer.from(writeTags('ARC-Seal', asTags('')), 'latin1') }]);
  const seal = writeTags('ARC-Seal', asTags(signHeaderData('rsa', 'sha256', asData, key.value.key).toString('base64')));
  return Buffer.from(seal + ams + aar.toString('latin1') + plain, 'latin1');
}

describe('ARC: an AMS with l= and content appended', () => {
  it('arc verify: a pass that says how many bytes are unsigned; --json per set; --strict fails the chain', async () => {
    const sealed = sealedWithLength();
    const clean = await blaze(['arc', 'verify', ...ARC_DNS, '-'], sealed);
    expect(text(clean.stderr)).toBe('');
    expect(text(clean.stdout)).toBe('jqd@d1.example.org -✓-> 01:example.org\n');
    const appended = Buffer.concat([sealed, Buffer.from(APPENDED.replace('\n', '\r\n'))]);
    const r = await blaze(['arc', 'verify', ...ARC_DNS, '-'], appended);
    expect(text(r.stdout)).toBe(`jqd@d1.example.org -✓-> 01:example.org\n  ARC-Message-Signature i=1: ${EXTRA} unsigned bytes after l=\n`);
    expect(r.exitCode).toBe(0);
    const j = JSON.parse(text((await blaze(['arc', 'verify', ...ARC_DNS, '--json', '-'], appended)).stdout));
    expect(j).toMatchObject({ status: 'pass', reason: `ARC-Message-Signature i=1: ${EXTRA} unsigned bytes after l=` });
    expect(j.sets[0]).toMatchObject({ ams: 'pass', unsignedBodyBytes: EXTRA });
    const strict = await blaze(['arc', 'verify', ...ARC_DNS, '--strict', '-'], appended);
    expect(strict.exitCode).toBe(1);
    expect(text(strict.stderr)).toBe(`blaze: arc verify: fail: ARC-Message-Signature i=1: ${EXTRA} unsigned bytes after l= (strict)\n`);
  });
});
