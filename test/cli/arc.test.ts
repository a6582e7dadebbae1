// blaze arc verify / sign with the project's ARC fixtures (own key, chains sealed by blaze)
// (fixtures/arc, --dns-static), and with a seeded Ed25519 key given by -e.
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startFakeDns } from '../dns/fake-server.ts';

const BLAZE = fileURLToPath(new URL('../../bin/blaze', import.meta.url));
const FIX = fileURLToPath(new URL('../../fixtures/arc/', import.meta.url));
const DNS = ['--offline', '--dns-static', `${FIX}dns`];
const blaze = (args: string[], input?: Buffer | string) =>
  execa(BLAZE, args, { reject: false, stripFinalNewline: false, encoding: 'buffer', input, env: { NO_COLOR: '1' } });
const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');
const SIGN = ['arc', 'sign', ...DNS, '-k', `${FIX}key.pem`, '--seal-selector', 'dummy', '--signature-selector', 'dummy', '-h', 'example.org', '--now', '2024-05-01T12:00:00Z'];

describe('blaze arc verify', () => {
  it('prints the chain and exits 0 when it holds', async () => {
    const r = await blaze(['arc', 'verify', ...DNS, `${FIX}i2-pass.eml`]);
    expect(text(r.stdout)).toBe('jqd@d1.example.org -✓-> 01:example.org -✓-> 02:example.org\n');
    expect(r.exitCode).toBe(0);
    const a = await blaze(['arc', 'verify', ...DNS, '--ascii', `${FIX}i2-pass.eml`]);
    expect(text(a.stdout)).toBe('jqd@d1.example.org -[ok]-> 01:example.org -[ok]-> 02:example.org\n');
  });

  it('exits 1 on a broken chain and says why on stderr', async () => {
    const r = await blaze(['arc', 'verify', ...DNS, `${FIX}cv-fail.eml`]);
    expect(r.exitCode).toBe(1);
    // The newest seal says cv=fail: validation stops there (RFC 8617 §5.2 step 2), no set is checked, none drawn as failed.
    expect(text(r.stdout)).toBe('jqd@d1.example.org -?-> 01:example.org -?-> 02:example.org\n');
    expect(text(r.stderr)).toBe('blaze: arc verify: fail: ARC-Seal i=2 says cv=fail\n');
    const ascii = await blaze(['arc', 'verify', ...DNS, '--ascii', `${FIX}cv-fail.eml`]);
    expect(text(ascii.stdout)).toBe('jqd@d1.example.org -[?]-> 01:example.org -[?]-> 02:example.org\n');
    const j = JSON.parse(text((await blaze(['arc', 'verify', ...DNS, '--json', `${FIX}cv-fail.eml`])).stdout));
    expect(j.sets.map((s: { seal: string; ams: string }) => [s.seal, s.ams])).toEqual([['unchecked', 'unchecked'], ['unchecked', 'unchecked']]);
    const body = readFileSync(`${FIX}i2-pass.eml`, 'latin1').replace('This is a test message.', 'This is a changed message.');
    const t = await blaze(['arc', 'verify', ...DNS, '-'], body);
    expect(t.exitCode).toBe(1);
    // Only the newest AMS covers the body: the older seals still verify.
    expect(text(t.stdout)).toBe('jqd@d1.example.org -✓-> 01:example.org -✗-> 02:example.org\n');
  });

  it('--json, and none (exit 0) for a message without ARC', async () => {
    const r = await blaze(['arc', 'verify', ...DNS, '--json', `${FIX}i1-pass.eml`]);
    const doc = JSON.parse(text(r.stdout));
    expect(doc).toMatchObject({ sender: 'jqd@d1.example.org', status: 'pass', instances: 1, sets: [{ instance: 1, domain: 'example.org', selector: 'dummy', seal: 'pass', ams: 'pass' }] });
    const n = await blaze(['arc', 'verify', ...DNS, '--json', '-'], 'From: a@b.example\r\n\r\nx\r\n');
    expect(n.exitCode).toBe(0);
    expect(JSON.parse(text(n.stdout)).status).toBe('none');
  });

  it('a DNS failure for a key is a temporary failure (75) that names the lookup', async () => {
    // A nameserver of our own that never answers for the AMS key.
    const dns = await startFakeDns({ 'dummy._domainkey.example.org': 'DROP' });
    try {
      const r = await blaze(['arc', 'verify', '-n', dns.address, '--dns-timeout', '300ms', `${FIX}i1-pass.eml`]);
      expect(text(r.stderr)).toBe('blaze: arc verify: temperror: AMS i=1: key lookup dummy._domainkey.example.org: timeout\n');
      expect(r.exitCode).toBe(75);
    } finally {
      await dns.close();
    }
  });
});

describe('blaze arc sign', () => {
  it('adds instance 3 to a passing chain; the result verifies', async () => {
    const s = await blaze([...SIGN, `${FIX}i2-pass.eml`]);
    expect(text(s.stderr)).toBe('');
    expect(s.exitCode).toBe(0);
    const out = text(s.stdout);
    expect(out).toMatch(/^ARC-Seal: a=rsa-sha256;\r\n b=[^;]+;\r\n cv=pass; d=example\.org; i=3; s=dummy; t=1714564800\r\nARC-Message-Signature: /);
    expect(out).toContain('ARC-Authentication-Results: i=3; example.org;\r\n arc=pass (i=2)');
    expect(out.endsWith(readFileSync(`${FIX}i2-pass.eml`, 'latin1').replace(/\n/g, '\r\n'))).toBe(true);
    const v = await blaze(['arc', 'verify', ...DNS, '-'], Buffer.from(s.stdout));
    expect(text(v.stdout)).toBe('jqd@d1.example.org -✓-> 01:example.org -✓-> 02:example.org -✓-> 03:example.org\n');
    expect(v.exitCode).toBe(0);
  });

  it('the AMS signs dkimpy\'s default set where present (and DKIM-Signature), From oversigned; --no-oversign', async () => {
    const h = (out: string) => /ARC-Message-Signature: [^]*?[;\s]h=([^;]+);/.exec(out)![1].replace(/\s+/g, '');
    // i2-pass.eml has From, To, Subject, Date, Message-ID, MIME-Version (and ARC fields and Authentication-Results, never signed)
    const s = await blaze([...SIGN, `${FIX}i2-pass.eml`]);
    expect(h(text(s.stdout))).toBe('from:from:subject:date:message-id:to:mime-version');
    const bare = await blaze([...SIGN, '--no-oversign', `${FIX}i2-pass.eml`]);
    expect(h(text(bare.stdout))).toBe('from:subject:date:message-id:to:mime-version');
    const v = await blaze(['arc', 'verify', ...DNS, '-'], Buffer.from(bare.stdout));
    expect(v.exitCode).toBe(0);
  });

  it('seals a broken chain with cv=fail, and refuses to extend a chain that already failed (exit 1)', async () => {
    const broken = readFileSync(`${FIX}i2-pass.eml`, 'latin1').replace('This is a test message.', 'Changed.');
    const s = await blaze([...SIGN, '-'], broken);
    expect(s.exitCode).toBe(0);
    expect(text(s.stdout)).toMatch(/cv=fail; d=example\.org; i=3;/);
    const again = await blaze(['arc', 'verify', ...DNS, '-'], Buffer.from(s.stdout));
    expect(again.exitCode).toBe(1);
    const r = await blaze([...SIGN, `${FIX}cv-fail.eml`]);
    expect(r.exitCode).toBe(1);
    expect(text(r.stderr)).toMatch(/^blaze: arc: .*cv=fail.*\n$/);
    expect(r.stdout.length).toBe(0);
  });

  it('--seed: the same key as dkim gen --seed; two hops verify with -e; --newline lf', async () => {
    const seed = 'Zm9vYmFyYmF6cXV4MTIzNA==';
    const gen = text((await blaze(['dkim', 'gen', '--seed', seed, '-a', 'ed25519'])).stdout);
    const pub = /public key is (\S+)/.exec(gen)![1];
    const msg = 'From: Ferry <fntoth@gmail.com>\nTo: x@example.org\nSubject: hi\n\nbody\n';
    const common = ['--offline', '--seed', seed, '-a', 'ed25519', '--now', '2024-01-01T00:00:00Z'];
    const one = await blaze(['arc', 'sign', ...common, '-s', 'robur2025', '-h', 'robur.coop', '-'], msg);
    expect(one.exitCode).toBe(0);
    const two = await blaze(['arc', 'sign', ...common, '-s', 'robur2025', '-h', 'lists.example', '-e', `robur2025:robur.coop:${pub}`, '--newline', 'lf', '-'], Buffer.from(one.stdout));
    expect(two.exitCode).toBe(0);
    expect(Buffer.from(two.stdout).includes('\r')).toBe(false);
    expect(text(two.stdout)).toContain('ARC-Authentication-Results: i=2; lists.example;\n arc=pass (i=1)');
    const keys = ['-e', `robur2025:robur.coop:${pub}`, '-e', `robur2025:lists.example:${pub}`];
    const v = await blaze(['arc', 'verify', '--offline', ...keys, '-'], Buffer.from(two.stdout));
    expect(text(v.stdout)).toBe('fntoth@gmail.com -✓-> 01:robur.coop -✓-> 02:lists.example\n');
  });

  it('usage errors exit 2', async () => {
    expect((await blaze(['arc', 'sign', '--offline', '-h', 'example.org', `${FIX}i1-pass.eml`])).exitCode).toBe(2);
    expect((await blaze(['arc', 'sign', '--offline', '-s', 'x', '-h', 'example.org', `${FIX}i1-pass.eml`])).exitCode).toBe(2);
    expect((await blaze(['arc', 'verify', '/nonexistent/file'])).exitCode).toBe(2);
    expect((await blaze(['arc'])).exitCode).toBe(2);
  });
});
