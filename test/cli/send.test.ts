// blaze send: direct delivery to blaze srv, through --mx and through MX
// records served by --dns-static (preference order with a dead first MX,
// implicit MX, null MX), per-recipient results and exit codes, the dry run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BLAZE, maildirMessages, splitReceived, startSrv, tempDir, type Srv } from '../smtp/support.ts';

const MSG = 'From: Alice <alice@example.org>\r\nTo: bob@example.test, carol@plain.test\r\nBcc: nobody@nomail.test\r\nSubject: send\r\n\r\nhello\r\n';
const SENT = MSG.replace('Bcc: nobody@nomail.test\r\n', '');

describe('blaze send', () => {
  let srv: Srv;
  let dns: string;
  let work: string;
  beforeAll(async () => {
    srv = await startSrv(['-h', 'mx.test']);
    work = tempDir();
    dns = join(work, 'dns');
    (await import('node:fs')).mkdirSync(dns);
    // example.test: the preferred MX (127.0.0.2) refuses connections, the second one is blaze srv.
    writeFileSync(join(dns, 'example.test.dns'), 'mx:20:mx2.example.test\nmx:10:mx1.example.test\n');
    writeFileSync(join(dns, 'mx1.example.test.dns'), 'a:127.0.0.2\n');
    writeFileSync(join(dns, 'mx2.example.test.dns'), 'a:127.0.0.1\n');
    writeFileSync(join(dns, 'plain.test.dns'), 'a:127.0.0.1\n'); // no MX: implicit MX
    writeFileSync(join(dns, 'nomail.test.dns'), 'mx:0:.\na:127.0.0.1\n'); // RFC 7505 null MX
    writeFileSync(join(work, 'msg.eml'), MSG);
  });
  afterAll(async () => {
    await srv.stop();
    rmSync(srv.dir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('--mx HOST:PORT delivers every recipient there (Bcc stripped from the message)', async () => {
    const before = maildirMessages(srv.dir).length;
    const r = await execa(BLAZE, ['send', '--mx', `127.0.0.1:${srv.port}`, '-r', 'x@one.test', '-r', 'y@two.test', join(work, 'msg.eml')], { reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^x@one\\.test: sent via 127\\.0\\.0\\.1:${srv.port}: 250 2\\.0\\.0 Ok: queued as \\S+$`));
    expect(lines[1]).toMatch(/^y@two\.test: sent via /);
    const stored = maildirMessages(srv.dir).slice(before);
    expect(stored.length).toBe(2); // one session per domain
    for (const m of stored) expect(splitReceived(m).rest.toString()).toBe(SENT);
  });

  it('MX records from --dns-static: preference order with fallback, implicit MX, null MX refused (exit 1)', async () => {
    const before = maildirMessages(srv.dir).length;
    const r = await execa(BLAZE, ['send', '--dns-static', dns, '--offline', '--port', String(srv.port), '--json', join(work, 'msg.eml')], { reject: false, input: '' });
    expect(r.exitCode, r.stderr).toBe(1);
    const out = JSON.parse(r.stdout);
    const by = Object.fromEntries(out.recipients.map((x: { recipient: string }) => [x.recipient, x]));
    expect(by['bob@example.test']).toMatchObject({ ok: true, failure: null, via: `mx2.example.test [127.0.0.1]:${srv.port}` });
    expect(by['carol@plain.test']).toMatchObject({ ok: true, via: `plain.test [127.0.0.1]:${srv.port}` });
    expect(by['nobody@nomail.test']).toMatchObject({ ok: false, failure: 'permanent', reply: 'nomail.test does not accept mail (null MX, RFC 7505)' });
    expect(maildirMessages(srv.dir).length).toBe(before + 2);
  });

  it('only a dead MX: temporary failure, exit 75', async () => {
    const r = await execa(BLAZE, ['send', '--dns-static', dns, '--offline', '--port', String(srv.port), '-r', 'z@mx1.example.test', join(work, 'msg.eml')], { reject: false });
    expect(r.exitCode).toBe(75);
    expect(r.stdout).toMatch(/^z@mx1\.example\.test: temporary failure at mx1\.example\.test \[127\.0\.0\.2\]:\d+: .*connection refused$/);
  });

  it('an unknown domain (offline NXDOMAIN) is a permanent failure', async () => {
    const r = await execa(BLAZE, ['send', '--dns-static', dns, '--offline', '-r', 'a@nowhere.test', join(work, 'msg.eml')], { reject: false });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('a@nowhere.test: permanent failure: nowhere.test: no such domain');
  });

  it('opportunistic STARTTLS: used when offered, whatever the certificate', async () => {
    const tlsSrv = await startSrv(['--tls', 'auto', '--json']);
    const r = await execa(BLAZE, ['send', '--mx', `127.0.0.1:${tlsSrv.port}`, '-r', 'x@tls.test', join(work, 'msg.eml')], { reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    const log = (await tlsSrv.stop()).stderr;
    rmSync(tlsSrv.dir, { recursive: true, force: true });
    expect(log.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((e) => e.event === 'message')).toMatchObject({ tls: true, recipients: ['x@tls.test'] });
  });

  it('--mx - is a dry run: the dialogue per domain, no network', async () => {
    const r = await execa(BLAZE, ['send', '--mx', '-', '-h', 'me.test', '--tls', 'none'], { input: MSG, stripFinalNewline: false });
    expect(r.stdout).toBe(
      [
        '; example.test: bob@example.test',
        'EHLO me.test\r\nMAIL FROM:<alice@example.org> BODY=8BITMIME\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n' + SENT + '.\r\nQUIT\r\n; plain.test: carol@plain.test',
        'EHLO me.test\r\nMAIL FROM:<alice@example.org> BODY=8BITMIME\r\nRCPT TO:<carol@plain.test>\r\nDATA\r\n' + SENT + '.\r\nQUIT\r\n; nomail.test: nobody@nomail.test',
        'EHLO me.test\r\nMAIL FROM:<alice@example.org> BODY=8BITMIME\r\nRCPT TO:<nobody@nomail.test>\r\nDATA\r\n' + SENT + '.\r\nQUIT\r\n',
      ].join('\n'),
    );
  });
});
