// dkim gen's outputs and key files, dkim sign's key checks and field choice,
// dkim verify --fields: the built binary, as a shell runs it. Terminal cases
// run under script(1), which gives the command a pseudo-terminal.
import { describe, expect, it, beforeAll } from 'vitest';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { chmod, lstat, mkdtemp, readFile, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BLAZE = fileURLToPath(new URL('../../bin/blaze', import.meta.url));
const FX = fileURLToPath(new URL('../../fixtures/dkim/', import.meta.url));
const DNS = join(FX, 'dns');
const MESSAGE = join(FX, 'message.eml');
const NOW = '2024-01-02T12:00:00Z';

const blaze = (args: string[], opts: Record<string, unknown> = {}) =>
  execa(BLAZE, args, { reject: false, stripFinalNewline: false, env: { BLAZE_DNS_STATIC: '' }, cwd: dir, ...opts });
/** Runs a shell command line on a pseudo-terminal; what the terminal showed (stdout and stderr together). */
const onTerminal = (line: string) => execa('script', ['-qec', line, '/dev/null'], { reject: false, cwd: dir, env: { TERM: 'dumb' } });

let dir: string;
let edSeed: string;
let edPub: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'blaze-cli-dkim-keys-'));
  edSeed = (await readFile(join(FX, 'ed.seed'), 'utf8')).trim();
  edPub = (await readFile(join(FX, 'ed.gen.txt'), 'utf8')).trimEnd().split('\n').pop()!.split(' ')[3];
});

describe('dkim gen: what goes where (issue 15 item 9, issue 16)', () => {
  it('--seed S FILE: the public key into FILE, only the seed line printed (cut -d" " -f3 gives the seed)', async () => {
    const r = await blaze(['dkim', 'gen', '-a', 'ed25519', '--seed', edSeed, 'ed.pub.pem']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(`seed is ${edSeed}\n`);
    const cut = await execa('sh', ['-c', `${BLAZE} dkim gen -a ed25519 --seed ${edSeed} ed2.pem | cut -d' ' -f3`], { cwd: dir });
    expect(cut.stdout).toBe(edSeed);
    // the file holds the key the seed gives: the same one dkim gen prints without a file (committed in fixtures)
    const der = createPublicKey(await readFile(join(dir, 'ed.pub.pem'), 'utf8')).export({ format: 'der', type: 'spki' });
    expect(der.subarray(-32).toString('base64')).toBe(edPub);
  });
  it('--seed S without a file: both lines, as before', async () => {
    const r = await blaze(['dkim', 'gen', '-a', 'ed25519', '--seed', edSeed]);
    expect(r.stdout).toBe(`seed is ${edSeed}\npublic key is ${edPub}\n`);
  });
  it('--seed -: the seed read from stdin (a bare seed or the seed line)', async () => {
    const bare = await blaze(['dkim', 'gen', '-a', 'ed25519', '--seed', '-'], { input: `${edSeed}\n` });
    expect(bare.stdout).toBe(`seed is ${edSeed}\npublic key is ${edPub}\n`);
    const line = await blaze(['dkim', 'gen', '-a', 'ed25519', '--seed', '-'], { input: `seed is ${edSeed}\n` });
    expect(line.stdout).toBe(bare.stdout);
  });
  it('- as OUTPUT: the public key PEM on stdout, no file named "-"', async () => {
    const r = await blaze(['dkim', 'gen', '-a', 'ed25519', '--seed', edSeed, '-s', 'ed', '-d', 'example.org', '-']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+-----END PUBLIC KEY-----\n$/);
    expect(createPublicKey(r.stdout).export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64')).toBe(edPub);
    // stdout is the PEM alone: the TXT record goes to stderr
    expect(r.stderr).toMatch(/^ed\._domainkey\.example\.org\. IN TXT "v=DKIM1; k=ed25519; p=/);
    expect((await readdir(dir)).includes('-')).toBe(false);
  });
  it('--private-key -: the private key PEM on stdout (a pipe), then - for the public one', async () => {
    const r = await blaze(['dkim', 'gen', '-a', 'ed25519', '--seed', edSeed, '--private-key', '-', '-']);
    expect(r.exitCode).toBe(0);
    const [priv, pub] = r.stdout.split(/(?<=-----END PRIVATE KEY-----\n)/);
    expect(createPublicKey(createPrivateKey(priv)).export({ format: 'pem', type: 'spki' })).toBe(pub);
    expect((await readdir(dir)).includes('-')).toBe(false);
  });
  it('without --seed and --private-key: a "private key is" line that dkim sign -k takes, matching "public key is"', async () => {
    for (const alg of ['rsa', 'ed25519']) {
      const r = await blaze(['dkim', 'gen', '-a', alg]);
      expect(r.exitCode).toBe(0);
      const [privLine, pubLine] = r.stdout.trimEnd().split('\n');
      expect(privLine).toMatch(/^private key is [A-Za-z0-9+/=]+$/);
      const signed = await blaze(['dkim', 'sign', '-a', alg, '-s', 's', '-d', 'example.org', '-k', privLine.split(' ')[3], MESSAGE]);
      expect(signed.exitCode).toBe(0);
      const v = await blaze(['dkim', 'verify', '--offline', '-e', `s:example.org:${pubLine.split(' ')[3]}`], { input: signed.stdout });
      expect(v.stdout).toBe('[OK]: example.org\n');
    }
  });
  it('a key that would be lost is refused: no --private-key with OUTPUT -, or with -q', async () => {
    for (const args of [['-'], ['-q']]) {
      const r = await blaze(['dkim', 'gen', '-a', 'ed25519', ...args]);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(/the new private key would be lost/);
      expect(r.stdout).toBe('');
    }
  });
  it('a private key on a terminal needs --force', async () => {
    const line = await onTerminal(`${BLAZE} dkim gen -a ed25519`);
    expect(line.exitCode).toBe(2);
    expect(line.stdout).toMatch(/refusing to print a private key on a terminal/);
    expect(line.stdout).not.toMatch(/private key is/);
    const pem = await onTerminal(`${BLAZE} dkim gen -a ed25519 --private-key -`);
    expect(pem.exitCode).toBe(2);
    expect(pem.stdout).not.toMatch(/BEGIN PRIVATE KEY/);
    const forced = await onTerminal(`${BLAZE} dkim gen -a ed25519 --private-key - --force`);
    expect(forced.exitCode).toBe(0);
    expect(forced.stdout).toMatch(/-----BEGIN PRIVATE KEY-----/);
    // a seed line is the user's own seed back: printed without --force
    const seeded = await onTerminal(`${BLAZE} dkim gen -a ed25519 --seed ${edSeed}`);
    expect(seeded.exitCode).toBe(0);
    expect(seeded.stdout).toContain(`seed is ${edSeed}`);
  });
  it('on a terminal: a spinner while node:crypto makes an RSA key; seeded RSA says it is slow; nothing of it when piped', async () => {
    const fresh = await onTerminal(`${BLAZE} dkim gen --private-key k-spin.pem > /dev/null`);
    expect(fresh.exitCode).toBe(0);
    expect(fresh.stdout).toContain('generating a 2048-bit RSA key');
    const seeded = await onTerminal(`${BLAZE} dkim gen -b 1024 --seed AAAA > /dev/null`);
    expect(seeded.stdout).toMatch(/deriving a 1024-bit RSA key from the seed: pure JavaScript, this takes seconds/);
    const piped = await blaze(['dkim', 'gen', '-b', '1024', '--seed', 'AAAA']);
    expect(piped.stderr).toBe('');
  });
});

describe('dkim gen --private-key FILE: only for its owner (issue 14 item 10)', () => {
  const mode = async (f: string) => (await stat(join(dir, f))).mode & 0o777;
  it('a new file is created 0600', async () => {
    const r = await blaze(['dkim', 'gen', '-a', 'ed25519', '--private-key', 'new.key']);
    expect(r.exitCode).toBe(0);
    expect(await mode('new.key')).toBe(0o600);
  });
  it('an existing file with a wider mode is narrowed to 0600 (and said so) before the key is written', async () => {
    await writeFile(join(dir, 'lax.key'), 'old content');
    await chmod(join(dir, 'lax.key'), 0o666);
    const r = await blaze(['dkim', 'gen', '-a', 'ed25519', '--private-key', 'lax.key']);
    expect(r.exitCode).toBe(0);
    expect(await mode('lax.key')).toBe(0o600);
    expect(r.stderr).toBe('blaze: dkim gen: lax.key: was mode 0666, now 0600\n');
    expect(await readFile(join(dir, 'lax.key'), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n[^]*-----END PRIVATE KEY-----\n$/);
  });
  it('a symbolic link is refused, and its target left alone', async () => {
    await writeFile(join(dir, 'target.txt'), 'do not touch\n');
    await chmod(join(dir, 'target.txt'), 0o644);
    await symlink(join(dir, 'target.txt'), join(dir, 'link.key'));
    const r = await blaze(['dkim', 'gen', '-a', 'ed25519', '--private-key', 'link.key']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/link\.key: is a symbolic link/);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(await readFile(join(dir, 'target.txt'), 'utf8')).toBe('do not touch\n');
    expect(await mode('target.txt')).toBe(0o644);
    expect((await lstat(join(dir, 'link.key'))).isSymbolicLink()).toBe(true);
  });
  it('OUTPUT and --private-key naming the same file is refused', async () => {
    const r = await blaze(['dkim', 'gen', '-a', 'ed25519', '--private-key', 'same.pem', 'same.pem']);
    expect(r.exitCode).toBe(2);
  });
});

describe('dkim sign: keys and fields', () => {
  it('refuses an RSA key under 1024 bits unless --allow-weak-keys (RFC 8301 §3.2)', async () => {
    const weak = generateKeyPairSync('rsa', { modulusLength: 512 });
    await writeFile(join(dir, 'weak.pem'), weak.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string);
    const r = await blaze(['dkim', 'sign', '-s', 'weak', '-d', 'example.org', '-k', 'weak.pem', MESSAGE]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/512 bits: RFC 8301 forbids keys under 1024 bits \(add --allow-weak-keys/);
    expect(r.stdout).toBe('');
    const ok = await blaze(['dkim', 'sign', '--allow-weak-keys', '-s', 'weak', '-d', 'example.org', '-k', 'weak.pem', MESSAGE]);
    expect(ok.exitCode).toBe(0);
    expect(ok.stdout).toMatch(/^DKIM-Signature: /);
  });
  it('-k - reads the key from stdin; with the message on stdin too it is refused', async () => {
    const key = await readFile(join(FX, 'rsa.pem'), 'utf8');
    const r = await blaze(['dkim', 'sign', '-s', 'rsa', '-d', 'example.org', '-k', '-', MESSAGE], { input: key });
    expect(r.exitCode).toBe(0);
    const v = await blaze(['dkim', 'verify', '--dns-static', DNS, '--offline', '--now', NOW], { input: r.stdout });
    expect(v.stdout).toBe('[OK]: example.org\n');
    const twice = await blaze(['dkim', 'sign', '-s', 'rsa', '-d', 'example.org', '-k', '-'], { input: key });
    expect(twice.exitCode).toBe(2);
    expect(twice.stderr).toMatch(/stdin can be read only once/);
  });
  it('default: the fields of dkimpy\'s set that are present, From listed once more; --no-oversign and --oversign', async () => {
    const h = (out: string) => /h=([^;]+);/.exec(out.replace(/\r\n /g, ' '))![1].replace(/\s+/g, '');
    const def = await blaze(['dkim', 'sign', '-s', 'rsa', '-d', 'example.org', '-k', join(FX, 'rsa.pem'), MESSAGE]);
    // the fixture has From, To, Subject, Date, Message-ID, MIME-Version, Content-Type
    expect(h(def.stdout)).toBe('from:from:subject:date:message-id:to:mime-version:content-type');
    const none = await blaze(['dkim', 'sign', '--no-oversign', '-s', 'rsa', '-d', 'example.org', '-k', join(FX, 'rsa.pem'), MESSAGE]);
    expect(h(none.stdout)).toBe('from:subject:date:message-id:to:mime-version:content-type');
    const all = await blaze(['dkim', 'sign', '--oversign', '-s', 'rsa', '-d', 'example.org', '-k', join(FX, 'rsa.pem'), MESSAGE]);
    expect(h(all.stdout)).toBe('from:from:subject:subject:date:date:message-id:message-id:to:to:mime-version:mime-version:content-type:content-type');
    const added = Buffer.concat([Buffer.from('From: ceo@example.org\r\n'), Buffer.from(def.stdout)]);
    const v = await blaze(['dkim', 'verify', '--dns-static', DNS, '--offline', '--now', NOW], { input: added });
    expect(v.stdout).toBe('[ER]: example.org (signature did not verify)\n');
  });
  it('-f received -f received signs two instances: the two bottom ones (RFC 6376 §5.4.2); the top one stays unsigned', async () => {
    const msg = 'Received: from c by d; Tue, 02 Jan 2024 10:00:03 +0000\nReceived: from b by c; Tue, 02 Jan 2024 10:00:02 +0000\nReceived: from a by b; Tue, 02 Jan 2024 10:00:01 +0000\n' + (await readFile(MESSAGE, 'utf8'));
    const r = await blaze(['dkim', 'sign', '-s', 'rsa', '-d', 'example.org', '-k', join(FX, 'rsa.pem'), '-f', 'received', '-f', 'received'], { input: msg });
    expect(r.exitCode).toBe(0);
    const fields = await blaze(['dkim', 'verify', '--fields', '--dns-static', DNS, '--offline', '--now', NOW], { input: r.stdout });
    expect(fields.stdout).toBe('from\nfrom\nreceived\nreceived\n');
    expect(fields.exitCode).toBe(0);
    const verify = (m: string) => blaze(['dkim', 'verify', '--dns-static', DNS, '--offline', '--now', NOW], { input: m });
    expect((await verify(r.stdout.replace('from c by d', 'from x by d'))).stdout).toBe('[OK]: example.org\n');
    expect((await verify(r.stdout.replace('from b by c', 'from x by c'))).stdout).toBe('[ER]: example.org (signature did not verify)\n');
  });
});

describe('dkim verify --fields (issue 15 item 10)', () => {
  it('prints the signed field names one per line in h= order, a blank line between signatures; --json keeps the full view', async () => {
    const first = await blaze(['dkim', 'sign', '-s', 'rsa', '-d', 'example.org', '-k', join(FX, 'rsa.pem'), '-f', 'subject', '-f', 'to', '--no-oversign', MESSAGE]);
    const second = await blaze(['dkim', 'sign', '-s', 'ed', '-a', 'ed25519', '-d', 'example.org', '--seed', edSeed, '-f', 'date'], { input: first.stdout });
    const r = await blaze(['dkim', 'verify', '--fields', '--dns-static', DNS, '--offline', '--now', NOW], { input: second.stdout });
    expect(r.stdout).toBe('from\nfrom\ndate\n\nfrom\nsubject\nto\n');
    expect(r.exitCode).toBe(0);
    const j = await blaze(['dkim', 'verify', '--json', '--dns-static', DNS, '--offline', '--now', NOW], { input: second.stdout });
    expect(JSON.parse(j.stdout).files[0].signatures.map((s: { status: string; fields: string[] }) => [s.status, s.fields])).toEqual([
      ['pass', ['from', 'from', 'date']],
      ['pass', ['from', 'subject', 'to']],
    ]);
  });
});
