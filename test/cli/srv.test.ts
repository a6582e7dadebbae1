// blaze srv as a shell sees it: destinations (Maildir, one file, mbox), the
// log lines (text and --json), HELO vs EHLO in Received, usage errors.
import { afterAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { copyFileSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import net from 'node:net';
import { BLAZE, maildirMessages, splitReceived, startSrv, tempDir, until } from '../smtp/support.ts';

const dirs: string[] = [];
const tmp = (): string => {
  const d = tempDir();
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const MSG = 'From: a@example.org\r\nTo: b@example.net\r\nSubject: srv\r\n\r\nFrom the start\r\n>From quoted\r\nend\r\n';

async function submit(port: number, msg = MSG, extra: string[] = []): Promise<void> {
  const r = await execa(BLAZE, ['submit', '--tls', 'none', '-h', 'client.test', ...extra, `127.0.0.1:${port}`], { input: msg, reject: false });
  expect(r.exitCode, r.stderr).toBe(0);
}

/** Waits for the `listening on` line of a srv started by hand; returns its port. */
async function portOf(p: ReturnType<typeof execa>, err: () => string): Promise<number> {
  await until(() => /listening on 127\.0\.0\.1:\d+/.test(err()) || p.exitCode != null, 10_000, 'listening');
  return Number(/listening on 127\.0\.0\.1:(\d+)/.exec(err())![1]);
}

describe('blaze srv', () => {
  it('stores into a Maildir with a Received field, logs one line per message', async () => {
    const s = await startSrv(['-h', 'mx.test']);
    dirs.push(s.dir);
    await submit(s.port);
    await submit(s.port, MSG.replace('Subject: srv', 'Subject: two'), ['-r', 'c@example.net', '-r', 'd@example.net']);
    const stored = maildirMessages(s.dir);
    expect(stored.length).toBe(2);
    const texts = stored.map((b) => splitReceived(b).rest.toString());
    expect(texts.sort()).toEqual([MSG, MSG.replace('Subject: srv', 'Subject: two')].sort());
    const r = await s.stop();
    expect(r.exitCode).toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toBe(`blaze: srv: listening on 127.0.0.1:${s.port}, storing into ${s.dir} (Maildir)`);
    expect(lines.slice(1).some((l) => new RegExp(`^blaze: srv: 127\\.0\\.0\\.1:\\d+ from=<a@example\\.org> to=<c@example\\.net>,<d@example\\.net> size=${MSG.length} -> ${s.dir}/new/\\S+$`).test(l))).toBe(true);
  });

  it('-v traces the dialogue on stderr without the AUTH secrets', async () => {
    const s = await startSrv(['-v', '--auth', 'u:sesame', '--allow-insecure-auth']);
    dirs.push(s.dir);
    const r = await execa(BLAZE, ['submit', '--tls', 'none', '--user', 'u', '--auth', 'login', `127.0.0.1:${s.port}`], { input: MSG, env: { BLAZE_PASSWORD: 'sesame' }, reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    const log = (await s.stop()).stderr;
    expect(log).toMatch(/^127\.0\.0\.1:\d+ C: AUTH LOGIN$/m);
    expect(log).toMatch(/^127\.0\.0\.1:\d+ C: <auth data>$/m);
    expect(log).toMatch(/^127\.0\.0\.1:\d+ S: 235 2\.7\.0 /m);
    expect(log).not.toContain(Buffer.from('sesame').toString('base64'));
  });

  it('--json logs JSON lines', async () => {
    const s = await startSrv(['--json']);
    dirs.push(s.dir);
    await submit(s.port);
    const r = await s.stop();
    const events = r.stderr.trim().split('\n').map((l) => JSON.parse(l));
    expect(events[0]).toMatchObject({ event: 'listening', address: '127.0.0.1', port: s.port, store: 'maildir', path: s.dir, tls: false });
    const m = events.find((e) => e.event === 'message');
    expect(m).toMatchObject({ from: 'a@example.org', recipients: ['b@example.net'], size: MSG.length, tls: false, user: null });
    expect(existsSync(m.stored)).toBe(true);
  });

  it('-o FILE with --once: one message written there, then exit 0', async () => {
    const d = tmp();
    const out = join(d, 'one.eml');
    let err = '';
    const p = execa(BLAZE, ['srv', '127.0.0.1:0', '--once', '-o', out], { reject: false });
    p.stderr!.on('data', (x: Buffer) => (err += x));
    const port = await portOf(p, () => err);
    await submit(port);
    const r = await p;
    expect(r.exitCode).toBe(0);
    expect(splitReceived(readFileSync(out)).rest.toString()).toBe(MSG);
    expect(readdirSync(d)).toEqual(['one.eml']);
  });

  it('--mbox appends in mboxrd form (LF, From_ line, >From quoting)', async () => {
    const d = tmp();
    const mbox = join(d, 'box');
    let err = '';
    const p = execa(BLAZE, ['srv', '127.0.0.1:0', '--mbox', mbox], { reject: false });
    p.stderr!.on('data', (x: Buffer) => (err += x));
    const port = await portOf(p, () => err);
    await submit(port);
    await submit(port);
    p.kill('SIGTERM');
    expect((await p).exitCode).toBe(0);
    const text = readFileSync(mbox, 'utf8');
    const parts = text.split(/^From a@example\.org .+$/m);
    expect(parts.length).toBe(3);
    // asctime(3) in UTC: the day padded with a space, as C, Python and mutt write it.
    for (const l of text.match(/^From a@example\.org .+$/gm)!) expect(l).toMatch(/^From a@example\.org (Sun|Mon|Tue|Wed|Thu|Fri|Sat) [A-Z][a-z]{2} [ 123]\d \d\d:\d\d:\d\d \d{4}$/);
    for (const part of parts.slice(1)) {
      const body = part.replace(/^\nReceived:[^\n]*\n(?:[ \t][^\n]*\n)*/, '');
      expect(body).toBe(MSG.replace(/\r\n/g, '\n').replace('\nFrom the start', '\n>From the start').replace('\n>From quoted', '\n>>From quoted') + '\n');
    }
    expect(readdirSync(d)).toEqual(['box']);
  });

  it('HELO clients get "with SMTP" in the Received field', async () => {
    const s = await startSrv(['-h', 'mx.test']);
    dirs.push(s.dir);
    const sock = net.connect({ host: '127.0.0.1', port: s.port });
    let text = '';
    sock.on('data', (d) => (text += d));
    await until(() => text.startsWith('220'), 5000, 'greeting');
    sock.write('HELO old.client\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nDATA\r\n');
    await until(() => text.includes('354'), 5000, '354');
    sock.write('Subject: x\r\n\r\nhi\r\n.\r\nQUIT\r\n');
    await until(() => text.includes('221'), 5000, '221');
    const [m] = maildirMessages(s.dir);
    expect(splitReceived(m).received).toMatch(/^Received: from old\.client \(\[127\.0\.0\.1\]\)\s+by mx\.test\s+with SMTP\s+id [0-9a-f]+\s+for <c@d\.test>; /);
    await s.stop();
  });

  it('without -o: a new temporary Maildir, printed at start', async () => {
    let err = '';
    const p = execa(BLAZE, ['srv', '127.0.0.1:0'], { reject: false });
    p.stderr!.on('data', (x: Buffer) => (err += x));
    await portOf(p, () => err);
    const dir = /storing into (\S+) \(Maildir\)/.exec(err)![1];
    dirs.push(dir);
    expect(readdirSync(dir).sort()).toEqual(['cur', 'new', 'tmp']);
    p.kill('SIGINT');
    expect((await p).exitCode).toBe(0);
  });

  it('usage errors: exit 2, one line', async () => {
    const busy = net.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => busy.once('listening', r));
    const port = (busy.address() as net.AddressInfo).port;
    const inUse = await execa(BLAZE, ['srv', `127.0.0.1:${port}`, '-o', tmp()], { reject: false });
    busy.close();
    expect(inUse.exitCode).toBe(2);
    expect(inUse.stderr).toBe(`blaze: srv: 127.0.0.1:${port}: address already in use`);
    const size = await execa(BLAZE, ['srv', '--max-size', 'lots'], { reject: false });
    expect(size.exitCode).toBe(2);
    expect(size.stderr).toBe('blaze: srv: --max-size: not a size: lots');
    const auth = await execa(BLAZE, ['srv', '--auth', 'nocolon'], { reject: false });
    expect(auth.stderr).toBe('blaze: srv: --auth: expected user:pass, got "nocolon"');
    const cert = await execa(BLAZE, ['srv', '--tls-cert', join(tmp(), 'none.pem')], { reject: false });
    expect(cert.stderr).toBe('blaze: srv: --tls-cert and --tls-key go together');
  });
});

describe('blaze srv with TLS and storage trouble', () => {
  it('--tls-cert/--tls-key: blaze submit verifies it with --ca; the log says tls; SMTPUTF8 addresses pass', async () => {
    const { selfSignedCertificate } = await import('../../src/smtp/index.ts');
    const d = tmp();
    const pair = await selfSignedCertificate('mx.test');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(d, 'cert.pem'), pair.cert);
    writeFileSync(join(d, 'key.pem'), pair.key);
    const s = await startSrv(['--tls-cert', join(d, 'cert.pem'), '--tls-key', join(d, 'key.pem'), '-h', 'mx.test']);
    dirs.push(s.dir);
    const msg = 'From: Jörg <jörg@exämple.org>\r\nTo: zoë@example.net\r\nSubject: utf8\r\n\r\nhi\r\n';
    const r = await execa(BLAZE, ['submit', '--ca', join(d, 'cert.pem'), '-v', `127.0.0.1:${s.port}`], { input: msg, reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain('C: MAIL FROM:<jörg@exämple.org> BODY=8BITMIME SMTPUTF8');
    const [m] = maildirMessages(s.dir);
    expect(splitReceived(m).rest.toString()).toBe(msg);
    expect(splitReceived(m).received).toMatch(/with ESMTPS\s/);
    const out = await s.stop();
    expect(out.stderr).toMatch(/from=<jörg@exämple\.org> to=<zoë@example\.net> size=\d+ tls -> /);
  });

  it('a Maildir that disappears: 451 for the message, the server goes on', async () => {
    const s = await startSrv([]);
    dirs.push(s.dir);
    rmSync(join(s.dir, 'tmp'), { recursive: true });
    const r = await execa(BLAZE, ['submit', '--tls', 'none', `127.0.0.1:${s.port}`], { input: MSG, reject: false });
    expect(r.exitCode).toBe(75);
    expect(r.stderr).toMatch(/DATA: 451 4\.3\.0 Error storing the message/);
    (await import('node:fs')).mkdirSync(join(s.dir, 'tmp'));
    await submit(s.port);
    expect(maildirMessages(s.dir).length).toBe(1);
    await s.stop();
  });

  it('--verify prepends Authentication-Results from the session (SPF), DKIM and DMARC; forged results are not trusted', async () => {
    const fix = fileURLToPath(new URL('../../fixtures/dmarc/', import.meta.url));
    const dns = tmp();
    for (const f of readdirSync(join(fix, 'dns'))) copyFileSync(join(fix, 'dns', f), join(dns, f));
    writeFileSync(join(dns, 'example.org.dns'), 'txt:v=spf1 ip4:127.0.0.1 -all\n');
    writeFileSync(join(dns, 'other.example.dns'), 'txt:v=spf1 ip4:192.0.2.1 -all\n');
    const s = await startSrv(['-h', 'mx.test', '--verify', '--dns-static', dns, '--offline', '--json']);
    dirs.push(s.dir);
    const aligned = readFileSync(join(fix, 'aligned.eml'));
    await submit(s.port, aligned.toString('latin1'));
    const forged = 'Received-SPF: pass (forged)\r\nAuthentication-Results: mx.test; spf=pass smtp.mailfrom=x@other.example; dmarc=pass\r\n' + MSG.replace('a@example.org', 'x@other.example');
    await submit(s.port, forged);
    const r = await s.stop();
    const stored = maildirMessages(s.dir).map((b) => splitReceived(b).rest.toString('latin1'));
    const ar = (m: string) => /^Authentication-Results: ([^\r\n]*(?:\r\n[ \t][^\r\n]*)*)\r\n/.exec(m)![1].replace(/\r\n[ \t]+/g, ' ');
    const good = stored.find((m) => m.includes('dmarc test'))!;
    expect(ar(good)).toMatch(/^mx\.test; spf=pass smtp\.mailfrom=alice@example\.org smtp\.helo=client\.test; dkim=pass header\.d=example\.org header\.i=@example\.org header\.s=sel header\.b=\S+; dmarc=pass .*header\.from=example\.org$/);
    // the message itself follows, byte for byte (CRLF as sent)
    expect(good.slice(good.indexOf('DKIM-Signature:'))).toBe(aligned.toString('latin1').replace(/\r?\n/g, '\r\n'));
    const bad = stored.find((m) => m.includes('forged'))!;
    expect(ar(bad)).toMatch(/^mx\.test; spf=fail smtp\.mailfrom=x@other\.example smtp\.helo=client\.test; dkim=none; dmarc=fail .*header\.from=other\.example$/);
    expect(bad.slice(bad.indexOf('Received-SPF:'))).toBe(forged);
    const events = r.stderr.trim().split('\n').map((l) => JSON.parse(l));
    expect(events.filter((e) => e.event === 'message').map((e) => e.authResults)).toHaveLength(2);
  });
});
