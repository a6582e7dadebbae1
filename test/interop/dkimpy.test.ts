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
      const v = await execa(BLAZE, ['dkim', 'verify', '--dns-static', DNS, '--offline'], { input: Buffer.concat([signed, Buffer.from('appended by a list\r\n')]), reject: false, stripFinalNewline: false });
      expect(v.stdout).toBe('[OK]: example.org\n');
      const tampered = Buffer.from(signed.toString('latin1').replace('Hello Bob', 'Hello Eve'), 'latin1');
      const t = await execa(BLAZE, ['dkim', 'verify', '--dns-static', DNS, '--offline'], { input: tampered, reject: false, stripFinalNewline: false });
      expect(t.stdout).toBe('[ER]: example.org (body hash did not verify)\n');
      expect(t.exitCode).toBe(1);
    }
  });
});
