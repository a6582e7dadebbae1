// src/auth: the SPF + DKIM + DMARC + ARC pipeline, called directly (no
// binary): fixtures/dmarc and fixtures/arc with their --dns-static
// directories, and in-memory zones for SPF. Expected verdicts are those the
// CLI tests establish for the same fixtures (test/cli/dmarc.test.ts,
// test/cli/arc.test.ts) and the RFC rules cited in each case.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { authenticateMessage, authResultsOf, ChunkChannel, receivedSpfVerdict, type AuthInput, type AuthReport } from '../../src/auth/index.ts';
import { memoryResolver, staticResolver, type Resolver } from '../../src/dns/index.ts';
import { formatAuthResultsField } from '../../src/authres/index.ts';
import { HeaderDecoder, type RawField } from '../../src/mime/header-decoder.ts';
import { toCRLF } from '../../src/mime/newline.ts';
import { loadPublicKey } from '../../src/dkim/index.ts';

const DMARC = fileURLToPath(new URL('../../fixtures/dmarc/', import.meta.url));
const ARC = fileURLToPath(new URL('../../fixtures/arc/', import.meta.url));
const NOW = new Date('2024-06-01T00:00:00Z');

/** The message in chunks of SIZE bytes, wire form. */
async function* chunks(message: string | Buffer, size = 7): AsyncGenerator<Buffer> {
  const b = toCRLF(message);
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

const file = (p: string) => readFileSync(p);

async function check(message: string | Buffer, resolver: Resolver, extra: Partial<AuthInput> = {}): Promise<AuthReport> {
  const r = await authenticateMessage({ chunks: chunks(message), resolver, ...extra, policy: { now: NOW, sample: 0, ...extra.policy } });
  if (!r.ok) throw new Error(`${r.error}: ${r.message}`);
  return r.value;
}

function fields(message: string): RawField[] {
  const d = new HeaderDecoder();
  const out: RawField[] = [];
  for (const e of [...d.push(toCRLF(message)), ...d.finish()]) if (e.type === 'field') out.push(e.field);
  return out;
}

const dmarcDns = staticResolver(`${DMARC}dns`);

describe('authenticateMessage: DKIM and DMARC', () => {
  it('an aligned DKIM signature passes DMARC under p=reject', async () => {
    const r = await check(file(`${DMARC}aligned.eml`), dmarcDns);
    expect(r.dkim.map((d) => [d.status, d.domain, d.selector])).toEqual([['pass', 'example.org', 'sel']]);
    expect(r.dkim[0].bPrefix).toMatch(/^[A-Za-z0-9+/]{8}$/);
    expect(r.from).toEqual({ ok: true, value: 'example.org' });
    expect(r.dmarc).toMatchObject({ status: 'pass', policyDomain: 'example.org', dkimAligned: true, disposition: 'none' });
    expect(r.spf).toBeUndefined();
  });
  it('a tampered body fails DKIM, and DMARC with disposition reject (sample 0 < pct 100)', async () => {
    const r = await check(file(`${DMARC}tampered.eml`), dmarcDns);
    expect(r.dkim[0].status).toBe('fail');
    expect(r.dmarc).toMatchObject({ status: 'fail', disposition: 'reject', policy: 'reject' });
  });
  it('the same verdicts whatever the chunking (one byte at a time)', async () => {
    const msg = file(`${DMARC}aligned.eml`);
    const r = await authenticateMessage({ chunks: chunks(msg, 1), resolver: dmarcDns, policy: { now: NOW, sample: 0 } });
    expect(r.ok && r.value.dmarc?.status).toBe('pass');
  });
  it('tee sees every byte of the message in wire form', async () => {
    const msg = file(`${DMARC}aligned.eml`);
    const seen: Buffer[] = [];
    await check(msg, dmarcDns, { tee: (c) => void seen.push(Buffer.from(c)) });
    expect(Buffer.concat(seen).equals(toCRLF(msg))).toBe(true);
  });
  it('policy keys answer instead of DNS (an empty zone: no key without them)', async () => {
    const none = await check(file(`${DMARC}aligned.eml`), memoryResolver({}));
    expect(none.dkim[0]).toMatchObject({ status: 'permerror', reason: 'no key for signature (nxdomain)' });
    const record = readFileSync(`${DMARC}dns/sel._domainkey.example.org.dns`, 'latin1');
    const key = loadPublicKey(/p=([A-Za-z0-9+/=]+)/.exec(record)![1]);
    if (!key.ok) throw new Error(key.error);
    const given = await check(file(`${DMARC}aligned.eml`), memoryResolver({}), { policy: { sample: 0, keys: new Map([['sel:example.org', key.value]]) } });
    expect(given.dkim[0].status).toBe('pass');
  });
});

describe('authenticateMessage: SPF', () => {
  const zone = memoryResolver({
    'mail.example.org': { TXT: ['v=spf1 ip4:192.0.2.1 -all'] },
    '_dmarc.example.org': { TXT: ['v=DMARC1; p=reject; aspf=r'] },
  });
  const msg = 'From: Alice <alice@example.org>\nSubject: s\n\nbody\n';
  it('from the session: evaluated (RFC 7208 §4), and aligned for DMARC (relaxed: mail.example.org ~ example.org)', async () => {
    const r = await check(msg, zone, { session: { ip: '192.0.2.1', mailFrom: 'bounce@mail.example.org', helo: 'relay.example.net' } });
    expect(r.spf).toEqual({ status: 'pass', domain: 'mail.example.org', mailfrom: 'bounce@mail.example.org', helo: 'relay.example.net', source: 'session' });
    expect(r.dmarc).toMatchObject({ status: 'pass', spfAligned: true });
  });
  it('a session from an address the record does not list: fail', async () => {
    const r = await check(msg, zone, { session: { ip: '192.0.2.9', mailFrom: 'bounce@mail.example.org' } });
    expect(r.spf?.status).toBe('fail');
    expect(r.dmarc).toMatchObject({ status: 'fail', spfAligned: false });
  });
  it('without a session: the newest Received-SPF field (RFC 7208 §9.1), unless the receiver distrusts the message', async () => {
    const stamped = `Received-SPF: pass (mx: ok) client-ip=192.0.2.1; envelope-from="bounce@mail.example.org"; helo=relay.example.net;\n` +
      `Received-SPF: fail (older) envelope-from=x@other.example;\n${msg}`;
    const r = await check(stamped, zone);
    expect(r.spf).toEqual({ status: 'pass', domain: 'mail.example.org', mailfrom: 'bounce@mail.example.org', helo: 'relay.example.net', source: 'received-spf', identityFrom: 'envelope-from' });
    const distrust = await check(stamped, zone, { policy: { now: NOW, sample: 0, spfFromMessage: false } });
    expect(distrust.spf).toBeUndefined();
  });
  it('the session wins over a Received-SPF field in the message', async () => {
    const stamped = `Received-SPF: pass envelope-from=forged@example.org;\n${msg}`;
    const r = await check(stamped, zone, { session: { ip: '192.0.2.9', mailFrom: 'bounce@mail.example.org' } });
    expect(r.spf).toMatchObject({ status: 'fail', source: 'session' });
  });
});

describe('authenticateMessage: the SPF identity of a Received-SPF field, and --spf recheck (policy.spfRecheck)', () => {
  const zone = memoryResolver({
    'mail.example.org': { TXT: ['v=spf1 ip4:192.0.2.1 -all'] },
    '_dmarc.example.org': { TXT: ['v=DMARC1; p=reject; aspf=r'] },
  });
  // Gmail's shape: client-ip only; the identity is the Return-Path's.
  const msg = 'Return-Path: <bounce@mail.example.org>\nReceived-SPF: pass (google.com: ok) client-ip=192.0.2.1;\nFrom: Alice <alice@example.org>\n\nbody\n';
  it('trusted: the domain of Return-Path, said to come from there; DMARC aligns (RFC 7489 §3.1.2)', async () => {
    const r = await check(msg, zone);
    expect(r.spf).toEqual({ status: 'pass', domain: 'mail.example.org', mailfrom: 'bounce@mail.example.org', helo: undefined, source: 'received-spf', identityFrom: 'return-path' });
    expect(r.dmarc).toMatchObject({ status: 'pass', spfAligned: true });
  });
  it('rechecked: evaluated from client-ip and Return-Path; a field that lies about its address fails', async () => {
    const again = await check(msg, zone, { policy: { now: NOW, sample: 0, spfRecheck: true } });
    expect(again.spf).toMatchObject({ status: 'pass', source: 'recheck', identityFrom: 'return-path' });
    const lie = await check(msg.replace('client-ip=192.0.2.1', 'client-ip=192.0.2.99'), zone, { policy: { now: NOW, sample: 0, spfRecheck: true } });
    expect(lie.spf).toMatchObject({ status: 'fail', source: 'recheck' });
    expect(lie.dmarc?.status).toBe('fail');
    const none = await check(msg.replace(' client-ip=192.0.2.1;', ''), zone, { policy: { now: NOW, sample: 0, spfRecheck: true } });
    expect(none.spf).toBeUndefined();
    expect(none.spfProblem).toBe('the Received-SPF field records no client address');
  });
});

describe('authenticateMessage: signatures under attack (RFC 6376 §8.15, §8.2)', () => {
  it('an unsigned Subject on top fails the DKIM signature and so DMARC; allowUnsignedDuplicates gives the bare pass', async () => {
    const forged = Buffer.concat([Buffer.from('Subject: wire money\n'), file(`${DMARC}aligned.eml`)]);
    const r = await check(forged, dmarcDns);
    expect(r.dkim[0]).toMatchObject({ status: 'fail', unsignedFields: [{ name: 'Subject', line: 1 }] });
    expect(r.dmarc?.status).toBe('fail');
    const bare = await check(forged, dmarcDns, { policy: { now: NOW, sample: 0, allowUnsignedDuplicates: true } });
    expect(bare.dkim[0].status).toBe('pass');
    expect(bare.dmarc?.status).toBe('pass');
  });
  it('a too-long field is skipped and reported, the rest of the header read', async () => {
    const long = Buffer.concat([Buffer.from(`X-Long: ${'a'.repeat(200_000)}\n`), file(`${DMARC}aligned.eml`)]);
    const r = await check(long, dmarcDns);
    expect(r.skipped).toEqual([{ name: 'X-Long', line: 1, size: 200_010 }]);
    expect(r.dkim[0].status).toBe('pass');
  });
});

describe('receivedSpfVerdict (one Received-SPF parser: src/spf/received-spf.ts)', () => {
  it('skips nested comments: text inside them is not a key', () => {
    const f = fields('Received-SPF: pass (mx (says (envelope-from=x@evil.example)) ok) envelope-from="b@mail.example.org";\nFrom: a@example.org\n\n');
    expect(receivedSpfVerdict(f)).toEqual({ status: 'pass', domain: 'mail.example.org', mailfrom: 'b@mail.example.org', helo: undefined, source: 'received-spf', identityFrom: 'envelope-from' });
  });
  it('identity=helo, or no envelope-from: the HELO name is the authenticated domain', () => {
    expect(receivedSpfVerdict(fields('Received-SPF: softfail identity=helo; helo=Relay.Example.NET; envelope-from=<a@b.example>\n\n'))).toMatchObject({
      status: 'softfail', domain: 'relay.example.net', mailfrom: undefined,
    });
    expect(receivedSpfVerdict(fields('Received-SPF: neutral helo=relay.example.net; envelope-from=<>\n\n'))).toMatchObject({ domain: 'relay.example.net', mailfrom: undefined });
  });
  it('an unreadable field or an unknown result word gives no verdict', () => {
    expect(receivedSpfVerdict(fields('Received-SPF: maybe (what)\n\n'))).toBeUndefined();
    expect(receivedSpfVerdict(fields('Received-SPF: pass (unclosed\n\n'))).toBeUndefined();
    expect(receivedSpfVerdict(fields('Subject: none\n\n'))).toBeUndefined();
  });
});

describe('authenticateMessage: ARC and input errors', () => {
  it('ARC only (arc verify): the chain of fixtures/arc/i1-pass.eml passes; DKIM is not run', async () => {
    const r = await check(file(`${ARC}i1-pass.eml`), staticResolver(`${ARC}dns`), { methods: { arc: true } });
    expect(r.arc).toMatchObject({ status: 'pass', instances: 1 });
    expect(r.dkim).toEqual([]);
    expect(r.dmarc).toBeUndefined();
    expect(r.arcReader).toBeUndefined();
  });
  it('sealing keeps the reader', async () => {
    const r = await check(file(`${ARC}i1-pass.eml`), staticResolver(`${ARC}dns`), { methods: { arc: true, dkim: true }, seal: true });
    expect(r.arcReader).toBeDefined();
  });
  it('a header line without a colon is malformed, with its line; no field at all is not a message', async () => {
    const bad = await authenticateMessage({ chunks: chunks('From: a@example.org\nnot a field\n\nbody\n'), resolver: memoryResolver({}), policy: { sample: 0 } });
    expect(bad).toMatchObject({ ok: false, error: 'malformed', line: 2 });
    const empty = await authenticateMessage({ chunks: chunks(''), resolver: memoryResolver({}), policy: { sample: 0 } });
    expect(empty).toEqual({ ok: false, error: 'not-a-message', message: 'no header field (not a message?)' });
  });
});

describe('authResultsOf', () => {
  it('writes spf, dkim with header.b, dmarc (RFC 8601 §2.7)', async () => {
    const r = await check(file(`${DMARC}spf-pass.eml`), dmarcDns);
    const field = formatAuthResultsField(authResultsOf(r, 'mx.example.net'));
    expect(field.replace(/\r\n\s+/g, ' ')).toMatch(
      /^Authentication-Results: mx\.example\.net; spf=pass smtp\.mailfrom=bounce@mail\.example\.org smtp\.helo=mail\.example\.org; dkim=none; dmarc=pass \(p=REJECT sp=QUARANTINE dis=NONE\) header\.from=example\.org\r\n$/,
    );
  });
});

describe('ChunkChannel', () => {
  it('delivers in order, and push waits once 16 chunks wait for the reader', async () => {
    const ch = new ChunkChannel();
    let pushed = 0;
    const writer = (async () => {
      for (let i = 0; i < 40; i++) {
        await ch.push(Buffer.from([i]));
        pushed++;
      }
      ch.close();
    })();
    await new Promise((r) => setImmediate(r));
    expect(pushed).toBe(16); // the 17th push waits for room
    const got: number[] = [];
    for await (const b of ch) got.push(b[0]);
    await writer;
    expect(got).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });
  it('close(err) fails the reader', async () => {
    const ch = new ChunkChannel();
    ch.close(new Error('aborted'));
    await expect((async () => { for await (const _ of ch) void _; })()).rejects.toThrow('aborted');
  });
});
