// blaze dmarc verify / collect, run as a shell would run them, offline with
// fixtures/dmarc/dns (DKIM key and DMARC records in the --dns-static format).
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { readFileSync, mkdtempSync, cpSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseAuthResults } from '../../src/authres/index.ts';
import { startFakeDns } from '../dns/fake-server.ts';

const BLAZE = fileURLToPath(new URL('../../bin/blaze', import.meta.url));
const FIX = fileURLToPath(new URL('../../fixtures/dmarc/', import.meta.url));
const DNS = ['--offline', '--dns-static', `${FIX}dns`];
const blaze = (args: string[], input?: Buffer | string) =>
  execa(BLAZE, args, { reject: false, stripFinalNewline: false, encoding: 'buffer', input, env: { NO_COLOR: '1' } });
const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');

describe('blaze dmarc verify', () => {
  it('passes on an aligned DKIM signature and says why', async () => {
    const r = await blaze(['dmarc', 'verify', ...DNS, `${FIX}aligned.eml`]);
    expect(text(r.stderr)).toBe('');
    expect(r.exitCode).toBe(0);
    expect(text(r.stdout)).toContain('✓ dkim=pass header.d=example.org header.s=sel\n');
    expect(text(r.stdout)).toContain('✓ dmarc=pass header.from=example.org policy=example.org p=reject');
  });

  it('fails a tampered message with p=reject: exit 1, disposition reject', async () => {
    const r = await blaze(['dmarc', 'verify', ...DNS, '--sample', '0', `${FIX}tampered.eml`]);
    expect(r.exitCode).toBe(1);
    expect(text(r.stdout)).toContain('✗ dmarc=fail header.from=example.org');
    expect(text(r.stdout)).toContain('  disposition: reject\n');
  });

  it('a subdomain falls back to the organisational record and its sp=', async () => {
    const r = await blaze(['dmarc', 'verify', ...DNS, '--json', '--sample', '0', `${FIX}subdomain.eml`]);
    expect(r.exitCode).toBe(1);
    const doc = JSON.parse(text(r.stdout));
    expect(doc.dmarc).toMatchObject({ status: 'fail', policyDomain: 'example.org', orgDomain: 'example.org', policy: 'quarantine', disposition: 'quarantine', pct: 100 });
    expect(doc.from).toEqual({ domain: 'news.example.org' });
  });

  it('takes SPF from Received-SPF and aligns it (relaxed)', async () => {
    const r = await blaze(['dmarc', 'verify', ...DNS, '--json', `${FIX}spf-pass.eml`]);
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(text(r.stdout));
    expect(doc.spf).toMatchObject({ result: 'pass', domain: 'mail.example.org', source: 'received-spf' });
    expect(doc.dmarc).toMatchObject({ status: 'pass', spfAligned: true, dkimAligned: false });
  });

  it('-h prepends Authentication-Results and copies the message byte for byte', async () => {
    const input = readFileSync(`${FIX}aligned.eml`);
    const r = await blaze(['dmarc', 'verify', ...DNS, '-h', 'omelet', '-'], input);
    expect(r.exitCode).toBe(0);
    const out = Buffer.from(r.stdout);
    const crlf = Buffer.from(input.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
    expect(out.subarray(out.length - crlf.length).equals(crlf)).toBe(true);
    const field = out.subarray(0, out.length - crlf.length).toString('utf8');
    expect(field.startsWith('Authentication-Results: omelet;')).toBe(true);
    for (const line of field.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
    const parsed = parseAuthResults(field.slice(field.indexOf(':') + 1).replace(/\r\n$/, ''));
    expect(parsed.ok && parsed.value.results.map((x) => `${x.method}=${x.result}`)).toEqual(['dkim=pass', 'dmarc=pass']);
  });

  it('pct sampling is reported: outside the sample the policy is lowered', async () => {
    const r = await blaze(['dmarc', 'verify', ...DNS, '--json', '--sample', '5', `${FIX}tampered.eml`]);
    // pct=100: sample 5 is inside; the disposition stays reject.
    expect(JSON.parse(text(r.stdout)).dmarc).toMatchObject({ disposition: 'reject', sampledOut: false });
    const msg = 'From: a@pct.example\r\n\r\nx\r\n';
    const inside = await blaze(['dmarc', 'verify', ...DNS, '--json', '--sample', '9', '-'], msg);
    expect(JSON.parse(text(inside.stdout)).dmarc).toMatchObject({ policy: 'reject', disposition: 'reject', pct: 10, sampledOut: false });
    const outside = await blaze(['dmarc', 'verify', ...DNS, '--json', '--sample', '10', '-'], msg);
    expect(JSON.parse(text(outside.stdout)).dmarc).toMatchObject({ policy: 'reject', disposition: 'quarantine', pct: 10, sampledOut: true });
    expect((await blaze(['dmarc', 'verify', ...DNS, '--sample', '100', '-'], msg)).exitCode).toBe(2);
  });

  it('no DMARC record: none, exit 0; unreadable input: exit 2 with a one-line error', async () => {
    const msg = 'From: a@nowhere.example\r\nSubject: x\r\n\r\nbody\r\n';
    const r = await blaze(['dmarc', 'verify', ...DNS, '--json', '-'], msg);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(text(r.stdout)).dmarc.status).toBe('none');
    const bad = await blaze(['dmarc', 'verify', ...DNS, '-'], 'From: a@b.example\r\nthis line has no colon\r\n\r\n');
    expect(bad.exitCode).toBe(2);
    expect(text(bad.stderr)).toMatch(/^blaze: dmarc: .*line 2: .*\n$/);
  });

  it('a From with two domains is a permerror, not a guess', async () => {
    const r = await blaze(['dmarc', 'verify', ...DNS, '--json', '-'], 'From: a@example.org, b@other.example\r\n\r\nx\r\n');
    expect(r.exitCode).toBe(1);
    expect(JSON.parse(text(r.stdout)).from.error).toBe('multiple-domains');
  });

  it('a DNS failure is a temporary failure (exit 75) that names the lookup', async () => {
    // A nameserver of our own that never answers for _dmarc.example.org (NXDOMAIN for the rest).
    const dns = await startFakeDns({ '_dmarc.example.org': 'DROP' });
    try {
      const msg = 'From: a@example.org\r\n\r\nx\r\n';
      const r = await blaze(['dmarc', 'verify', '-n', dns.address, '--dns-timeout', '300ms', '-'], msg);
      expect(text(r.stdout)).toContain('✗ dmarc=temperror header.from=example.org\n  _dmarc.example.org: timeout\n');
      expect(text(r.stderr)).toBe('');
      expect(r.exitCode).toBe(75);
      const j = await blaze(['dmarc', 'verify', '-n', dns.address, '--dns-timeout', '300ms', '--json', '-'], msg);
      expect(JSON.parse(text(j.stdout)).dmarc).toMatchObject({ status: 'temperror', reason: '_dmarc.example.org: timeout' });
      expect(j.exitCode).toBe(75);
    } finally {
      await dns.close();
    }
  });
});

describe('blaze dmarc collect', () => {
  it('prints the original layout', async () => {
    const r = await blaze(['dmarc', 'collect', `${FIX}google-ar.eml`]);
    expect(r.exitCode).toBe(0);
    expect(text(r.stdout)).toBe(
      [
        'mx.google.com: ✓ dkim (header.i=@github.com)',
        '               ✓ dkim (header.i=@sendgrid.info)',
        '               ✓ spf (smtp.mailfrom=bounces@sgmail.github.com)',
        '               ✓ dmarc (header.from="github.com")',
        '',
      ].join('\n'),
    );
  });

  it('right-aligns authserv-ids, wraps properties, --ascii', async () => {
    const v = await blaze(['dmarc', 'verify', ...DNS, '-h', 'omelet', `${FIX}aligned.eml`]);
    const both = Buffer.concat([Buffer.from(v.stdout).subarray(0, Buffer.from(v.stdout).indexOf('From:')), readFileSync(`${FIX}google-ar.eml`)]);
    const r = await blaze(['dmarc', 'collect', '--ascii', '-'], both);
    const lines = text(r.stdout).split('\n');
    expect(lines[0]).toBe('       omelet: [ok] dkim (header.d="example.org" header.i=@example.org');
    expect(lines[1]).toMatch(/^ {26}header\.s="sel" header\.b="[^"]{8}"\)$/);
    expect(lines[2]).toBe('               [ok] dmarc (header.from="example.org")');
    expect(lines[3]).toBe('mx.google.com: [ok] dkim (header.i=@github.com)');
  });

  it('--json: one document with every field, malformed ones as errors', async () => {
    const msg = 'Authentication-Results: a.example; spf=fail smtp.mailfrom=x@y.example\r\nAuthentication-Results: broken; dkim=\r\nAuthentication-Results: (no id)\r\n\r\nx\r\n';
    const r = await blaze(['dmarc', 'collect', '--json', '-'], msg);
    const doc = JSON.parse(text(r.stdout));
    expect(doc[0]).toMatchObject({ line: 1, authservId: 'a.example', results: [{ method: 'spf', result: 'fail' }], skipped: [] });
    expect(doc[1]).toMatchObject({ line: 2, authservId: 'broken', results: [], skipped: ['dkim='] });
    expect(doc[2]).toMatchObject({ line: 3, value: '(no id)' });
    expect(doc[2].error).toBeTruthy();
  });

  it('shows what it can read of a malformed vendor field', async () => {
    const msg = 'authentication-results: thehesiod.com; dkim=none (message not signed) header.d=none;thehesiod.com; dmarc=none action=none header.from=hotmail.com;\r\n\r\nx\r\n';
    const r = await blaze(['dmarc', 'collect', '--ascii', '-'], msg);
    expect(r.exitCode).toBe(0);
    expect(text(r.stdout)).toBe(
      [
        'thehesiod.com: [err] dkim=none (header.d="none")',
        '               [err] dmarc=none (header.from="hotmail.com")',
        '               [err] unreadable: thehesiod.com',
        '',
      ].join('\n'),
    );
  });
});

describe('blaze dmarc verify with --ip --sender --helo (SPF evaluated by src/spf)', () => {
  // The dmarc fixtures' DNS plus SPF records, in a directory of this test's own.
  const spfDns = (): string[] => {
    const dir = mkdtempSync(`${tmpdir()}/blaze-dmarc-spf-`);
    cpSync(`${FIX}dns`, dir, { recursive: true });
    writeFileSync(`${dir}/mail.example.org.dns`, 'txt:v=spf1 ip4:192.0.2.0/24 -all\n');
    writeFileSync(`${dir}/relay.example.net.dns`, 'txt:v=spf1 ip4:198.51.100.0/24 -all\n');
    return ['--offline', '--dns-static', dir];
  };

  it('an aligned SPF pass (relaxed) passes DMARC for an unsigned message; fail fails it', async () => {
    const dns = spfDns();
    const pass = await blaze(['dmarc', 'verify', ...dns, '--json', '--ip', '192.0.2.25', '--sender', 'bounce@mail.example.org', '--helo', 'relay.example.net', `${FIX}plain.eml`]);
    expect(text(pass.stderr)).toBe('');
    expect(pass.exitCode).toBe(0);
    const doc = JSON.parse(text(pass.stdout));
    expect(doc.spf).toEqual({ result: 'pass', domain: 'mail.example.org', mailfrom: 'bounce@mail.example.org', helo: 'relay.example.net', source: 'flags' });
    expect(doc.dmarc).toMatchObject({ status: 'pass', spfAligned: true, dkimAligned: false });
    const fail = await blaze(['dmarc', 'verify', ...dns, '--sample', '0', '--ip', '203.0.113.9', '--sender', 'bounce@mail.example.org', `${FIX}plain.eml`]);
    expect(fail.exitCode).toBe(1);
    expect(text(fail.stdout)).toContain('✗ spf=fail smtp.mailfrom=bounce@mail.example.org (evaluated)\n');
    expect(text(fail.stdout)).toContain('✗ dmarc=fail header.from=example.org');
  });

  it('the HELO identity when MAIL FROM is null: passes SPF but does not align with example.org', async () => {
    const r = await blaze(['dmarc', 'verify', ...spfDns(), '--json', '--sample', '0', '--ip', '198.51.100.7', '--sender', '<>', '--helo', 'relay.example.net', `${FIX}plain.eml`]);
    const doc = JSON.parse(text(r.stdout));
    expect(doc.spf).toMatchObject({ result: 'pass', domain: 'relay.example.net', mailfrom: null, source: 'flags' });
    expect(doc.dmarc).toMatchObject({ status: 'fail', spfAligned: false });
    expect(r.exitCode).toBe(1);
  });

  it('-h writes the computed spf= result into Authentication-Results', async () => {
    const r = await blaze(['dmarc', 'verify', ...spfDns(), '-h', 'omelet', '--ip', '192.0.2.25', '--sender', 'bounce@mail.example.org', `${FIX}plain.eml`]);
    expect(r.exitCode).toBe(0);
    const out = text(r.stdout);
    const field = out.slice(0, out.indexOf('From: '));
    const parsed = parseAuthResults(field.slice(field.indexOf(':') + 1).replace(/\r\n$/, ''));
    expect(parsed.ok && parsed.value.results.map((x) => `${x.method}=${x.result}`)).toEqual(['spf=pass', 'dkim=none', 'dmarc=pass']);
    expect(parsed.ok && parsed.value.results[0].properties).toEqual([{ type: 'smtp', name: 'mailfrom', value: 'bounce@mail.example.org' }]);
  });

  it('bad SPF flags: one line, exit 2', async () => {
    for (const args of [['--ip', '300.1.2.3', '--sender', 'a@mail.example.org'], ['--sender', 'a@mail.example.org'], ['--ip', '192.0.2.1', '--sender', 'nobody']]) {
      const r = await blaze(['dmarc', 'verify', ...DNS, ...args, `${FIX}plain.eml`]);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(text(r.stderr)).toMatch(/^blaze: dmarc: [^\n]+\n$/);
    }
  });
});

// Issue 24: each reproduction, offline, with records in fixtures/dmarc/discovery-dns.
describe('blaze dmarc verify: discovery and alignment to the letter (RFC 7489, RFC 9989)', () => {
  const D = ['--offline', '--dns-static', `${FIX}discovery-dns`, '--sample', '0', '--json'];
  const msg = (from: string) => `From: ${from}\r\nTo: bob@other.example\r\nSubject: t\r\n\r\nx\r\n`;
  const verify = async (args: string[], input: string) => {
    const r = await blaze(['dmarc', 'verify', ...D, ...args, '-'], input);
    expect(text(r.stderr)).toBe('');
    return { code: r.exitCode, doc: JSON.parse(text(r.stdout)) };
  };

  it('V=DMARC1; P=reject; ADKIM=s: tag names in any case (RFC 7489 §6.4)', async () => {
    const { code, doc } = await verify([], msg('a@upper.example'));
    expect(code).toBe(1);
    expect(doc.dmarc).toMatchObject({ status: 'fail', policyDomain: 'upper.example', policy: 'reject', disposition: 'reject', record: { p: 'reject', adkim: 's' } });
  });

  for (const walk of [[], ['--tree-walk']]) {
    it(`two records at _dmarc.mail.example.com: none, not example.com's p=reject (RFC 7489 §6.6.3)${walk.length ? ' with --tree-walk' : ''}`, async () => {
      const { code, doc } = await verify(walk, msg('a@mail.example.com'));
      expect(code).toBe(0);
      expect(doc.dmarc).toMatchObject({ status: 'none', policyDomain: null, policy: null, disposition: 'none', record: null });
      expect(doc.dmarc.reason).toMatch(/^2 DMARC records at _dmarc\.mail\.example\.com: /);
    });
  }

  it('v=DMARC1; p=reject; pct=invalid: p=reject applies with pct=100 and a warning (RFC 7489 §6.3)', async () => {
    const { code, doc } = await verify([], msg('a@pctbad.example'));
    expect(code).toBe(1);
    expect(doc.dmarc).toMatchObject({ status: 'fail', policy: 'reject', disposition: 'reject', pct: 100 });
    expect(doc.dmarc.warnings).toEqual([expect.stringContaining('pct=invalid')]);
    const report = await blaze(['dmarc', 'verify', '--offline', '--dns-static', `${FIX}discovery-dns`, '--sample', '0', '-'], msg('a@pctbad.example'));
    expect(text(report.stdout)).toMatch(/\n {2}warning: ignored pct=invalid [^\n]*\n/);
  });

  it('--tree-walk: an SPF pass for mail.mega.bank.example does not align with giant.bank.example (RFC 9989 Appendix B.4.3)', async () => {
    const spf = ['--ip', '192.0.2.7', '--sender', 'b@mail.mega.bank.example'];
    const walked = await verify(['--tree-walk', ...spf], msg('user@giant.bank.example'));
    expect(walked.code).toBe(1);
    expect(walked.doc.spf).toMatchObject({ result: 'pass', domain: 'mail.mega.bank.example' });
    expect(walked.doc.dmarc).toMatchObject({ status: 'fail', spfAligned: false, orgDomain: 'giant.bank.example', policy: 'quarantine' });
    // With the PSL, .example takes the implicit * rule: both are bank.example.
    const psl = await verify(spf, msg('user@giant.bank.example'));
    expect(psl.doc.dmarc).toMatchObject({ status: 'pass', spfAligned: true });
  });

  it('--tree-walk: a DKIM pass for d=mega.bank.example does not align either', async () => {
    const signed = await blaze(['dkim', 'sign', '-d', 'mega.bank.example', '-s', 'sel', '-k', `${FIX}key.pem`, '-'], msg('user@giant.bank.example'));
    expect(signed.exitCode).toBe(0);
    const { code, doc } = await verify(['--tree-walk'], text(signed.stdout));
    expect(code).toBe(1);
    expect(doc.dkim).toMatchObject([{ status: 'pass', domain: 'mega.bank.example' }]);
    expect(doc.dmarc).toMatchObject({ status: 'fail', dkimAligned: false });
  });
});

describe('blaze dmarc collect: per-result recovery', () => {
  it("keeps the results of Yahoo's legacy field (from= after the authserv-id) and reports the bad pieces", async () => {
    const field = 'Authentication-Results: mta1010.mail.bf1.yahoo.com  from=example.com; domainkeys=neutral (no sig);\r\n  from=example.com; dkim=pass (ok) header.i=@example.com\r\n';
    const msg = `${field}From: a@example.com\r\n\r\nx\r\n`;
    const json = await blaze(['dmarc', 'collect', '--json', '-'], msg);
    expect(json.exitCode).toBe(0);
    expect(JSON.parse(text(json.stdout))).toEqual([
      {
        line: 1,
        authservId: 'mta1010.mail.bf1.yahoo.com',
        results: [
          { method: 'domainkeys', result: 'neutral', comment: 'no sig', properties: [] },
          { method: 'dkim', result: 'pass', comment: 'ok', properties: [{ type: 'header', name: 'i', value: '@example.com' }] },
        ],
        skipped: ['from=example.com', 'from=example.com'],
      },
    ]);
    const r = await blaze(['dmarc', 'collect', '--ascii', '-'], msg);
    expect(text(r.stdout)).toBe(
      [
        'mta1010.mail.bf1.yahoo.com: [err] domainkeys=neutral',
        '                            [ok] dkim (header.i=@example.com)',
        '                            [err] unreadable: from=example.com',
        '                            [err] unreadable: from=example.com',
        '',
      ].join('\n'),
    );
  });
});
