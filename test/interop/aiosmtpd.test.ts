// blaze submit delivers to python3-aiosmtpd: in clear, with STARTTLS (CA
// checked, or --insecure), with implicit TLS, and with AUTH PLAIN/LOGIN after
// STARTTLS. The delivered bytes must be the message (Bcc removed).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa, type ResultPromise } from 'execa';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { selfSignedCertificate } from '../../src/smtp/index.ts';
import { BLAZE, FIXTURES, PYTHON, tempDir } from '../smtp/support.ts';

const MESSAGE = [
  'From: Alice <alice@example.org>',
  'To: Bob <bob@example.net>, carol@example.net',
  'Bcc: secret@example.com',
  'Subject: submit to aiosmtpd',
  'Message-ID: <aio@example.org>',
  '',
  'Hello,',
  '.a line with a leading dot',
  '.',
  'bye',
  '',
].join('\r\n');
const DELIVERED = MESSAGE.replace('Bcc: secret@example.com\r\n', '');

let work: string;
let cert: string;
let key: string;
const peers: ResultPromise[] = [];
const outs: string[] = [];

/** Starts aiosmtpd on 127.0.0.1 port 0 (fixtures/smtp/blaze_aiosmtpd.py prints the port it got). */
async function peer(kind: 'clear' | 'starttls' | 'smtps' | 'auth'): Promise<{ port: number; out: string }> {
  const out = tempDir('blaze-aiosmtpd-');
  outs.push(out);
  const args = kind === 'clear' ? [] : kind === 'auth' ? [cert, key, 'joe', 'pw secret'] : [cert, key];
  const p = execa(PYTHON, [join(FIXTURES, 'blaze_aiosmtpd.py'), kind, out, ...args], { env: { PYTHONPATH: FIXTURES }, reject: false });
  peers.push(p);
  let said = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`aiosmtpd did not start: ${said}`)), 15_000);
    p.stdout!.on('data', (d: Buffer) => {
      said += d.toString();
      const m = /^PORT (\d+)$/m.exec(said);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    p.then((r) => {
      clearTimeout(timer);
      reject(new Error(`aiosmtpd exited: ${r.stderr}`));
    });
  });
  return { port, out };
}

function delivered(out: string): Array<{ data: string; meta: { mail_from: string; rcpt_tos: string[]; tls: boolean; auth: boolean } }> {
  return readdirSync(out)
    .filter((f) => f.endsWith('.eml'))
    .sort()
    .map((f) => ({ data: readFileSync(join(out, f), 'latin1'), meta: JSON.parse(readFileSync(join(out, f.replace('.eml', '.json')), 'utf8')) }));
}

describe('blaze submit -> aiosmtpd', () => {
  beforeAll(async () => {
    work = tempDir();
    const pair = await selfSignedCertificate('localhost');
    cert = join(work, 'cert.pem');
    key = join(work, 'key.pem');
    writeFileSync(cert, pair.cert);
    writeFileSync(key, pair.key);
    writeFileSync(join(work, 'msg.eml'), MESSAGE);
    writeFileSync(join(work, 'msg-lf.eml'), MESSAGE.replace(/\r\n/g, '\n'));
    writeFileSync(join(work, 'pw'), 'pw secret\n');
    writeFileSync(join(work, 'bad-pw'), 'nope\n');
  });
  afterAll(async () => {
    for (const p of peers) p.kill();
    await Promise.all(peers);
    rmSync(work, { recursive: true, force: true });
    for (const o of outs) rmSync(o, { recursive: true, force: true });
  });

  it('in clear (--tls none): exact bytes, Bcc stripped but in the envelope, queue id reported', async () => {
    const { port, out } = await peer('clear');
    const r = await execa(BLAZE, ['submit', '--tls', 'none', join(work, 'msg.eml'), `127.0.0.1:${port}`], { reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe('250 2.0.0 OK queued as aiosmtpd-1');
    const [m] = delivered(out);
    expect(m.data).toBe(DELIVERED);
    expect(m.meta.mail_from).toBe('alice@example.org');
    expect(m.meta.rcpt_tos).toEqual(['bob@example.net', 'carol@example.net', 'secret@example.com']);
  });

  it('LF input from stdin with -r and --sender: sent as CRLF', async () => {
    const { port, out } = await peer('clear');
    const r = await execa(BLAZE, ['submit', '--tls', 'none', '--sender', 'bounce@example.org', '-r', 'only@example.net', `127.0.0.1:${port}`], {
      inputFile: join(work, 'msg-lf.eml'),
      reject: false,
    });
    expect(r.exitCode, r.stderr).toBe(0);
    const [m] = delivered(out);
    expect(m.data).toBe(DELIVERED);
    expect(m.meta.mail_from).toBe('bounce@example.org');
    expect(m.meta.rcpt_tos).toEqual(['only@example.net']);
  });

  it('STARTTLS with the server certificate checked against --ca', async () => {
    const { port, out } = await peer('starttls');
    const r = await execa(BLAZE, ['submit', '--ca', cert, '-v', join(work, 'msg.eml'), `127.0.0.1:${port}`], { reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain('C: STARTTLS');
    expect(r.stderr).toMatch(/TLS established/);
    const [m] = delivered(out);
    expect(m.data).toBe(DELIVERED);
    expect(m.meta.tls).toBe(true);
  });

  it('STARTTLS with an untrusted certificate fails (exit 75) unless --insecure', async () => {
    const { port, out } = await peer('starttls');
    const bad = await execa(BLAZE, ['submit', join(work, 'msg.eml'), `127.0.0.1:${port}`], { reject: false });
    expect(bad.exitCode).toBe(75);
    expect(bad.stderr).toMatch(/^blaze: submit: 127\.0\.0\.1:\d+: TLS handshake with 127\.0\.0\.1: .*(self.signed|certificate)/);
    expect(delivered(out)).toEqual([]);
    const ok = await execa(BLAZE, ['submit', '--insecure', join(work, 'msg.eml'), `127.0.0.1:${port}`], { reject: false });
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(delivered(out)[0].data).toBe(DELIVERED);
  });

  it('implicit TLS (--tls implicit)', async () => {
    const { port, out } = await peer('smtps');
    const r = await execa(BLAZE, ['submit', '--tls', 'implicit', '--ca', cert, join(work, 'msg.eml'), `127.0.0.1:${port}`], { reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(delivered(out)[0].data).toBe(DELIVERED);
  });

  it('STARTTLS + AUTH PLAIN (--password-file) and AUTH LOGIN (BLAZE_PASSWORD)', async () => {
    const { port, out } = await peer('auth');
    const a = await execa(BLAZE, ['submit', '--ca', cert, '--user', 'joe', '--password-file', join(work, 'pw'), join(work, 'msg.eml'), `127.0.0.1:${port}`], { reject: false });
    expect(a.exitCode, a.stderr).toBe(0);
    const b = await execa(BLAZE, ['submit', '--ca', cert, '--user', 'joe', '--auth', 'login', '-v', join(work, 'msg.eml'), `127.0.0.1:${port}`], {
      reject: false,
      env: { BLAZE_PASSWORD: 'pw secret' },
    });
    expect(b.exitCode, b.stderr).toBe(0);
    expect(b.stderr).toContain('C: AUTH LOGIN');
    expect(b.stderr).not.toContain(Buffer.from('pw secret').toString('base64'));
    const got = delivered(out);
    expect(got.map((m) => m.data)).toEqual([DELIVERED, DELIVERED]);
    expect(got.every((m) => m.meta.auth && m.meta.tls)).toBe(true);
  });

  it('a wrong password: exit 1, one line naming the reply, nothing delivered', async () => {
    const { port, out } = await peer('auth');
    const r = await execa(BLAZE, ['submit', '--ca', cert, '--user', 'joe', '--password-file', join(work, 'bad-pw'), join(work, 'msg.eml'), `127.0.0.1:${port}`], { reject: false });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^blaze: submit: 127\.0\.0\.1:\d+: AUTH: 535 5\.7\.8 Authentication credentials invalid$/);
    expect(delivered(out)).toEqual([]);
  });

  it('a server that requires STARTTLS refuses MAIL in clear: exit 1', async () => {
    const { port, out } = await peer('starttls');
    const r = await execa(BLAZE, ['submit', '--tls', 'none', join(work, 'msg.eml'), `127.0.0.1:${port}`], { reject: false });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/530/);
    expect(delivered(out)).toEqual([]);
  });
});
