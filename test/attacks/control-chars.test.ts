// Control characters from the network or a message never reach a field
// blaze writes (Received, Authentication-Results, Received-SPF, ARC) or a
// terminal raw. A bare CR is the sharpest: Python's email parser (and other
// readers that split on CR) then sees a second, injected field, and a
// terminal returns to the start of the line, where a fake "[OK]" is drawn.
// Generated fields get '?' (Postfix's printable()); terminals get visible
// escapes (\r, \x1b); flags that would write a CR are refused (exit 2).
import { afterAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import net from 'node:net';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { maildirMessages, startSrv, until } from '../smtp/support.ts';
import { ARC, ARC_DNS, DMARC, DMARC_DNS, PY, blaze, controls, scratch, text } from './support.ts';

const signed = readFileSync(`${DMARC}aligned.eml`, 'latin1');
/** d= and s= with a bare CR that redraws the line, and an ESC sequence. */
const crDomain = Buffer.from(signed.replace('d=example.org', 'd=x\r[OK]: paypal.com'), 'latin1');
const crSelector = Buffer.from(signed.replace('s=sel;', 's=sel\rX-Injected: yes;'), 'latin1');

/** The header field names Python's email package (policy default) sees in MESSAGE. */
async function pythonFieldNames(message: Buffer | string): Promise<string[]> {
  const r = await execa(PY, ['-c', 'import sys, email, email.policy\nm = email.message_from_bytes(sys.stdin.buffer.read(), policy=email.policy.default)\nprint("\\n".join(m.keys()))'], { input: message, reject: false });
  expect(r.stderr).toBe('');
  return r.stdout.split('\n');
}

describe('terminal output', () => {
  it('dkim verify: a CR in d= is shown as \\r, never raw (the fake "[OK]" stays on the [ER] line)', async () => {
    const r = await blaze(['dkim', 'verify', ...DMARC_DNS, '-'], crDomain);
    expect(controls(text(r.stdout))).toEqual([]);
    expect(text(r.stdout)).toBe('[ER]: x\\r[OK]: paypal.com (bad signing domain d=x\\r[OK]: paypal.com)\n');
    expect(r.exitCode).toBe(1);
  });
  it('dmarc verify: a CR in s= is escaped in the text report', async () => {
    const r = await blaze(['dmarc', 'verify', ...DMARC_DNS, '-'], crSelector);
    expect(controls(text(r.stdout))).toEqual([]);
    expect(text(r.stdout)).toContain('header.s=sel\\rX-Injected: yes');
  });
  it('recv extract: an ESC sequence in a Received field is escaped, in text, with --delays and --dot', async () => {
    // (A CR there is whitespace to the Received parser: it splits words, it is never printed.)
    const msg = 'Received: from evil\x1b[2K.example by mx.example.org; Mon, 1 Jan 2024 00:00:00 +0000\nFrom: a@example.org\n\nx\n';
    for (const args of [[], ['--delays'], ['--dot']]) {
      const r = await blaze(['recv', 'extract', ...args, '-'], msg);
      expect(controls(text(r.stdout), '\n\t'), args.join(' ')).toEqual([]);
      // The name stops where the literal "[2K.example" starts; its ESC is shown escaped.
      expect(text(r.stdout)).toContain(args.includes('--dot') ? '"evil\\x1b" -> ' : 'from:evil\\x1b');
    }
  });
  it('dmarc collect: values of Authentication-Results fields are escaped', async () => {
    const msg = 'Authentication-Results: mx.example; spf=pass smtp.mailfrom="a\x1b[2J@example.org"\nFrom: a@example.org\n\nx\n';
    const r = await blaze(['dmarc', 'collect', '-'], msg);
    expect(controls(text(r.stdout))).toEqual([]);
    expect(text(r.stdout)).toContain('a\\x1b[2J@example.org');
  });
  it('arc verify: the author address drawn on the chain line is escaped', async () => {
    const sealed = readFileSync(`${ARC}i1-pass.eml`, 'latin1').replace('From: ', 'From: "\x1b[2J" ');
    const r = await blaze(['arc', 'verify', ...ARC_DNS, '-'], sealed);
    expect(controls(text(r.stdout) + text(r.stderr))).toEqual([]);
  });
  it('spf check: a control character in a DNS record is escaped in the result line', async () => {
    const dir = scratch('spfdns');
    writeFileSync(join(dir, 'evil.example.dns'), 'txt:v=spf1 ip4:192.0.2.1 \x1b[2Jbad -all\n');
    const r = await blaze(['spf', 'check', '--dns-static', dir, '--offline', '--ip', '192.0.2.9', '--sender', 'a@evil.example']);
    expect(controls(text(r.stdout))).toEqual([]);
    expect(text(r.stdout)).toBe("permerror: evil.example: invalid term '\\x1b[2Jbad'\n");
  });
});

describe('generated fields', () => {
  it('dmarc verify -h: a CR in s= becomes ? in Authentication-Results; Python sees no injected field', async () => {
    const r = await blaze(['dmarc', 'verify', ...DMARC_DNS, '-h', 'mx.test', '-'], crSelector);
    const out = text(r.stdout);
    const ar = /^Authentication-Results:.*(?:\r\n[ \t].*)*\r\n/.exec(out)![0];
    expect(controls(ar, '\r\n')).toEqual([]);
    expect(ar.replace(/\r\n/g, '')).not.toMatch(/\r/);
    expect(ar).toContain('header.s="sel?X-Injected: yes"');
    // The copied message keeps its own bytes (the CR inside its DKIM-Signature is the sender's); our field adds nothing.
    const names = await pythonFieldNames(r.stdout as unknown as Buffer);
    expect(names.filter((n) => n.toLowerCase() === 'x-injected').length).toBe((await pythonFieldNames(crSelector)).filter((n) => n.toLowerCase() === 'x-injected').length);
    expect(names[0]).toBe('Authentication-Results');
  });
  it('arc sign: a CR in a DKIM d= does not reach the ARC-Authentication-Results', async () => {
    const r = await blaze(['arc', 'sign', ...DMARC_DNS, '-h', 'example.org', '-s', 'dummy', '-k', `${ARC}key.pem`, '--now', '2024-04-01T00:00:00Z', '-'], crDomain);
    expect(text(r.stderr)).toBe('');
    const out = text(r.stdout);
    const sets = out.slice(0, out.indexOf('DKIM-Signature:'));
    expect(sets).toMatch(/^ARC-Seal:/);
    expect(controls(sets.replace(/\r\n/g, ''))).toEqual([]);
    expect(sets).toContain('x?[OK]: paypal.com');
  });
  it('spf stamp: a control character from a DNS record becomes ? in Received-SPF', async () => {
    const dir = scratch('spfstamp');
    writeFileSync(join(dir, 'evil.example.dns'), 'txt:v=spf1 ip4:192.0.2.1 \x1b[2Jbad -all\n');
    const r = await blaze(['spf', 'stamp', '--dns-static', dir, '--offline', '--ip', '192.0.2.9', '--sender', 'a@evil.example', '-'], 'From: a@example.org\n\nx\n');
    const field = /^Received-SPF:.*(?:\r?\n[ \t].*)*\r?\n/.exec(text(r.stdout))![0];
    expect(controls(field, '\r\n')).toEqual([]);
    expect(field).toContain("invalid term '?[2Jbad'");
  });
});

describe('flags that would write a CR or LF are refused (exit 2, one line)', () => {
  const cases: Array<[string, string[]]> = [
    ['dmarc verify -h', ['dmarc', 'verify', '--offline', '-h', 'mx\r\nX-Injected: yes']],
    ['spf stamp -h', ['spf', 'stamp', '--offline', '--ip', '192.0.2.1', '--sender', 'a@example.org', '-h', 'mx\nX-Injected: yes']],
    ['arc sign --authserv-id', ['arc', 'sign', '--offline', '-h', 'example.org', '-s', 'dummy', '-k', `${ARC}key.pem`, '--authserv-id', 'a\rb']],
    ['srv -h', ['srv', '127.0.0.1:0', '-h', 'mx\r\nX-Injected: yes']],
  ];
  for (const [name, args] of cases) {
    it(name, async () => {
      const r = await blaze(args, 'From: a@example.org\n\nx\n');
      expect(r.exitCode).toBe(2);
      expect(text(r.stderr)).toMatch(/^blaze: [a-z]+: [^\n]*is not a single word[^\n]*\n$/);
      expect(text(r.stdout)).toBe('');
    });
  }
});

describe('srv: a bare CR in the EHLO argument', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  it('becomes ? in the Received field; Python reads the stored message without an injected field', async () => {
    const s = await startSrv(['-h', 'mx.test']);
    dirs.push(s.dir);
    const sock = net.connect({ host: '127.0.0.1', port: s.port });
    let got = '';
    sock.on('data', (d) => (got += d.toString('latin1')));
    const step = async (line: string, re: RegExp) => {
      sock.write(line);
      await until(() => re.test(got), 10_000, `${re} after ${JSON.stringify(line)}: ${JSON.stringify(got)}`);
    };
    await until(() => /^220 /m.test(got), 10_000, 'greeting');
    await step('EHLO client.test\rX-Injected:yes\r\n', /^250 /m);
    await step('MAIL FROM:<a@example.org>\r\n', /^250 .*\r\n250 /ms);
    got = '';
    await step('RCPT TO:<b@example.net>\r\n', /^250 /m);
    got = '';
    await step('DATA\r\n', /^354 /m);
    got = '';
    await step('From: a@example.org\r\nSubject: hi\r\n\r\nbody\r\n.\r\n', /^250 /m);
    sock.end('QUIT\r\n');
    await s.stop();
    const [stored] = maildirMessages(s.dir);
    const received = /^Received:.*(?:\r\n[ \t].*)*\r\n/.exec(stored.toString('latin1'))![0];
    // CRLF and the TAB of a fold are the field's own; nothing else.
    expect(controls(received, '\r\n\t')).toEqual([]);
    expect(received.replace(/\r\n\t/g, '').replace(/\r\n$/, '')).not.toMatch(/[\r\n\t]/);
    expect(received).toContain('from client.test?X-Injected:yes');
    expect(await pythonFieldNames(stored)).toEqual(['Received', 'From', 'Subject']);
  });
});

