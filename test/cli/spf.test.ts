// blaze spf check | stamp | analyze, run as built (./bin/blaze), with the DNS
// answers of fixtures/spf/dns (--dns-static --offline).
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { mkdtemp, writeFile, readFile } from 'node:fs/promises';
import { createSocket, type Socket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeDns, type FakeDns } from '../dns/fake-server.ts';
import { expectEndedByTimeout, startupMs } from '../support/timeouts.ts';

const BLAZE = fileURLToPath(new URL('../../bin/blaze', import.meta.url));
const DNS = fileURLToPath(new URL('../../fixtures/spf/dns/', import.meta.url));

const blaze = (args: string[], opts: Record<string, unknown> = {}) =>
  execa(BLAZE, args, { reject: false, stripFinalNewline: false, env: { BLAZE_DNS_STATIC: '' }, ...opts });
const spf = (sub: string, args: string[], opts: Record<string, unknown> = {}) => blaze(['spf', sub, '--dns-static', DNS, '--offline', ...args], opts);
const check = (args: string[]) => spf('check', args);

const MESSAGE = 'From: a@example.org\r\nTo: b@example.net\r\nSubject: hello\r\n\r\nbody line\r\nsecond line\r\n';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'blaze-cli-spf-'));
});

describe('blaze spf check', () => {
  it('pass, with the deciding mechanism, exit 0', async () => {
    const r = await check(['--ip', '192.0.2.10', '--sender', 'someone@example.org']);
    expect([r.exitCode, r.stdout, r.stderr]).toEqual([0, 'pass: ip4:192.0.2.0/24 (example.org)\n', '']);
  });
  it('pass through include; IPv6', async () => {
    expect((await check(['--ip', '198.51.100.7', '--sender', 'x@example.org'])).stdout).toBe('pass: include:inc.example.org (example.org)\n');
    expect((await check(['--ip', '2001:db8::25', '--sender', 'x@example.org'])).stdout).toBe('pass: ip6:2001:db8::/32 (example.org)\n');
  });
  it('softfail exits 1; fail exits 1 and prints the expanded exp= explanation', async () => {
    const soft = await check(['--ip', '203.0.113.5', '--sender', 'x@example.org']);
    expect([soft.exitCode, soft.stdout]).toEqual([1, 'softfail: ~all (example.org)\n']);
    const fail = await check(['--ip', '203.0.113.5', '--sender', 'x@strict.example.org']);
    expect([fail.exitCode, fail.stdout]).toEqual([1, 'fail: -all (strict.example.org)\nexplanation: 203.0.113.5 is not allowed to send for strict.example.org\n']);
  });
  it('HELO identity; none and neutral exit 0', async () => {
    const helo = await check(['--ip', '192.0.2.25', '--helo', 'mail.example.org']);
    expect([helo.exitCode, helo.stdout]).toEqual([0, 'pass: a:mail.example.org (mail.example.org)\n']);
    const neutral = await check(['--ip', '192.0.2.26', '--helo', 'mail.example.org']);
    expect([neutral.exitCode, neutral.stdout]).toEqual([0, 'neutral: ?all (mail.example.org)\n']);
    const none = await check(['--ip', '192.0.2.26', '--sender', 'a@nowhere.example']);
    expect([none.exitCode, none.stdout]).toEqual([0, 'none: no SPF record at nowhere.example\n']);
  });
  it('permerror for two records, a bad macro, an include loop: exit 1', async () => {
    for (const [dom, why] of [['two', /2 SPF records/], ['badmacro', /unknown macro letter/], ['loop', /more than 10 DNS-querying terms/]] as const) {
      const r = await check(['--ip', '192.0.2.10', '--sender', `a@${dom}.example.org`]);
      expect(r.exitCode, dom).toBe(1);
      expect(r.stdout).toMatch(/^permerror: /);
      expect(r.stdout).toMatch(why);
    }
  });
  it('-v traces DNS questions, terms and counters on stderr; -q prints nothing', async () => {
    const r = await check(['-v', '--ip', '198.51.100.7', '--sender', 'x@example.org']);
    expect(r.stderr).toContain('dns: example.org TXT -> "v=spf1 ip4:192.0.2.0/24');
    expect(r.stderr).toContain('dns: inc.example.org A -> 198.51.100.7');
    expect(r.stderr).toMatch(/term: example\.org: include:inc\.example\.org: match \(lookups 2\/10, void 0\/2\)/);
    const q = await check(['-q', '--ip', '203.0.113.5', '--sender', 'x@example.org']);
    expect([q.exitCode, q.stdout]).toEqual([1, '']);
  });
  it('--json prints the documented shape', async () => {
    const r = await check(['--json', '--ip', '203.0.113.5', '--sender', '<x@strict.example.org>', '--helo', 'client.example']);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({
      result: 'fail', mechanism: '-all', domain: 'strict.example.org', identity: 'mailfrom', sender: 'x@strict.example.org', ip: '203.0.113.5',
      helo: 'client.example', lookups: 0, voidLookups: 0, explanation: '203.0.113.5 is not allowed to send for strict.example.org',
    });
    expect(j.trace[0]).toEqual({ step: 'query', name: 'strict.example.org', type: 'TXT', answer: '"v=spf1 -all exp=why.example.org"' });
  });
  it('bad input: one line on stderr, exit 2', async () => {
    for (const args of [
      ['--ip', '192.0.2.300', '--sender', 'a@example.org'],
      ['--ip', 'nonsense', '--helo', 'x.example'],
      ['--ip', '192.0.2.1', '--sender', 'no-at-sign'],
      ['--ip', '192.0.2.1', '--helo', 'bad\x01name'],
      ['--ip', '192.0.2.1'],
      ['--sender', 'a@example.org'],
    ]) {
      const r = await check(args);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^blaze: spf[^\n]*\n$/);
    }
  });
  it('--batch: one line per input line, in order; the worst exit code', async () => {
    const file = join(dir, 'batch.txt');
    await writeFile(file, '# ip mailfrom helo\n192.0.2.10 a@example.org\n203.0.113.5 x@strict.example.org h.example\n192.0.2.25 <> mail.example.org\n');
    const r = await check(['--batch', file]);
    expect(r.stdout).toBe(
      '192.0.2.10 a@example.org: pass: ip4:192.0.2.0/24 (example.org)\n' +
        '203.0.113.5 x@strict.example.org: fail: -all (strict.example.org)\n' +
        '192.0.2.25 postmaster@mail.example.org: pass: a:mail.example.org (mail.example.org)\n',
    );
    expect(r.exitCode).toBe(1);
    await writeFile(file, '192.0.2.10 a@example.org\nbad-ip a@example.org\n');
    const bad = await check(['--batch', file]);
    expect([bad.exitCode, bad.stderr]).toEqual([2, `blaze: spf: ${file}: line 2: --ip: 'bad-ip' is not an IPv4 or IPv6 address\n`]);
  });
});

describe('blaze spf check with a nameserver that never answers', () => {
  let sock: Socket;
  let port = 0;
  beforeAll(async () => {
    sock = createSocket('udp4');
    sock.on('message', () => {}); // swallow every question
    await new Promise<void>((res) => sock.bind(0, '127.0.0.1', () => res()));
    port = sock.address().port;
  });
  afterAll(() => sock.close());
  it('is temperror (exit 75) within the --dns-timeout bound', async () => {
    const start = await startupMs(() => blaze(['spf', 'check', '--help']));
    const t0 = Date.now();
    const r = await blaze(['spf', 'check', '-n', `127.0.0.1:${port}`, '--dns-timeout', '600ms', '--ip', '192.0.2.1', '--sender', 'a@example.org'], { timeout: 20_000 });
    expect(r.exitCode).toBe(75);
    expect(r.stdout).toMatch(/^temperror: TXT lookup of example\.org: timeout\n$/);
    expectEndedByTimeout(Date.now() - t0, 600, { startupMs: start, what: 'spf check' });
  });
});

describe('blaze spf check: names c-ares refuses, with answers too long for UDP', () => {
  let dns: FakeDns;
  beforeAll(async () => {
    // Every UDP answer truncated: c-ares retries over TCP itself; blaze's own
    // questions (a name with ':' that c-ares will not send) must do the same.
    dns = await startFakeDns(
      { 'example.org': { TXT: [['v=spf1 exists:a:b.example.org -all']] }, 'a:b.example.org': { A: ['127.0.0.2'] } },
      { truncateUdp: true },
    );
  });
  afterAll(() => dns.close());
  it('asks again over TCP and gets the answer', async () => {
    const r = await blaze(['spf', 'check', '-n', `127.0.0.1:${dns.port}`, '--dns-timeout', '3s', '--ip', '192.0.2.1', '--sender', 'a@example.org']);
    expect(r.stdout).toMatch(/^pass: /);
    expect(r.exitCode).toBe(0);
  });
});

describe('blaze spf stamp', () => {
  it('prepends Received-SPF and copies the message byte for byte', async () => {
    const r = await spf('stamp', ['--ip', '203.0.113.5', '--sender', 'x@example.org', '--helo', 'client.example', '-h', 'mx.example.net'], { input: MESSAGE });
    expect(r.exitCode).toBe(0);
    const end = r.stdout.indexOf('From: ');
    expect(r.stdout.slice(end)).toBe(MESSAGE);
    expect(r.stdout.slice(0, end)).toBe(
      'Received-SPF: softfail (mx.example.net: transitioning domain of x@example.org\r\n' +
        ' does not designate 203.0.113.5 as permitted sender) receiver=mx.example.net;\r\n' +
        ' client-ip=203.0.113.5; envelope-from="x@example.org"; helo=client.example;\r\n' +
        ' mechanism=~all; identity=mailfrom;\r\n',
    );
  });
  it('LF input becomes CRLF; --newline lf writes LF; -o writes a file', async () => {
    const lf = MESSAGE.replace(/\r\n/g, '\n');
    const r = await spf('stamp', ['--ip', '192.0.2.10', '--sender', 'x@example.org'], { input: lf });
    expect(r.stdout.endsWith(MESSAGE)).toBe(true);
    const out = join(dir, 'stamped.eml');
    const r2 = await spf('stamp', ['--ip', '192.0.2.10', '--sender', 'x@example.org', '--newline', 'lf', '-o', out], { input: lf });
    expect([r2.exitCode, r2.stdout]).toEqual([0, '']);
    const written = await readFile(out, 'utf8');
    expect(written).toMatch(/^Received-SPF: pass \(domain of x@example\.org designates 192\.0\.2\.10 as permitted\n sender\)/);
    expect(written.endsWith(lf)).toBe(true);
    expect(written).not.toContain('\r');
  });
  it('bad flags: exit 2 before reading anything', async () => {
    const r = await spf('stamp', ['--ip', '1.2.3', '--sender', 'x@example.org'], { input: MESSAGE });
    expect([r.exitCode, r.stdout]).toEqual([2, '']);
  });
});

describe('blaze spf analyze', () => {
  it('re-evaluates each Received-SPF field: same verdict exit 0, a different one exit 1', async () => {
    const stamped = (await spf('stamp', ['--ip', '203.0.113.5', '--sender', 'x@strict.example.org'], { input: MESSAGE })).stdout;
    const ok = await spf('analyze', [], { input: stamped });
    expect([ok.exitCode, ok.stdout]).toEqual([0, 'x@strict.example.org from 203.0.113.5: fail (expected: fail)\n']);
    const forged = stamped.replace('Received-SPF: fail', 'Received-SPF: pass');
    const bad = await spf('analyze', [], { input: forged });
    expect([bad.exitCode, bad.stdout]).toEqual([1, 'x@strict.example.org from 203.0.113.5: fail (expected: pass)\n']);
  });
  it('reads fields written by others (RFC 7208 §9.1 example shape), HELO identity, --json', async () => {
    const msg =
      'Received-SPF: pass (mybox.example.org: domain of myname@example.org designates\r\n 192.0.2.1 as permitted sender) receiver=mybox.example.org; client-ip=192.0.2.1;\r\n envelope-from="myname@example.org"; helo=foo.example.org;\r\n' +
      'Received-SPF: Neutral (helo check) client-ip=192.0.2.26; helo=mail.example.org; identity=helo\r\n' +
      MESSAGE;
    const r = await spf('analyze', [], { input: msg });
    expect(r.stdout).toBe('myname@example.org from 192.0.2.1: pass (expected: pass)\npostmaster@mail.example.org from 192.0.2.26: neutral (expected: neutral)\n');
    expect(r.exitCode).toBe(0);
    const j = JSON.parse((await spf('analyze', ['--json'], { input: msg })).stdout);
    expect(j.map((x: { line: number; recorded: string; result: string; matches: boolean }) => [x.line, x.recorded, x.result, x.matches])).toEqual([
      [1, 'pass', 'pass', true],
      [4, 'neutral', 'neutral', true],
    ]);
  });
  it('no field: exit 1 with a message; unreadable field: reported, exit 1', async () => {
    const none = await spf('analyze', [], { input: MESSAGE });
    expect([none.exitCode, none.stderr]).toEqual([1, 'blaze: spf analyze: stdin: no Received-SPF field\n']);
    const junk = await spf('analyze', [], { input: `Received-SPF: (unterminated\r\n${MESSAGE}` });
    expect([junk.exitCode, junk.stdout]).toEqual([1, 'line 1: unreadable Received-SPF (unterminated comment)\n']);
  });
});

describe('blaze spf analyze with fields from other writers', () => {
  it('takes the sender from the comment or Return-Path when envelope-from is missing; no client address: cannot re-evaluate', async () => {
    const msg =
      'Return-Path: <x@strict.example.org>\r\n' +
      'Received-SPF: fail (mx.google.example: best guess record) client-ip=203.0.113.5;\r\n' +
      'Received-SPF: pass (mx.example.net: domain of x@example.org designates 192.0.2.10 as permitted sender)\r\n' +
      'Received-SPF: None (protection.outlook.com: example.org does not designate permitted sender hosts)\r\n' +
      MESSAGE;
    const r = await spf('analyze', [], { input: msg });
    expect(r.stdout).toBe(
      'x@strict.example.org from 203.0.113.5: fail (expected: fail)\n' +
        'x@example.org from 192.0.2.10: pass (expected: pass)\n' +
        'line 4: none recorded, cannot re-evaluate: no client-ip\n',
    );
    expect(r.exitCode).toBe(1);
    const q = await spf('analyze', ['-q', '--json'], { input: msg });
    expect([q.exitCode, q.stdout]).toEqual([1, '']);
  });
});
