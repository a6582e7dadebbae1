// DMARC interop with Debian's python3-authheaders (with dkimpy, pyspf and
// authres): both read the same test zone from dnsmasq on 127.0.0.1 (a random
// free port) and must agree on the spf, dkim and dmarc results of a set of
// messages built here, each with its SMTP client address and MAIL FROM
// (blaze: --ip --sender --helo; authheaders: ip, mail_from, helo).
// The zone is under .org: authheaders does not apply the PSL's implicit `*`
// rule to an unlisted TLD such as .test (it takes `test` as the organisational
// domain of every x.test), so the comparison stays on listed suffixes.
// The results must be equal, with one difference by design, stated and checked
// here: a message without any signature is dkim=none for blaze (no dkim
// result, RFC 8601 §2.7.1) and one dkim=fail for authheaders. A signed message
// gets exactly the same dkim results from both. A missing peer is a failure, not a skip.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { access, readFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAuthResults } from '../../src/authres/index.ts';
import { startDnsmasq, type Daemon } from '../support/daemon-port.ts';

const BLAZE = fileURLToPath(new URL('../../bin/blaze', import.meta.url));
const FIX = fileURLToPath(new URL('../../fixtures/dmarc/', import.meta.url));
const PYTHON = '/usr/bin/python3';
const DNSMASQ = '/usr/sbin/dnsmasq';
const blaze = (args: string[], input?: Buffer | string) => execa(BLAZE, args, { reject: false, stripFinalNewline: false, encoding: 'buffer', input });

/** TXT data as dnsmasq wants it: character-strings of at most 255 bytes. */
function txt(name: string, text: string): string {
  const parts: string[] = [];
  // No shell: dnsmasq would keep quotes literally; a comma separates the strings.
  if (text.includes(',')) throw new Error(`TXT data with a comma: ${text}`);
  for (let i = 0; i < text.length; i += 250) parts.push(text.slice(i, i + 250));
  return `--txt-record=${name},${parts.join(',')}`;
}

let dnsmasq: Daemon | undefined;
let port = 0;
const ZONE: Record<string, string> = {
  '_dmarc.example.org': 'v=DMARC1; p=reject; sp=quarantine',
  '_dmarc.strict.org': 'v=DMARC1; p=quarantine; adkim=s',
  '_dmarc.lax.org': 'v=DMARC1; p=none',
  'example.org': 'v=spf1 ip4:192.0.2.10 -all',
  'bounces.example.org': 'v=spf1 ip4:192.0.2.0/24 ~all',
  'other.org': 'v=spf1 ip4:198.51.100.1 -all',
  'strict.org': 'v=spf1 include:spf.strict.org -all',
  'spf.strict.org': 'v=spf1 ip4:192.0.2.10 ?all',
  'lax.org': 'v=spf1 -all',
};

interface Case {
  name: string;
  from: string;
  signer?: string; // d=
  tamper?: boolean;
  /** SMTP client address (default 203.0.113.5, which no SPF record allows) and MAIL FROM (default: the From address). */
  ip?: string;
  mailFrom?: string;
}
const CASES: Case[] = [
  { name: 'aligned signature, p=reject', from: 'alice@example.org', signer: 'example.org' },
  { name: 'tampered after signing', from: 'alice@example.org', signer: 'example.org', tamper: true },
  { name: 'unsigned, p=reject', from: 'alice@example.org' },
  { name: 'subdomain From, relaxed alignment', from: 'alice@news.example.org', signer: 'example.org' },
  { name: 'third-party signer', from: 'alice@example.org', signer: 'other.org' },
  { name: 'strict adkim, subdomain signer', from: 'bob@strict.org', signer: 'mail.strict.org' },
  { name: 'strict adkim, exact signer', from: 'bob@strict.org', signer: 'strict.org' },
  { name: 'no DMARC record', from: 'carol@nodmarc.org', signer: 'nodmarc.org' },
  { name: 'p=none, unsigned', from: 'dan@lax.org' },
  { name: 'p=none, signed and aligned', from: 'dan@lax.org', signer: 'lax.org' },
  { name: 'unsigned, SPF pass and aligned', from: 'alice@example.org', ip: '192.0.2.10' },
  { name: 'unsigned, SPF fail', from: 'alice@example.org', ip: '203.0.113.5' },
  { name: 'unsigned, SPF softfail from a bounce domain', from: 'alice@example.org', mailFrom: 'b@bounces.example.org', ip: '198.51.100.99' },
  { name: 'unsigned, SPF pass from a bounce domain (relaxed alignment)', from: 'alice@example.org', mailFrom: 'b@bounces.example.org', ip: '192.0.2.11' },
  { name: 'signed by a third party, SPF pass for another domain', from: 'alice@example.org', signer: 'other.org', mailFrom: 'x@other.org', ip: '198.51.100.1' },
  { name: 'SPF through include, strict DKIM fails, SPF aligns', from: 'bob@strict.org', signer: 'mail.strict.org', ip: '192.0.2.10' },
  { name: 'an include ending in ?all does not match: -all fails', from: 'bob@strict.org', ip: '192.0.2.77' },
  { name: 'no SPF record for the MAIL FROM domain', from: 'carol@nodmarc.org', signer: 'nodmarc.org' },
];

async function message(c: Case): Promise<Buffer> {
  const plain = `From: Someone <${c.from}>\r\nTo: rcpt@example.net\r\nSubject: ${c.name}\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\nMessage-ID: <${c.name.replace(/\W+/g, '.')}@test>\r\n\r\nHello.\r\n`;
  if (!c.signer) return Buffer.from(plain);
  const s = await blaze(['dkim', 'sign', '-s', 'sel', '-d', c.signer, '-k', `${FIX}key.pem`, '-'], plain);
  expect(s.exitCode).toBe(0);
  let out = Buffer.from(s.stdout).toString('latin1');
  if (c.tamper) out = out.replace('Hello.', 'Hullo.');
  return Buffer.from(out, 'latin1');
}

/** authheaders' Authentication-Results for a message, dnspython pointed at dnsmasq. */
async function authheaders(msg: Buffer, c: Case): Promise<string> {
  const script = `
import sys, dns.resolver
r = dns.resolver.Resolver(configure=False)
r.nameservers = ['127.0.0.1']
r.port = int(sys.argv[1])
r.lifetime = 5
dns.resolver.default_resolver = r
from authheaders import authenticate_message
msg = sys.stdin.buffer.read()
print(authenticate_message(msg, 'authheaders.example', spf=True, dkim=True, arc=False, dmarc=True, ip=sys.argv[2], mail_from=sys.argv[3], helo='client.example.net'))
`;
  const r = await execa(PYTHON, ['-c', script, String(port), c.ip ?? '203.0.113.5', c.mailFrom ?? c.from], { input: msg, reject: false });
  if (r.exitCode !== 0) throw new Error(`authheaders: ${r.stderr}`);
  return r.stdout.trim();
}

describe('DMARC interop with python3-authheaders over dnsmasq', () => {
  beforeAll(async () => {
    for (const p of [PYTHON, DNSMASQ]) await access(p, constants.X_OK);
    const check = await execa(PYTHON, ['-c', 'import authheaders, dkim, authres, dns.resolver'], { reject: false });
    expect(check.exitCode, 'python3-authheaders, python3-dkim, python3-authres, python3-dnspython').toBe(0);
    const pem = await readFile(`${FIX}key.pem`, 'utf8');
    const { createPublicKey } = await import('node:crypto');
    const pub = createPublicKey(pem).export({ type: 'spki', format: 'der' }).toString('base64');
    const records = { ...ZONE };
    for (const d of ['example.org', 'other.org', 'strict.org', 'mail.strict.org', 'nodmarc.org', 'lax.org']) records[`sel._domainkey.${d}`] = `v=DKIM1; k=rsa; p=${pub}`;
    dnsmasq = await startDnsmasq(Object.entries(records).map(([n, t]) => txt(n, t)), ['--local=/org/']);
    port = dnsmasq.port;
  }, 20_000);

  afterAll(async () => {
    dnsmasq?.proc.kill();
    await dnsmasq?.proc;
  });

  it('agrees on spf, dkim and dmarc for every message', async () => {
    const rows: string[] = [];
    let agree = 0;
    for (const c of CASES) {
      const msg = await message(c);
      const ip = c.ip ?? '203.0.113.5';
      const mailFrom = c.mailFrom ?? c.from;
      const b = await blaze(['dmarc', 'verify', '-n', `127.0.0.1:${port}`, '--sample', '0', '--ip', ip, '--sender', mailFrom, '--helo', 'client.example.net', '--json', '-'], msg);
      const ours = JSON.parse(Buffer.from(b.stdout).toString());
      const theirs = parseAuthResults((await authheaders(msg, c)).replace(/^Authentication-Results:/, ''));
      if (!theirs.ok) throw new Error(`authheaders wrote an unreadable field: ${theirs.message}`);
      const theirDkim = theirs.value.results.filter((r) => r.method === 'dkim').map((r) => r.result);
      const theirDmarc = theirs.value.results.find((r) => r.method === 'dmarc')?.result ?? 'none';
      const theirSpf = theirs.value.results.find((r) => r.method === 'spf')?.result ?? 'none';
      const ourDkim: string[] = ours.dkim.map((d: { status: string }) => d.status);
      const same = (a: string[], b: string[]) => JSON.stringify(a) === JSON.stringify(b);
      // Signed: the same dkim results. Unsigned: RFC 8601 §2.7.1 "none: the message
      // was not signed" (no dkim result from blaze), where authheaders writes one fail.
      const dkimAgrees = c.signer ? ourDkim.length > 0 && same(ourDkim, theirDkim) : ourDkim.length === 0 && same(theirDkim, ['fail']);
      const ok = dkimAgrees && ours.dmarc.status === theirDmarc && ours.spf?.result === theirSpf;
      if (ok) agree++;
      rows.push(`${ok ? 'agree' : 'DIFFER'}: ${c.name}: blaze spf=${ours.spf?.result} dkim=${ourDkim.length ? ourDkim : 'none (no signature)'} dmarc=${ours.dmarc.status}; authheaders spf=${theirSpf} dkim=${theirDkim} dmarc=${theirDmarc}`);
    }
    console.log(`authheaders agreement: ${agree}/${CASES.length}\n${rows.join('\n')}`);
    expect(rows.filter((r) => r.startsWith('DIFFER'))).toEqual([]);
    expect(agree).toBe(CASES.length);
  }, 90_000);
});
