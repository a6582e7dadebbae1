import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { mkdtemp, readFile, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { startFakeDns, type FakeDns } from '../dns/fake-server.ts';
import { expectEndedByTimeout, startupMs } from '../support/timeouts.ts';
import { headerHashData, parseTagList } from '../../src/dkim/index.ts';
import { HeaderDecoder } from '../../src/mime/header-decoder.ts';

const BLAZE = fileURLToPath(new URL('../../bin/blaze', import.meta.url));
const FX = fileURLToPath(new URL('../../fixtures/dkim/', import.meta.url));
const DNS = join(FX, 'dns');
const MESSAGE = join(FX, 'message.eml');
const NOW = '2024-01-02T12:00:00Z';

const blaze = (args: string[], opts: Record<string, unknown> = {}) =>
  execa(BLAZE, args, { reject: false, stripFinalNewline: false, env: { BLAZE_DNS_STATIC: '' }, ...opts });
const verify = (args: string[], input?: string | Buffer) =>
  blaze(['dkim', 'verify', '--dns-static', DNS, '--offline', '--now', NOW, ...args], input === undefined ? {} : { input });
async function sign(args: string[], file = MESSAGE): Promise<string> {
  const r = await blaze(['dkim', 'sign', '-d', 'example.org', '--now', NOW, ...args, file]);
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(0);
  return r.stdout;
}

const openssl = async (args: string[], input?: Buffer): Promise<Buffer> => Buffer.from((await execa('openssl', args, { input, encoding: 'buffer', stripFinalNewline: false })).stdout);

/** The header data a DKIM-Signature covers (RFC 6376 §3.7) and its b= bytes. */
function signedData(message: string): { data: Buffer; signature: Buffer } {
  const dec = new HeaderDecoder();
  const fields = [...dec.push(Buffer.from(message, 'latin1')), ...dec.finish()].flatMap((e) => (e.type === 'field' ? [e.field] : []));
  const sig = fields.find((f) => f.name.toLowerCase() === 'dkim-signature')!;
  const tags = parseTagList(sig.raw.toString('latin1').slice(sig.raw.indexOf(0x3a) + 1));
  if (!tags.ok) throw new Error(tags.message);
  const value = (t: string) => tags.value.tags.get(t)!.replace(/[ \t\r\n]+/g, '');
  const canon = value('c').split('/')[0] as 'simple' | 'relaxed';
  return { data: headerHashData(fields, value('h').split(':'), sig.raw, canon), signature: Buffer.from(value('b'), 'base64') };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'blaze-cli-dkim-'));
});

describe('blaze dkim gen', () => {
  it('--seed is deterministic: prints seed, TXT record and public key as committed in fixtures', async () => {
    const seed = (await readFile(join(FX, 'ed.seed'), 'utf8')).trim();
    const r = await blaze(['dkim', 'gen', '-a', 'ed25519', '--seed', seed, '-s', 'ed', '-d', 'example.org']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(await readFile(join(FX, 'ed.gen.txt'), 'utf8'));
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`seed is ${seed}`);
    expect(lines[1]).toMatch(/^ed\._domainkey\.example\.org\. IN TXT "v=DKIM1; k=ed25519; p=[A-Za-z0-9+/]{43}="$/);
    expect(lines[2].split(' ')[3]).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  });
  it('without --seed: a fresh key (node:crypto) into PEM files, nothing left to print; two runs differ', async () => {
    for (const alg of ['ed25519', 'rsa']) {
      const pub = join(dir, `gen-${alg}.pub`);
      const priv = join(dir, `gen-${alg}.key`);
      const r = await blaze(['dkim', 'gen', '-a', alg, '--private-key', priv, pub]);
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toBe('');
      const pubPem = await readFile(pub, 'utf8');
      expect(pubPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
      // the public key file is the public half of the private key file
      const derived = createPublicKey(createPrivateKey(await readFile(priv, 'utf8'))).export({ format: 'pem', type: 'spki' });
      expect(derived).toBe(pubPem);
      const again = await blaze(['dkim', 'gen', '-a', alg, '--private-key', priv, pub]);
      expect(again.exitCode).toBe(0);
      expect(await readFile(pub, 'utf8')).not.toBe(pubPem);
    }
  });
  it('--seed keys agree with openssl: the keystream gives the Ed25519 key, openssl derives the public keys blaze prints and verifies blaze signatures', async () => {
    const seed = (await readFile(join(FX, 'ed.seed'), 'utf8')).trim();
    const d = await mkdtemp(join(tmpdir(), 'blaze-seed-openssl-'));
    // Ed25519: the key is the first 32 bytes of the seeded stream, AES-256-CTR
    // keyed with SHA-256(seed) from a zero IV (blaze-rand(1)); openssl computes
    // that stream and, from the key, the public key.
    const stream = await openssl(['enc', '-aes-256-ctr', '-K', createHash('sha256').update(Buffer.from(seed, 'base64')).digest('hex'), '-iv', '0'.repeat(32)], Buffer.alloc(32));
    await writeFile(join(d, 'ossl.der'), Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), stream]));
    const spki = await openssl(['pkey', '-inform', 'DER', '-in', join(d, 'ossl.der'), '-pubout', '-outform', 'DER']);
    const g = await blaze(['dkim', 'gen', '-a', 'ed25519', '--seed', seed, '--private-key', join(d, 'ed.key'), join(d, 'ed.pub')]);
    expect([g.exitCode, g.stdout]).toEqual([0, `seed is ${seed}\n`]);
    const printed = await blaze(['dkim', 'gen', '-a', 'ed25519', '--seed', seed]);
    expect(printed.stdout.split('\n')[1]).toBe(`public key is ${spki.subarray(spki.length - 32).toString('base64')}`);
    expect((await openssl(['pkey', '-in', join(d, 'ed.key'), '-pubout'])).toString()).toBe(await readFile(join(d, 'ed.pub'), 'utf8'));
    expect((await openssl(['pkey', '-pubin', '-in', join(d, 'ed.pub'), '-outform', 'DER'])).equals(spki)).toBe(true);
    await writeFile(join(d, 'ossl-ed.pub'), await openssl(['pkey', '-inform', 'DER', '-in', join(d, 'ossl.der'), '-pubout']));
    // RFC 8463 §3: ed25519-sha256 signs the SHA-256 of the header data.
    const ed = signedData(await sign(['-s', 'ed', '-a', 'ed25519', '--seed', seed]));
    await writeFile(join(d, 'ed.data'), createHash('sha256').update(ed.data).digest());
    await writeFile(join(d, 'ed.sig'), ed.signature);
    expect((await openssl(['pkeyutl', '-verify', '-pubin', '-inkey', join(d, 'ossl-ed.pub'), '-rawin', '-in', join(d, 'ed.data'), '-sigfile', join(d, 'ed.sig')])).toString()).toBe('Signature Verified Successfully\n');
    await writeFile(join(d, 'ed.data'), createHash('sha256').update(Buffer.concat([ed.data, Buffer.from('x')])).digest());
    expect(await openssl(['pkeyutl', '-verify', '-pubin', '-inkey', join(d, 'ossl-ed.pub'), '-rawin', '-in', join(d, 'ed.data'), '-sigfile', join(d, 'ed.sig')]).catch(() => 'refused')).toBe('refused');
    // RSA (node-forge draws the primes from the stream): openssl checks the key,
    // derives the public key blaze prints, and verifies an rsa-sha256 signature.
    const r = await blaze(['dkim', 'gen', '-b', '1024', '--seed', 'AAAA', '--private-key', join(d, 'rsa.key'), join(d, 'rsa.pub')]);
    expect(r.exitCode).toBe(0);
    expect((await openssl(['rsa', '-in', join(d, 'rsa.key'), '-check', '-noout'])).toString()).toBe('RSA key ok\n');
    const pem = (await openssl(['rsa', '-in', join(d, 'rsa.key'), '-pubout'])).toString();
    expect(pem).toBe(await readFile(join(d, 'rsa.pub'), 'utf8'));
    const rsaPrinted = await blaze(['dkim', 'gen', '-b', '1024', '--seed', 'AAAA']);
    expect(rsaPrinted.stdout.split('\n')[1]).toBe(`public key is ${pem.replace(/-----[A-Z ]+-----|\n/g, '')}`);
    await writeFile(join(d, 'ossl-rsa.pub'), pem);
    const rs = signedData(await sign(['-s', 'rsa', '-b', '1024', '--seed', 'AAAA']));
    await writeFile(join(d, 'rsa.data'), rs.data);
    await writeFile(join(d, 'rsa.sig'), rs.signature);
    expect((await openssl(['dgst', '-sha256', '-verify', join(d, 'ossl-rsa.pub'), '-signature', join(d, 'rsa.sig'), join(d, 'rsa.data')])).toString()).toBe('Verified OK\n');
  });
  it('rsa: long TXT records are split into 255-byte strings; bad sizes exit 2', async () => {
    const rsa = await readFile(join(FX, 'rsa.gen.txt'), 'utf8');
    const txt = rsa.split('\n')[1];
    const strings = [...txt.matchAll(/"([^"]*)"/g)].map((m) => m[1]);
    expect(strings.length).toBe(2);
    expect(strings[0].length).toBe(255);
    const bad = await blaze(['dkim', 'gen', '-b', '512']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/^blaze: dkim: -b 512: RSA keys are 1024 to 4096 bits\n$/);
  });
});

describe('blaze dkim sign | verify', () => {
  it('ed25519 by seed and rsa by key file verify through --dns-static; the message follows byte for byte', async () => {
    const seed = (await readFile(join(FX, 'ed.seed'), 'utf8')).trim();
    const ed = await sign(['-s', 'ed', '-a', 'ed25519', '--seed', seed]);
    const original = (await readFile(MESSAGE, 'latin1')).replace(/\n/g, '\r\n');
    expect(ed.startsWith('DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed; d=example.org;')).toBe(true);
    expect(ed.endsWith(original)).toBe(true);
    for (const line of ed.slice(0, ed.length - original.length).split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
    const rsaSigned = await blaze(['dkim', 'sign', '-d', 'example.org', '-s', 'rsa', '-k', join(FX, 'rsa.pem'), '-c', 'simple/simple'], { input: ed });
    expect(rsaSigned.exitCode).toBe(0);
    const r = await verify([], rsaSigned.stdout);
    expect(r.stdout).toBe('[OK]: example.org\n[OK]: example.org\n');
    expect(r.exitCode).toBe(0);
  });
  it('-f, --oversign, -i, -l, --timestamp, --expire appear in the field', async () => {
    const out = await sign(['-s', 'rsa', '-k', join(FX, 'rsa.pem'), '-f', 'subject', '-f', 'sender', '--oversign', '-i', 'alice@example.org', '-l', '--expire', '1d']);
    const field = out.slice(0, out.indexOf('\r\nFrom:')).replace(/\r\n /g, ' ');
    const t = Date.parse(NOW) / 1000;
    expect(field).toContain(`i=alice@example.org; t=${t}; x=${t + 86400}; l=`);
    expect(field).toContain('h=from:from:subject:subject:sender:sender;');
    expect((await verify([], out)).stdout).toBe('[OK]: example.org\n');
  });
  it('--newline lf writes LF; a signature made from LF input verifies after conversion', async () => {
    const out = await sign(['-s', 'rsa', '-k', join(FX, 'rsa.pem'), '--newline', 'lf']);
    expect(out.includes('\r')).toBe(false);
    expect((await verify([], out)).exitCode).toBe(0);
  });
  it('a message over the memory threshold is spooled and comes out whole', async () => {
    const big = join(dir, 'big.eml');
    const line = 'x'.repeat(99) + '\n';
    await writeFile(big, `From: a@example.org\nSubject: big\n\n${line.repeat(100_000)}`);
    const r = await execa(BLAZE, ['dkim', 'sign', '-d', 'example.org', '-s', 'rsa', '-k', join(FX, 'rsa.pem')], { inputFile: big, encoding: 'buffer', reject: false, env: { TMPDIR: dir } });
    expect(r.exitCode).toBe(0);
    const out = Buffer.from(r.stdout);
    expect(out.length).toBeGreaterThan(10_100_000);
    const v = await verify([], out);
    expect(v.stdout).toBe('[OK]: example.org\n');
    // the spool file is gone
    expect((await readdir(dir)).filter((f) => f.startsWith('blaze-spool-'))).toEqual([]);
  });
  it('usage errors exit 2 with one line', async () => {
    for (const [args, re] of [
      [['dkim', 'sign', '-d', 'example.org', '-k', join(FX, 'rsa.pem'), MESSAGE], /required option '-s, --selector/],
      [['dkim', 'sign', '-s', 'x', '-d', 'example.org', MESSAGE], /no key/],
      [['dkim', 'sign', '-s', 'x', '-d', 'example.org', '-k', join(FX, 'rsa.pem'), '--hash', 'sha1', MESSAGE], /RFC 8301/],
      [['dkim', 'sign', '-s', 'x', '-d', 'example.org', '-k', join(FX, 'message.eml'), MESSAGE], /--key/],
      [['dkim', 'sign', '-s', 'x', '-d', 'example.org', '-k', join(FX, 'rsa.pem'), join(dir, 'missing.eml')], /missing\.eml: no such file/],
    ] as const) {
      const r = await blaze([...args]);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(re);
      expect(r.stderr.trimEnd().split('\n').length).toBe(1);
    }
    const nofrom = await blaze(['dkim', 'sign', '-s', 'rsa', '-d', 'example.org', '-k', join(FX, 'rsa.pem')], { input: 'To: a@b\n\nhi\n' });
    expect(nofrom.exitCode).toBe(2);
    expect(nofrom.stderr).toMatch(/^blaze: dkim: stdin: the message has no From field/);
  });
});

describe('blaze dkim verify: documented results and exit codes', () => {
  let signed: string;
  let dns: FakeDns;
  beforeAll(async () => {
    signed = await sign(['-s', 'rsa', '-k', join(FX, 'rsa.pem')]);
    dns = await startFakeDns({ 'rsa._domainkey.example.org': 'DROP' });
  });
  afterAll(async () => dns.close());

  it('tampered header: [ER] signature did not verify, exit 1', async () => {
    const r = await verify([], signed.replace('Subject: Quarterly', 'Subject: Monthly'));
    expect(r.stdout).toBe('[ER]: example.org (signature did not verify)\n');
    expect(r.exitCode).toBe(1);
  });
  it('tampered body: [ER] body hash did not verify, exit 1', async () => {
    const r = await verify([], signed.replace('Hello Bob', 'Hello Eve'));
    expect(r.stdout).toBe('[ER]: example.org (body hash did not verify)\n');
    expect(r.exitCode).toBe(1);
  });
  it('wrong key (-e with another key): exit 1', async () => {
    const r = await verify(['-e', `rsa:example.org:${join(FX, 'ed.pub')}`], signed);
    expect(r.stdout).toBe('[ER]: example.org (key is ed25519, signature is rsa-sha256)\n');
    expect(r.exitCode).toBe(1);
    const other = await blaze(['dkim', 'gen', '-b', '1024', '--seed', 'AAAA']);
    const pub = other.stdout.trimEnd().split('\n').pop()!.split(' ')[3];
    const r2 = await verify(['-e', `rsa:example.org:${pub}`], signed);
    expect(r2.stdout).toBe('[ER]: example.org (signature did not verify)\n');
    expect(r2.exitCode).toBe(1);
    const right = await verify(['-e', `rsa:example.org:${join(FX, 'rsa.pub')}`], signed);
    expect(right.stdout).toBe('[OK]: example.org\n');
  });
  it('expired signature: [EX], exit 1; fine before x=', async () => {
    const exp = await sign(['-s', 'rsa', '-k', join(FX, 'rsa.pem'), '--expire', '1h']);
    const later = await blaze(['dkim', 'verify', '--dns-static', DNS, '--offline', '--now', '2024-01-02T14:00:00Z'], { input: exp });
    expect(later.stdout).toBe('[EX]: example.org\n');
    expect(later.exitCode).toBe(1);
    expect((await verify([], exp)).stdout).toBe('[OK]: example.org\n');
  });
  it('truncated signature: [ER], exit 1', async () => {
    const cut = signed.replace(/(b=[\s\S]{30})[\s\S]*?(\r\nFrom:)/, '$1$2');
    expect(cut).not.toBe(signed);
    const r = await verify([], cut);
    expect(r.stdout).toMatch(/^\[ER\]: example\.org \(.+\)\n$/);
    expect(r.exitCode).toBe(1);
  });
  it('key record with t=y: [--] neutral, exit 0 (RFC 6376 §3.6.1)', async () => {
    const t = await sign(['-s', 'testing', '-k', join(FX, 'rsa.pem')]);
    const r = await verify([], t);
    expect(r.stdout).toBe('[--]: example.org (key in testing mode (t=y); the signature verifies)\n');
    expect(r.exitCode).toBe(0);
    const bad = await verify([], t.replace('Hello Bob', 'Hello Eve'));
    expect(bad.stdout).toBe('[--]: example.org (key in testing mode (t=y); the signature fails: body hash did not verify)\n');
    expect(bad.exitCode).toBe(0);
  });
  it('revoked key: exit 1', async () => {
    const r = await verify([], await sign(['-s', 'revoked', '-k', join(FX, 'rsa.pem')]));
    expect(r.stdout).toBe('[ER]: example.org (key revoked (empty p=))\n');
    expect(r.exitCode).toBe(1);
  });
  it('DNS timeout: temporary error, exit 75, after the --dns-timeout', async () => {
    const start = await startupMs(() => blaze(['dkim', 'verify', '--dns-static', DNS, '--offline', '--now', NOW], { input: signed }));
    const t0 = Date.now();
    const r = await blaze(['dkim', 'verify', '-n', dns.address, '--dns-timeout', '500ms', '--now', NOW], { input: signed, timeout: 20_000 });
    expect(r.stdout).toBe('[ER]: example.org (temporary error: key lookup failed (timeout))\n');
    expect(r.exitCode).toBe(75);
    expectEndedByTimeout(Date.now() - t0, 500, { startupMs: start, what: 'dkim verify' });
  });
  it('malformed header: exit 2, one line naming file and line', async () => {
    const f = join(dir, 'bad.eml');
    await writeFile(f, `${signed.split('\r\n\r\n')[0]}\r\nthis line has no colon\r\n\r\nbody\r\n`);
    const r = await verify([f]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^blaze: dkim verify: ${f.replace(/[.]/g, '\\.')}: line \\d+: header field without a colon\\n$`));
  });
  it('no signature: exit 1', async () => {
    const r = await verify([MESSAGE]);
    expect(r.stdout).toBe('no DKIM signature\n');
    expect(r.exitCode).toBe(1);
  });
  it('a batch: one block per file in input order, exit 1 if any fails; --json', async () => {
    const good = join(dir, 'good.eml');
    const bad = join(dir, 'tampered.eml');
    await writeFile(good, signed);
    await writeFile(bad, signed.replace('Hello Bob', 'Hello Eve'));
    const r = await verify([good, bad, good]);
    expect(r.stdout).toBe(`${good}:\n[OK]: example.org\n\n${bad}:\n[ER]: example.org (body hash did not verify)\n\n${good}:\n[OK]: example.org\n`);
    expect(r.exitCode).toBe(1);
    const j = await verify(['--json', good, bad]);
    const doc = JSON.parse(j.stdout);
    expect(doc.files.map((f: { file: string; signatures: Array<{ status: string }> }) => [f.file, f.signatures.map((s) => s.status)])).toEqual([[good, ['pass']], [bad, ['fail']]]);
    expect(doc.files[0].signatures[0]).toMatchObject({ domain: 'example.org', selector: 'rsa', algorithm: 'rsa-sha256', canonicalization: 'relaxed/relaxed', fields: ['from', 'from', 'subject', 'date', 'message-id', 'to', 'mime-version', 'content-type'], expired: false, testing: false });
    expect((await verify(['-q', good])).stdout).toBe('');
  });
  it('a batch split across worker threads prints what one thread prints, in input order', async () => {
    const good = join(dir, 'good.eml');
    const bad = join(dir, 'tampered.eml');
    await writeFile(good, signed);
    await writeFile(bad, signed.replace('Hello Bob', 'Hello Eve'));
    const files = Array.from({ length: 41 }, (_, i) => (i % 7 === 3 ? bad : good)).concat([join(dir, 'missing.eml')]);
    const one = await blaze(['dkim', 'verify', '--dns-static', DNS, '--offline', '--now', NOW, ...files], { env: { BLAZE_WORKERS: '1' } });
    const three = await blaze(['dkim', 'verify', '--dns-static', DNS, '--offline', '--now', NOW, ...files], { env: { BLAZE_WORKERS: '3' } });
    expect(one.stdout.split('[OK]').length - 1).toBe(35);
    expect(one.stdout.split('[ER]').length - 1).toBe(6);
    expect(three.stdout).toBe(one.stdout);
    expect(three.stderr).toBe(one.stderr);
    expect(three.stderr).toMatch(/missing\.eml: no such file or directory/);
    expect([one.exitCode, three.exitCode]).toEqual([2, 2]);
    const traced = await blaze(['dkim', 'verify', '-v', '--dns-static', DNS, '--offline', '--now', NOW, ...files], { env: { BLAZE_WORKERS: '3' } });
    expect(traced.stderr).toContain('blaze: dkim verify: 42 files across 3 threads\n');
    expect(traced.stdout).toBe(one.stdout);
  });
  it('--files-from FILE|- (--null for NUL-separated names): the same batch as the arguments, in the same order', async () => {
    const good = join(dir, 'good.eml');
    const bad = join(dir, 'tampered.eml');
    await writeFile(good, signed);
    await writeFile(bad, signed.replace('Hello Bob', 'Hello Eve'));
    const args = await verify([good, bad, good]);
    const list = join(dir, 'list.txt');
    await writeFile(list, `${bad}\r\n${good}\n`);
    const fromFile = await verify(['--files-from', list, good]);
    expect(fromFile.stdout).toBe(`${good}:\n[OK]: example.org\n\n${bad}:\n[ER]: example.org (body hash did not verify)\n\n${good}:\n[OK]: example.org\n`);
    expect(fromFile.stdout).toBe(args.stdout); // the arguments first, then the list
    const fromStdin = await verify(['--files-from', '-', '--null'], `${good}\0${bad}\0${good}\0`);
    expect(fromStdin.stdout).toBe(args.stdout);
    expect(fromStdin.exitCode).toBe(1);
    const json = await verify(['--json', '--files-from', '-'], `${good}\n${bad}\n`);
    expect(JSON.parse(json.stdout).files.map((f: { file: string }) => f.file)).toEqual([good, bad]);
    const twice = await verify(['--files-from', '-', '-'], `${good}\n`);
    expect(twice.exitCode).toBe(2);
    expect(twice.stderr).toBe('blaze: dkim: stdin can be read only once\n');
  });
  it('--json with no input named in --files-from is an empty list', async () => {
    const empty = await verify(['--json', '--files-from', '-'], '');
    expect(empty.stdout).toBe('{\n  "files": []\n}\n');
    expect(empty.exitCode).toBe(0);
  });
});
