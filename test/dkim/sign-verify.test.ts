import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import {
  DkimSigner, verifyDkimMessage, canonicalizeBody, loadPrivateKey, loadPublicKey, keyFromSeed, publicKeyRecordData, parseKeyRecord, signedFieldNames, headerHashData, signHeaderData,
  type LoadedKey,
} from '../../src/dkim/index.ts';
import { execa } from 'execa';
import { memoryResolver, type MemoryZone } from '../../src/dns/index.ts';
import { toCRLF } from '../../src/mime/newline.ts';
import { describeCorpus } from '../support/corpus.ts';

// The project's own keys (fixtures/dkim, made by blaze dkim gen); the public
// suites' keys and messages are read from BLAZE_CORPUS below.
const rsa = loadPrivateKey(readFileSync(new URL('../../fixtures/dkim/rsa.pem', import.meta.url)));
const ed = loadPrivateKey(readFileSync(new URL('../../fixtures/dkim/ed.pem', import.meta.url)));
if (!rsa.ok || !ed.ok) throw new Error('keys');
const zone: MemoryZone = {
  'test._domainkey.example.org': { TXT: [`v=DKIM1; k=rsa; p=${publicKeyRecordData(rsa.value.key)}`] },
  'ed._domainkey.example.org': { TXT: [`v=DKIM1; k=ed25519; p=${publicKeyRecordData(ed.value.key)}`] },
  'testing._domainkey.example.org': { TXT: [`v=DKIM1; t=y; p=${publicKeyRecordData(rsa.value.key)}`] },
  'revoked._domainkey.example.org': { TXT: ['v=DKIM1; p='] },
  'slow._domainkey.example.org': 'TIMEOUT',
  'sha1only._domainkey.example.org': { TXT: [`v=DKIM1; h=sha1; p=${publicKeyRecordData(rsa.value.key)}`] },
  'strict._domainkey.example.org': { TXT: [`v=DKIM1; t=s; p=${publicKeyRecordData(rsa.value.key)}`] },
};
const resolver = memoryResolver(zone);
const MESSAGE = toCRLF('From: Joe <joe@example.org>\nTo: you@example.net\nSubject: hi  there\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n\nHello,\n\n  world \n\n\n');

function sign(msg: Buffer, key: LoadedKey, selector: string, extra: Record<string, unknown> = {}): Buffer {
  const s = new DkimSigner({ key, domain: 'example.org', selector, ...extra });
  s.push(msg);
  const r = s.finish();
  if (!r.ok) throw new Error(r.message);
  return Buffer.concat([Buffer.from(r.value.field, 'latin1'), msg]);
}
const verify = async (msg: Buffer, opts = {}) => {
  const r = await verifyDkimMessage([msg], resolver, { now: new Date('2024-01-02T00:00:00Z'), ...opts });
  if (!r.ok) throw new Error(r.message);
  return r.value;
};

describeCorpus('DKIM RFC 8463', 'dkim/rfc8463/', 'RFC 8463 Appendix A', (RFC8463) => {
  const a1 = loadPrivateKey(readFileSync(`${RFC8463}ed25519-private.seed.b64`, 'utf8'));
  if (!a1.ok) throw new Error('RFC 8463 A.1 key');
  const dns = memoryResolver(JSON.parse(readFileSync(`${RFC8463}dns.json`, 'utf8')));
  for (const f of ['signed-relaxed.eml', 'signed-simple.eml']) {
    it(`${f}: ed25519-sha256 and rsa-sha256 pass`, async () => {
      const r = await verifyDkimMessage([toCRLF(readFileSync(RFC8463 + f))], dns, { now: new Date('2018-06-10T13:38:29Z') });
      expect(r.ok && r.value.map((x) => [x.status, x.algorithm, x.domain])).toEqual([
        ['pass', 'ed25519-sha256', 'football.example.com'],
        ['pass', 'rsa-sha256', 'football.example.com'],
      ]);
    });
  }
  it('our ed25519 signature of A.2 with the A.1 key: dkimpy verifies it, bh= is the published one, and b= is the published one over the published header text', async () => {
    const published = toCRLF(readFileSync(`${RFC8463}signed-relaxed.eml`)).toString('latin1');
    // The A.3 ed25519 field as published, folding and all, and its tags.
    const field = /^DKIM-Signature: v=1; a=ed25519-sha256;[\s\S]*?\r\n(?=DKIM-Signature:)/.exec(published)![0];
    const tag = (name: string) => new RegExp(`[;\\s]${name}=([^;]*)`).exec(field)![1].replace(/\s+/g, '');
    const msg = toCRLF(readFileSync(`${RFC8463}message.eml`));
    const names = tag('h').split(':');
    expect(names).toEqual(['from', 'to', 'subject', 'date', 'message-id', 'from', 'subject', 'date']);
    const s = new DkimSigner({ key: a1.value, domain: 'football.example.com', selector: 'brisbane', timestamp: 1528637909, fields: names });
    s.push(msg);
    const r = s.finish();
    if (!r.ok) throw new Error(r.message);
    // The body hash does not depend on the tags: it must be the published one (RFC 8463 A.3).
    expect(r.value.field).toContain(`bh=${tag('bh')};`);
    // Our field lists its tags in another order (without q= and i=, and h=
    // without A.3's repeated names), so its b= differs from A.3's; an independent verifier (dkimpy, key from A.3's DNS
    // record) must accept it, and reject it once the body changes.
    const record = (JSON.parse(readFileSync(`${RFC8463}dns.json`, 'utf8')) as Record<string, { TXT: string[][] }>)['brisbane._domainkey.football.example.com'].TXT[0].join('');
    const ours = Buffer.concat([Buffer.from(r.value.field, 'latin1'), msg]);
    const tampered = Buffer.from(ours.toString('latin1').replace('We lost the game', 'We won the game'), 'latin1');
    expect(await dkimpyVerify(record, [ours, tampered])).toEqual([true, false]);
    // Over the published header text byte for byte (the same fields and the
    // A.3 field with b= emptied, relaxed), our canonicalisation and Ed25519
    // (deterministic, RFC 8032) give the published b= exactly.
    const data = headerHashData(s.fields, names, Buffer.from(field, 'latin1'), 'relaxed');
    expect(signHeaderData('ed25519', 'sha256', data, a1.value.key).toString('base64')).toBe(tag('b'));
    // The same for A.3's rsa-sha256 field (RSASSA-PKCS1-v1_5 is deterministic too) with the A.1 RSA key.
    const rsaField = /\r\n(DKIM-Signature: v=1; a=rsa-sha256;[\s\S]*?\r\n)(?=From:)/.exec(published)![1];
    const rsaB = /[;\s]b=([^;]*)$/.exec(rsaField)![1].replace(/\s+/g, '');
    const rsaKey = loadPrivateKey(readFileSync(`${RFC8463}rsa-private.pem`));
    if (!rsaKey.ok) throw new Error('RFC 8463 A.1 RSA key');
    const rsaData = headerHashData(s.fields, names, Buffer.from(rsaField, 'latin1'), 'relaxed');
    expect(signHeaderData('rsa', 'sha256', rsaData, rsaKey.value.key).toString('base64')).toBe(rsaB);
  });
});

/** dkimpy's verdict on each message, the key record given through its dnsfunc (no DNS). */
async function dkimpyVerify(record: string, messages: Buffer[]): Promise<boolean[]> {
  const script = [
    'import sys, json, base64, dkim',
    'record = sys.argv[1].encode()',
    'msgs = [base64.b64decode(l) for l in sys.stdin.read().split()]',
    'print(json.dumps([bool(dkim.verify(m, dnsfunc=lambda name, timeout=5: record)) for m in msgs]))',
  ].join('\n');
  const r = await execa('/usr/bin/python3', ['-c', script, record], { input: messages.map((m) => m.toString('base64')).join('\n'), reject: false });
  expect(r.stderr, 'python3-dkim (dkimpy) must be installed').toBe('');
  expect(r.exitCode).toBe(0);
  return JSON.parse(r.stdout) as boolean[];
}

describe('sign then verify', () => {
  for (const [name, key, sel] of [['rsa', rsa.value, 'test'], ['ed25519', ed.value, 'ed']] as const) {
    for (const c of ['simple/simple', 'relaxed/relaxed', 'simple/relaxed', 'relaxed/simple']) {
      it(`${name} ${c}`, async () => {
        const [h, b] = c.split('/') as ['simple' | 'relaxed', 'simple' | 'relaxed'];
        const signed = sign(MESSAGE, key, sel, { canon: { header: h, body: b } });
        // dkimpy's default set where present, From listed once more (oversigned)
        expect(await verify(signed)).toMatchObject([{ status: 'pass', domain: 'example.org', fields: ['from', 'from', 'subject', 'date', 'to'] }]);
        expect((await verify(Buffer.concat([signed, Buffer.from('tampered\r\n')])))[0]).toMatchObject({ status: 'fail', reason: 'body hash did not verify' });
        const hdr = Buffer.from(signed.toString('latin1').replace('Subject: hi', 'Subject: Hi'), 'latin1');
        expect((await verify(hdr))[0]).toMatchObject({ status: 'fail', reason: 'signature did not verify' });
      });
    }
  }
  it('l= lets appended text pass and is reported', async () => {
    const signed = sign(MESSAGE, rsa.value, 'test', { bodyLength: true });
    const more = Buffer.concat([signed, Buffer.from('appended\r\n')]);
    const [r] = await verify(more);
    const signedLength = canonicalizeBody(MESSAGE.subarray(MESSAGE.indexOf('\r\n\r\n') + 4), 'relaxed').length;
    expect(r).toMatchObject({ status: 'pass', bodyLength: signedLength, bodySize: canonicalizeBody(Buffer.concat([MESSAGE.subarray(MESSAGE.indexOf('\r\n\r\n') + 4), Buffer.from('appended\r\n')]), 'relaxed').length });
  });
  it('a From added below the signed one breaks it (bottom-up selection); above it too, since From is oversigned by default; an unsigned X-Foo does not', async () => {
    const signed = sign(MESSAGE, rsa.value, 'test');
    const below = Buffer.from(signed.toString('latin1').replace('To: you', 'From: evil@example.com\r\nTo: you'), 'latin1');
    expect((await verify(below))[0].status).toBe('fail');
    expect((await verify(Buffer.concat([Buffer.from('From: evil@example.com\r\n'), signed])))[0].status).toBe('fail');
    // without the oversigned From, bottom-up selection still finds the signed instance under an added one: the bare
    // RFC 6376 result is a pass, which RFC 6376 §8.15 says to treat as a fail (an unsigned copy of a signed From)
    const bare = sign(MESSAGE, rsa.value, 'test', { oversign: 'none' });
    const above = Buffer.concat([Buffer.from('From: evil@example.com\r\n'), bare]);
    expect((await verify(above, { allowUnsignedDuplicates: true }))[0].status).toBe('pass');
    expect((await verify(above))[0]).toMatchObject({ status: 'fail', unsignedFields: [{ name: 'From', line: 1 }] });
    expect((await verify(Buffer.concat([Buffer.from('X-Foo: bar\r\n'), signed])))[0].status).toBe('pass');
  });
  it('--oversign: a field added later breaks the signature', async () => {
    const signed = sign(MESSAGE, rsa.value, 'test', { oversign: true });
    expect((await verify(signed))[0].status).toBe('pass');
    const added = Buffer.concat([Buffer.from('Subject: another\r\n'), signed]);
    expect((await verify(added))[0].status).toBe('fail');
    const plain = sign(MESSAGE, rsa.value, 'test');
    const another = Buffer.concat([Buffer.from('Subject: another\r\n'), plain]);
    expect((await verify(another, { allowUnsignedDuplicates: true }))[0].status).toBe('pass');
    expect((await verify(another))[0]).toMatchObject({ status: 'fail', reason: 'unsigned duplicate of a signed field: Subject at line 1 (RFC 6376 §8.15)' });
  });
  it('expired, testing, revoked, timeout, strict, h=, weak and sha1', async () => {
    const exp = sign(MESSAGE, rsa.value, 'test', { timestamp: 1700000000, expiration: 1700000100 });
    expect((await verify(exp))[0]).toMatchObject({ status: 'permerror', expired: true, reason: 'signature expired' });
    expect((await verify(exp, { now: new Date(1700000050_000) }))[0].status).toBe('pass');
    expect((await verify(sign(MESSAGE, rsa.value, 'testing')))[0]).toMatchObject({ status: 'neutral', testing: true, testingResult: 'pass' });
    expect((await verify(sign(MESSAGE, rsa.value, 'revoked')))[0]).toMatchObject({ status: 'permerror', reason: 'key revoked (empty p=)' });
    expect((await verify(sign(MESSAGE, rsa.value, 'slow')))[0]).toMatchObject({ status: 'temperror' });
    expect((await verify(sign(MESSAGE, rsa.value, 'nothere')))[0]).toMatchObject({ status: 'permerror', reason: 'no key for signature (nxdomain)' });
    expect((await verify(sign(MESSAGE, rsa.value, 'strict', { auid: 'joe@sub.example.org' })))[0]).toMatchObject({ status: 'permerror' });
    expect((await verify(sign(MESSAGE, rsa.value, 'strict', { auid: 'joe@example.org' })))[0]).toMatchObject({ status: 'pass' });
    expect((await verify(sign(MESSAGE, rsa.value, 'sha1only')))[0].reason).toMatch(/does not allow sha256/);
    const sha1 = sign(MESSAGE, rsa.value, 'test', { hash: 'sha1' });
    expect((await verify(sha1))[0].status).toBe('policy');
    expect((await verify(sha1, { allowSha1: true }))[0].status).toBe('pass');
    const weak = generateKeyPairSync('rsa', { modulusLength: 512 });
    const weakKey = loadPrivateKey(weak.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string);
    if (!weakKey.ok) throw new Error();
    const ws = sign(MESSAGE, weakKey.value, 'weak');
    const keys = new Map([['weak:example.org', { key: weak.publicKey, type: 'rsa' as const, bits: 512 }]]);
    expect((await verify(ws, { keys }))[0].status).toBe('policy');
    expect((await verify(ws, { keys, allowWeakKeys: true }))[0].status).toBe('pass');
  });
  it('a truncated signature is a failure, not a crash', async () => {
    const signed = sign(MESSAGE, rsa.value, 'test').toString('latin1');
    const cut = signed.replace(/(b=[A-Za-z0-9+/\r\n ]{20})[A-Za-z0-9+/=\r\n ]+(\r\nFrom:)/, '$1$2');
    expect(cut).not.toBe(signed);
    const [r] = await verify(Buffer.from(cut, 'latin1'));
    expect(['fail', 'permerror']).toContain(r.status);
  });
  it('refuses to sign a message without From', () => {
    const s = new DkimSigner({ key: rsa.value, domain: 'example.org', selector: 'x' });
    s.push(toCRLF('To: a@b\n\nbody\n'));
    expect(s.finish()).toMatchObject({ ok: false });
  });
  it('property: sign then verify passes; one changed byte in a signed field or the body fails', async () => {
    const text = fc.stringMatching(/^[ -~]{0,30}$/);
    await fc.assert(
      fc.asyncProperty(
        text, fc.array(fc.stringMatching(/^[ -~\t]{0,40}$/), { maxLength: 6 }), fc.boolean(), fc.boolean(), fc.nat(), fc.integer({ min: 1, max: 255 }), fc.boolean(),
        async (subject, lines, hRelaxed, bRelaxed, where, delta, inBody) => {
          const msg = Buffer.from(`From: a@example.org\r\nSubject: x${subject}\r\n\r\n${lines.join('\r\n')}Z\r\n`, 'latin1');
          const signed = sign(msg, ed.value, 'ed', { canon: { header: hRelaxed ? 'relaxed' : 'simple', body: bRelaxed ? 'relaxed' : 'simple' } });
          expect((await verify(signed))[0].status).toBe('pass');
          // change one byte of the Subject value or of the body's last line (a letter, so no canonicalisation can hide it)
          const s = signed.toString('latin1');
          const at = inBody ? s.lastIndexOf('Z') : s.indexOf('Subject: x') + 9;
          const bytes = Buffer.from(signed);
          bytes[at] = (bytes[at] + delta) % 256;
          if ([0x0d, 0x0a, 0x20, 0x09, 0x3a].includes(bytes[at])) bytes[at] = 0x41 + (where % 20) === bytes[at] ? 0x42 : 0x41;
          if (bytes[at] === signed[at]) bytes[at] = signed[at] === 0x41 ? 0x42 : 0x41;
          if (!inBody && hRelaxed && String.fromCharCode(bytes[at]).toLowerCase() === String.fromCharCode(signed[at]).toLowerCase() && false) return;
          expect((await verify(bytes))[0].status).toBe('fail');
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('keys', () => {
  it('the same seed gives the same key (ed25519 and rsa), different seeds differ', async () => {
    const a = await keyFromSeed(Buffer.from('seed'), { algorithm: 'ed25519' });
    const b = await keyFromSeed(Buffer.from('seed'), { algorithm: 'ed25519' });
    expect(publicKeyRecordData(a.key)).toBe(publicKeyRecordData(b.key));
    expect(publicKeyRecordData((await keyFromSeed(Buffer.from('other'), { algorithm: 'ed25519' })).key)).not.toBe(publicKeyRecordData(a.key));
    const r1 = await keyFromSeed(Buffer.from('seed'), { algorithm: 'rsa', bits: 1024 });
    const r2 = await keyFromSeed(Buffer.from('seed'), { algorithm: 'rsa', bits: 1024 });
    expect(r1.key.asymmetricKeyDetails?.modulusLength).toBe(1024);
    expect(publicKeyRecordData(r1.key)).toBe(publicKeyRecordData(r2.key));
  });
});

describeCorpus('DKIM dkimpy data', 'dkim/dkimpy/', 'keys and records of dkimpy', (DKIMPY) => {
  it('loads dkimpy key formats', () => {
    for (const f of ['1024_testkey.key', '2048_testkey.key', '2048_testkey_PKCS8.key', 'test.private']) expect(loadPrivateKey(readFileSync(DKIMPY + f)).ok).toBe(true);
    expect(loadPrivateKey(readFileSync(`${DKIMPY}ed25519test.key`, 'utf8'))).toMatchObject({ ok: true, value: { type: 'ed25519' } });
    for (const f of ['1024_testkey_wo_markers.pub.txt', '1024_testkey_wo_markers.pub.rsa.txt', '2048_testkey_wo_markers.pub.txt', '2048_testkey_wo_markers.pub.rsa.txt']) {
      const rec = parseKeyRecord(readFileSync(DKIMPY + f, 'utf8').trim());
      if (!rec.ok) throw new Error(rec.message);
      expect(loadPublicKey(rec.value.p)).toMatchObject({ ok: true, value: { type: 'rsa' } });
    }
    expect(loadPrivateKey('not a key').ok).toBe(false);
  });
  it('bad key records from dkimpy do not parse', () => {
    for (const f of ['badversion.txt', 'badk.txt', 'test_tlsrpt.txt']) expect(parseKeyRecord(readFileSync(DKIMPY + f, 'utf8').trim()).ok).toBe(false);
    // the kind says why (RFC 6376 §3.6.1): an unknown version, an unknown k=, a service other than email
    expect(['badversion.txt', 'badk.txt', 'test_tlsrpt.txt'].map((f) => { const r = parseKeyRecord(readFileSync(DKIMPY + f, 'utf8').trim()); return r.ok ? 'ok' : r.error; })).toEqual(['version', 'unsupported', 'not-email']);
    expect(parseKeyRecord('v=DKIM1; p=')).toEqual({ ok: false, error: 'revoked', message: 'key revoked (empty p=)' });
    expect(parseKeyRecord(readFileSync(`${DKIMPY}test2.txt`, 'utf8').trim())).toMatchObject({ ok: true, value: { keyType: 'rsa' } });
  });
});

describe('signed field names', () => {
  const f = (name: string) => ({ name, raw: Buffer.from(`${name}: x\r\n`), line: 1 });
  it('by default: each present instance of dkimpy\'s set (DKIM.SHOULD), From first and listed once more', () => {
    expect(signedFieldNames([f('To'), f('From'), f('Received'), f('To')], {})).toEqual(['from', 'from', 'to', 'to']);
    expect(signedFieldNames([f('To'), f('From'), f('Received'), f('To')], { oversign: 'none' })).toEqual(['from', 'to', 'to']);
    // the fields RFC 6376 §5.4.1 leaves out and dkimpy signs: Sender, Message-ID, the MIME fields, Resent-Message-ID
    const more = ['Sender', 'Message-ID', 'MIME-Version', 'Content-Type', 'Content-Transfer-Encoding', 'Content-ID', 'Content-Description', 'Resent-Message-ID'];
    expect(signedFieldNames([f('From'), ...more.map(f), f('Received'), f('Return-Path'), f('X-Mailer'), f('Bcc')], { oversign: 'none' })).toEqual([
      'from', 'sender', 'message-id', 'mime-version', 'content-type', 'content-transfer-encoding', 'content-id', 'content-description', 'resent-message-id',
    ]);
  });
  it('with fields: one instance per time a name is listed, absent ones included, as the original tool', () => {
    const three = [f('Received'), f('Received'), f('Received'), f('From')];
    expect(signedFieldNames(three, { fields: ['received', 'received'] })).toEqual(['from', 'from', 'received', 'received']);
    expect(signedFieldNames(three, { fields: ['received'], oversign: 'none' })).toEqual(['from', 'received']);
    expect(signedFieldNames([f('From')], { fields: ['Sender'], oversign: true })).toEqual(['from', 'from', 'sender', 'sender']);
    expect(signedFieldNames([f('From')], { fields: ['from', 'from'], oversign: 'none' })).toEqual(['from', 'from']);
  });
});
