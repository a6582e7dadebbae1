// ARC interop with dkimpy (Debian python3-dkim 1.1.4): dkimpy's verifier
// accepts chains that `blaze arc sign` extends, and `blaze arc verify` accepts
// what `/usr/bin/arcsign` produces. Keys: the project's own RSA key
// (fixtures/arc/key.pem, record in fixtures/arc/dns), answered to
// dkimpy through dnsfunc. A missing peer is a failure, not a skip.
import { beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { access, readFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { fileURLToPath } from 'node:url';

const BLAZE = fileURLToPath(new URL('../../bin/blaze', import.meta.url));
const FIX = fileURLToPath(new URL('../../fixtures/arc/', import.meta.url));
const PYTHON = '/usr/bin/python3';
const ARCSIGN = '/usr/bin/arcsign';
const DNS = ['--offline', '--dns-static', `${FIX}dns`];
const blaze = (args: string[], input?: Buffer | string) => execa(BLAZE, args, { reject: false, stripFinalNewline: false, encoding: 'buffer', input });

/** dkimpy's chain verdict for a message, keys from the fixture zone. */
async function dkimpyVerify(message: Buffer): Promise<{ cv: string; reason: string }> {
  const record = (await readFile(`${FIX}dns/dummy._domainkey.example.org.dns`, 'utf8')).trim().replace(/^txt:/, '');
  const script = `
import dkim, sys, json
rec = sys.argv[1].encode()
def dnsfunc(name, timeout=5):
    return rec if name == b'dummy._domainkey.example.org.' or name == b'dummy._domainkey.example.org' else None
msg = sys.stdin.buffer.read()
cv, results, reason = dkim.arc_verify(msg, dnsfunc=dnsfunc)
print(json.dumps({'cv': cv.decode(), 'reason': reason}))
`;
  const r = await execa(PYTHON, ['-c', script, record], { input: message, reject: false });
  if (r.exitCode !== 0) throw new Error(`dkimpy: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

async function arcsign(message: Buffer): Promise<Buffer> {
  const r = await execa(ARCSIGN, ['dummy', 'example.org', `${FIX}key.pem`, 'lists.example.org'], { input: message, encoding: 'buffer', reject: false });
  if (r.exitCode !== 0) throw new Error(`arcsign: ${Buffer.from(r.stderr).toString()}`);
  return Buffer.from(r.stdout);
}

const SIGN = ['arc', 'sign', ...DNS, '-k', `${FIX}key.pem`, '-s', 'dummy', '-h', 'example.org'];
const BASE = 'From: John Q Doe <jqd@d1.example.org>\r\nTo: arc@dmarc.org\r\nSubject: interop\r\nDate: Thu, 14 Jan 2015 15:00:01 -0800\r\nMessage-ID: <interop@d1.example.org>\r\nMIME-Version: 1.0\r\n\r\nHey gang,\r\nThis is a test message.\r\n';

describe('ARC interop with dkimpy', () => {
  beforeAll(async () => {
    for (const p of [PYTHON, ARCSIGN]) await access(p, constants.X_OK);
    const r = await execa(PYTHON, ['-c', 'import dkim, authres'], { reject: false });
    expect(r.exitCode, 'python3-dkim and python3-authres must be installed').toBe(0);
  });

  it('dkimpy accepts the chains blaze arc sign makes (i=1, then i=2, then i=3 on the fixture chain)', async () => {
    const one = await blaze([...SIGN, '-'], BASE);
    expect(one.exitCode).toBe(0);
    expect(await dkimpyVerify(Buffer.from(one.stdout))).toMatchObject({ cv: 'pass' });
    const two = await blaze([...SIGN, '-'], Buffer.from(one.stdout));
    expect(await dkimpyVerify(Buffer.from(two.stdout))).toMatchObject({ cv: 'pass' });
    const three = await blaze([...SIGN, `${FIX}i2-pass.eml`]);
    expect(await dkimpyVerify(Buffer.from(three.stdout))).toMatchObject({ cv: 'pass' });
    // A changed body breaks it for both.
    const changed = Buffer.from(Buffer.from(two.stdout).toString('latin1').replace('This is a test', 'This is a changed'), 'latin1');
    expect((await dkimpyVerify(changed)).cv).toBe('fail');
    expect((await blaze(['arc', 'verify', ...DNS, '-'], changed)).exitCode).toBe(1);
  });

  it('blaze arc verify accepts what arcsign makes, and the mixed chains', async () => {
    const withAr = Buffer.from(`Authentication-Results: lists.example.org; arc=none; spf=pass smtp.mailfrom=jqd@d1.example.org\r\n${BASE}`);
    const one = await arcsign(withAr);
    expect(one.toString()).toMatch(/^ARC-Seal: /i);
    const v1 = await blaze(['arc', 'verify', ...DNS, '-'], one);
    expect(Buffer.from(v1.stdout).toString()).toBe('jqd@d1.example.org -✓-> 01:example.org\n');
    expect(v1.exitCode).toBe(0);
    // dkimpy i=1, blaze i=2, dkimpy i=3: both verifiers accept every step.
    const two = Buffer.from((await blaze([...SIGN, '-'], one)).stdout);
    expect((await blaze(['arc', 'verify', ...DNS, '-'], two)).exitCode).toBe(0);
    expect((await dkimpyVerify(two)).cv).toBe('pass');
    // The ADMD's own verdict for arcsign (one arc= stamp: dkimpy fails a chain on several).
    const three = await arcsign(Buffer.from(two.toString('latin1').replace(/^Authentication-Results: lists\.example\.org; arc=none;/m, 'Authentication-Results: lists.example.org; arc=pass;'), 'latin1'));
    expect(three.toString()).toMatch(/^ARC-Seal: i=3; cv=pass;/);
    const v3 = await blaze(['arc', 'verify', ...DNS, '-'], three);
    expect(Buffer.from(v3.stdout).toString()).toBe('jqd@d1.example.org -✓-> 01:example.org -✓-> 02:example.org -✓-> 03:example.org\n');
    expect((await dkimpyVerify(three)).cv).toBe('pass');
  });
});
