// Interop with Debian's python3-dkim (dkimpy): what blaze signs verifies in
// dkimpy (keys given through its dnsfunc, read from the same --dns-static
// files), and what dkimpy signs verifies in blaze. A missing peer fails.
import { describe, expect, it, beforeAll } from 'vitest';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createPrivateKey } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BLAZE = fileURLToPath(new URL('../../bin/blaze', import.meta.url));
const FX = fileURLToPath(new URL('../../fixtures/dkim/', import.meta.url));
const DNS = join(FX, 'dns');
const PY = '/usr/bin/python3';
const DKIMSIGN = '/usr/bin/dkimsign';
const NOW = '2024-01-02T12:00:00Z';

// Verifies every file given, keys read from the --dns-static directory; prints one JSON list of booleans.
const PY_VERIFY = `
import sys, json, os, dkim
dnsdir = sys.argv[1]
def dnsfunc(name, timeout=5):
    n = name.decode() if isinstance(name, bytes) else name
    p = os.path.join(dnsdir, n.rstrip('.') + '.dns')
    if not os.path.exists(p): return None
    for line in open(p):
        if line.startswith('txt:'): return line[4:].rstrip('\\r\\n').encode()
    return None
print(json.dumps([bool(dkim.verify(open(f, 'rb').read(), dnsfunc=dnsfunc)) for f in sys.argv[2:]]))
`;

// Signs stdin with dkimpy: argv selector domain keyfile hcanon bcanon signalg length(0/1)
const PY_SIGN = `
import sys, dkim
sel, dom, keyfile, hc, bc, alg, length = sys.argv[1:8]
msg = sys.stdin.buffer.read()
sig = dkim.sign(msg, sel.encode(), dom.encode(), open(keyfile, 'rb').read(), canonicalize=(hc.encode(), bc.encode()), signature_algorithm=alg.encode(), length=length == '1')
sys.stdout.buffer.write(sig + msg)
`;

/** Canonical body bytes (dkimpy's relaxed canonicalisation) past the l= of the message on stdin. */
const PY_UNSIGNED = `
import sys, re
from dkim.canonicalization import Relaxed
m = sys.stdin.buffer.read()
l = int(re.search(rb'\\bl=(\\d+)', m).group(1))
print(len(Relaxed.canonicalize_body(m.split(b'\\r\\n\\r\\n', 1)[1])) - l)
`;

let dir: string;
let message: Buffer;
let edRawKey: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'blaze-interop-dkimpy-'));
  message = Buffer.from((await readFile(join(FX, 'message.eml'), 'latin1')).replace(/\n/g, '\r\n'), 'latin1');
  // dkimpy reads an Ed25519 private key as its base64 32-byte seed (dknewkey's format).
  const der = createPrivateKey(await readFile(join(FX, 'ed.pem'))).export({ format: 'der', type: 'pkcs8' });
  edRawKey = join(dir, 'ed.key');
  await writeFile(edRawKey, der.subarray(der.length - 32).toString('base64'));
});

describe('dkimpy peer', () => {
  it('is installed (python3-dkim: /usr/bin/python3 -c "import dkim", /usr/bin/dkimsign)', async () => {
    expect(existsSync(PY)).toBe(true);
    expect(existsSync(DKIMSIGN)).toBe(true);
    const r = await execa(PY, ['-c', 'import dkim; print("ok")'], { reject: false });
    expect(r.stdout).toBe('ok');
  });
});

describe('blaze signs, dkimpy verifies', () => {
  it('rsa and ed25519, simple and relaxed, with and without l=', async () => {
    const files: string[] = [];
    const labels: string[] = [];
    for (const [sel, keyArgs] of [['rsa', ['-k', join(FX, 'rsa.pem')]], ['ed', ['-k', join(FX, 'ed.pem')]]] as const) {
      for (const c of ['simple/simple', 'relaxed/relaxed', 'relaxed/simple', 'simple/relaxed']) {
        for (const l of [false, true]) {
          const r = await execa(BLAZE, ['dkim', 'sign', '-s', sel, '-d', 'example.org', ...keyArgs, '-c', c, ...(l ? ['-l'] : []), '--timestamp', '--now', NOW], { input: message, encoding: 'buffer', reject: false });
          expect(r.exitCode).toBe(0);
          const f = join(dir, `blaze-${sel}-${c.replace('/', '-')}-${l ? 'l' : 'nol'}.eml`);
          await writeFile(f, r.stdout);
          files.push(f);
          labels.push(`${sel} ${c}${l ? ' l=' : ''}`);
        }
      }
    }
    const v = await execa(PY, ['-c', PY_VERIFY, DNS, ...files], { reject: false });
    expect(v.stderr).toBe('');
    const ok = JSON.parse(v.stdout) as boolean[];
    expect(Object.fromEntries(labels.map((l, i) => [l, ok[i]]))).toEqual(Object.fromEntries(labels.map((l) => [l, true])));
    // and dkimpy rejects a tampered one (so the check above means something)
    const bad = join(dir, 'tampered.eml');
    await writeFile(bad, (await readFile(files[0], 'latin1')).replace('Hello Bob', 'Hello Eve'), 'latin1');
    const v2 = await execa(PY, ['-c', PY_VERIFY, DNS, bad], { reject: false });
    expect(JSON.parse(v2.stdout)).toEqual([false]);
  });
});

describe('the default signed fields are dkimpy\'s, From oversigned', () => {
  // every field of dkimpy's DKIM.SHOULD set, some twice, and fields it does not sign
  const FULL = [
    'Received: from a.example.net by b.example.org; Tue, 02 Jan 2024 10:00:02 +0000',
    'Return-Path: <alice@example.org>',
    'From: Alice <alice@example.org>', 'Sender: list@example.org', 'Reply-To: alice@example.org', 'Subject: Quarterly report',
    'Date: Tue, 02 Jan 2024 10:00:00 +0000', 'Message-ID: <report-1@example.org>', 'To: Bob <bob@example.net>', 'Cc: carol@example.net',
    'Cc: dave@example.net', 'Bcc: eve@example.net', 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 7bit', 'Content-ID: <body@example.org>', 'Content-Description: the report',
    'Resent-Date: Tue, 02 Jan 2024 11:00:00 +0000', 'Resent-From: bob@example.net', 'Resent-Sender: bob@example.net',
    'Resent-To: frank@example.net', 'Resent-Cc: grace@example.net', 'Resent-Message-ID: <resent-1@example.net>',
    'In-Reply-To: <q3@example.org>', 'References: <q3@example.org>', 'List-Id: <reports.example.org>', 'List-Help: <mailto:help@example.org>',
    'List-Unsubscribe: <mailto:leave@example.org>', 'List-Subscribe: <mailto:join@example.org>', 'List-Post: <mailto:reports@example.org>',
    'List-Owner: <mailto:owner@example.org>', 'List-Archive: <https://example.org/archive>', 'X-Mailer: something', 'Keywords: report',
    '', 'Hello Bob,', '',
  ].join('\r\n');
  // dkimpy's own choice for the same message: DKIM.default_sign_headers()
  const PY_DEFAULT = `
import sys, dkim
d = dkim.DKIM(sys.stdin.buffer.read())
print(':'.join(h.decode().lower() for h in d.default_sign_headers()))
`;
  it('dkim sign: h= names the same fields as dkimpy\'s default_sign_headers, each instance, From once more; dkimpy verifies it', async () => {
    const py = await execa(PY, ['-c', PY_DEFAULT], { input: FULL });
    const theirs = py.stdout.trim().split(':');
    const r = await execa(BLAZE, ['dkim', 'sign', '-s', 'rsa', '-d', 'example.org', '-k', join(FX, 'rsa.pem')], { input: FULL, encoding: 'buffer', reject: false });
    expect(r.exitCode).toBe(0);
    const signed = Buffer.from(r.stdout);
    const h = /h=([^;]+);/.exec(signed.toString('latin1').split('\r\nReceived:')[0].replace(/\r\n[ \t]+/g, ' '))![1].replace(/\s+/g, '').split(':');
    const count = (list: string[]) => list.reduce((m, n) => m.set(n, (m.get(n) ?? 0) + 1), new Map<string, number>());
    expect(Object.fromEntries(count(h))).toEqual(Object.fromEntries(count(theirs)));
    expect(count(h).get('from')).toBe(2);
    expect(count(h).get('cc')).toBe(2);
    for (const never of ['received', 'return-path', 'bcc', 'x-mailer', 'keywords']) expect(h).not.toContain(never);
    const f = join(dir, 'default-set.eml');
    await writeFile(f, signed);
    const v = await execa(PY, ['-c', PY_VERIFY, DNS, f], { reject: false });
    expect(JSON.parse(v.stdout)).toEqual([true]);
  });
  it('dkim sign -f received -f received: two Received fields signed, as the original; dkimpy verifies', async () => {
    const msg = `Received: from c by d; Tue, 02 Jan 2024 10:00:03 +0000\r\n${FULL}`;
    const r = await execa(BLAZE, ['dkim', 'sign', '-s', 'rsa', '-d', 'example.org', '-k', join(FX, 'rsa.pem'), '-f', 'received', '-f', 'received'], { input: msg, encoding: 'buffer' });
    const signed = Buffer.from(r.stdout);
    expect(signed.toString('latin1').replace(/\r\n[ \t]+/g, ' ')).toMatch(/h=from:from:received:received;/);
    const f = join(dir, 'two-received.eml');
    await writeFile(f, signed);
    const v = await execa(PY, ['-c', PY_VERIFY, DNS, f], { reject: false });
    expect(JSON.parse(v.stdout)).toEqual([true]);
  });
});

describe('dkimpy signs, blaze verifies', () => {
  it('dkimsign (rsa-sha256, ed25519-sha256; relaxed/simple default and simple/relaxed)', async () => {
    for (const [sel, key, alg] of [['rsa', join(FX, 'rsa.pem'), 'rsa-sha256'], ['ed', edRawKey, 'ed25519-sha256']] as const) {
      for (const [hc, bc] of [['relaxed', 'simple'], ['simple', 'relaxed'], ['relaxed', 'relaxed'], ['simple', 'simple']]) {
        const s = await execa(DKIMSIGN, ['--hcanon', hc, '--bcanon', bc, '--signalg', alg, sel, 'example.org', key], { input: message, encoding: 'buffer', reject: false });
        expect(Buffer.from(s.stderr).toString()).toBe('');
        const signed = Buffer.from(s.stdout);
        expect(signed.subarray(0, 15).toString()).toBe('DKIM-Signature:');
        const v = await execa(BLAZE, ['dkim', 'verify', '--dns-static', DNS, '--offline', '--json'], { input: signed, reject: false });
        const sig = JSON.parse(v.stdout).files[0].signatures[0];
        expect([alg, hc, bc, sig.status, sig.algorithm, sig.canonicalization]).toEqual([alg, hc, bc, 'pass', alg, `${hc}/${bc}`]);
        expect(v.exitCode).toBe(0);
      }
    }
  });
  it('dkim.sign with l= (rsa and ed25519): passes, and still passes with text appended', async () => {
    for (const [sel, key, alg] of [['rsa', join(FX, 'rsa.pem'), 'rsa-sha256'], ['ed', edRawKey, 'ed25519-sha256']] as const) {
      const s = await execa(PY, ['-c', PY_SIGN, sel, 'example.org', key, 'relaxed', 'relaxed', alg, '1'], { input: message, encoding: 'buffer', reject: false });
      expect(Buffer.from(s.stderr).toString()).toBe('');
      const signed = Buffer.from(s.stdout);
      const appended = Buffer.concat([signed, Buffer.from('appended by a list\r\n')]);
      // The bytes after l=, by dkimpy's own relaxed body canonicalisation: a pass that says so (RFC 6376 §8.2).
      const count = await execa(PY, ['-c', PY_UNSIGNED], { input: appended, reject: false });
      expect(count.stderr).toBe('');
      const unsigned = Number(count.stdout.trim());
      expect(unsigned).toBeGreaterThan(20);
      const v = await execa(BLAZE, ['dkim', 'verify', '--dns-static', DNS, '--offline'], { input: appended, reject: false, stripFinalNewline: false });
      expect(v.stdout).toBe(`[OK]: example.org (${unsigned} unsigned bytes after l=)\n`);
      expect(v.exitCode).toBe(0);
      const strict = await execa(BLAZE, ['dkim', 'verify', '--dns-static', DNS, '--offline', '--strict'], { input: appended, reject: false, stripFinalNewline: false });
      expect(strict.stdout).toBe(`[ER]: example.org (${unsigned} unsigned bytes after l= (strict))\n`);
      expect(strict.exitCode).toBe(1);
      const tampered = Buffer.from(signed.toString('latin1').replace('Hello Bob', 'Hello Eve'), 'latin1');
      const t = await execa(BLAZE, ['dkim', 'verify', '--dns-static', DNS, '--offline'], { input: tampered, reject: false, stripFinalNewline: false });
      expect(t.stdout).toBe('[ER]: example.org (body hash did not verify)\n');
      expect(t.exitCode).toBe(1);
    }
  });
});
