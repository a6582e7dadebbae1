import { describe, expect, it, afterAll, beforeAll } from 'vitest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryResolver, staticResolver, systemResolver, parseStaticZone, txtStrings, type Resolver } from '../../src/dns/index.ts';
import { startFakeDns, type FakeDns } from './fake-server.ts';
import { expectEndedByTimeout } from '../support/timeouts.ts';

describe('memoryResolver', () => {
  const r = memoryResolver({
    'Example.org.': { TXT: ['v=spf1 -all', ['a', 'b']], A: ['192.0.2.1'] },
    'slow.example': 'TIMEOUT',
  });
  it('answers records, keeps character-strings, ignores case and trailing dot', async () => {
    const a = await r.resolve({ name: 'EXAMPLE.org', type: 'TXT' });
    expect(a).toEqual({ ok: true, type: 'TXT', records: [['v=spf1 -all'], ['a', 'b']] });
    expect(txtStrings(a)).toEqual(['v=spf1 -all', 'ab']);
  });
  it('distinguishes nxdomain, nodata and timeout', async () => {
    expect(await r.resolve({ name: 'none.example', type: 'TXT' })).toMatchObject({ ok: false, error: 'nxdomain' });
    expect(await r.resolve({ name: 'example.org', type: 'MX' })).toMatchObject({ ok: false, error: 'nodata' });
    expect(await r.resolve({ name: 'slow.example', type: 'A' })).toMatchObject({ ok: false, error: 'timeout' });
  });
});

describe('staticResolver (--dns-static DIR)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'blaze-dns-static-'));
    const long = 'p=' + 'A'.repeat(400);
    await writeFile(
      join(dir, 'example.org.dns'),
      ['# comment', 'txt:v=spf1 ip4:192.0.2.0/24 -all', `txt:v=DKIM1; ${long}`, 'a:192.0.2.1 192.0.2.2', 'aaaa:2001:db8::1', 'mx:10:mx1.example.org 20:mx2.example.org.', 'ptr:host.example.org', ''].join('\n'),
    );
    await writeFile(join(dir, 'crlf.example.dns'), 'txt:hello world\r\n');
  });
  it('parses every record type of the original format', () => {
    const z = parseStaticZone('txt:a b  c\na:1.2.3.4 5.6.7.8\nmx:5:x.y\nptr:p.q.\naaaa:::1\n');
    expect(z).toEqual({ TXT: [['a b  c']], A: ['1.2.3.4', '5.6.7.8'], AAAA: ['::1'], MX: [{ preference: 5, exchange: 'x.y' }], PTR: ['p.q'] });
  });
  it('answers from <domain>.dns files; TXT over 255 octets is split into character-strings', async () => {
    const r = staticResolver(dir);
    const txt = await r.resolve({ name: 'Example.ORG.', type: 'TXT' });
    expect(txt.ok).toBe(true);
    if (!txt.ok) return;
    expect(txt.records[0]).toEqual(['v=spf1 ip4:192.0.2.0/24 -all']);
    expect(txt.records[1].length).toBe(2);
    expect(txt.records[1][0].length).toBe(255);
    expect(txtStrings(txt)[1]).toBe('v=DKIM1; p=' + 'A'.repeat(400));
    expect(await r.resolve({ name: 'example.org', type: 'A' })).toEqual({ ok: true, type: 'A', records: ['192.0.2.1', '192.0.2.2'] });
    expect(await r.resolve({ name: 'example.org', type: 'AAAA' })).toEqual({ ok: true, type: 'AAAA', records: ['2001:db8::1'] });
    expect(await r.resolve({ name: 'example.org', type: 'MX' })).toEqual({
      ok: true,
      type: 'MX',
      records: [{ preference: 10, exchange: 'mx1.example.org' }, { preference: 20, exchange: 'mx2.example.org' }],
    });
    expect(await r.resolve({ name: 'example.org', type: 'PTR' })).toEqual({ ok: true, type: 'PTR', records: ['host.example.org'] });
    expect(txtStrings(await r.resolve({ name: 'crlf.example', type: 'TXT' }))).toEqual(['hello world']);
  });
  it('a name without a file is nxdomain offline, else the fallback answers', async () => {
    expect(await staticResolver(dir).resolve({ name: 'other.example', type: 'TXT' })).toMatchObject({ ok: false, error: 'nxdomain' });
    expect(await staticResolver(dir).resolve({ name: '../etc/passwd', type: 'TXT' })).toMatchObject({ ok: false, error: 'nxdomain' });
    const fb: Resolver = memoryResolver({ 'other.example': { TXT: ['from fallback'] } });
    expect(txtStrings(await staticResolver(dir, { fallback: fb }).resolve({ name: 'other.example', type: 'TXT' }))).toEqual(['from fallback']);
    expect(await staticResolver(dir, { fallback: fb }).resolve({ name: 'crlf.example', type: 'A' })).toMatchObject({ ok: false, error: 'nodata' });
  });
});

describe('systemResolver against a local nameserver', () => {
  let dns: FakeDns;
  let truncating: FakeDns;
  beforeAll(async () => {
    const zone = {
      'txt.test': { TXT: [['v=DKIM1; ', 'p=abc'], ['second']], A: ['192.0.2.7'] },
      'big.test': { TXT: [Array.from({ length: 8 }, (_, i) => String(i).repeat(200))] },
      'broken.test': 'SERVFAIL' as const,
      'silent.test': 'DROP' as const,
    };
    dns = await startFakeDns(zone);
    truncating = await startFakeDns(zone, { truncateUdp: true });
  });
  afterAll(async () => {
    await dns.close();
    await truncating.close();
  });
  it('answers TXT (character-strings kept) and A', async () => {
    const r = systemResolver({ servers: [dns.address], timeoutMs: 2000 });
    expect(await r.resolve({ name: 'txt.test', type: 'TXT' })).toEqual({ ok: true, type: 'TXT', records: [['v=DKIM1; ', 'p=abc'], ['second']] });
    expect(await r.resolve({ name: 'txt.test', type: 'A' })).toEqual({ ok: true, type: 'A', records: ['192.0.2.7'] });
  });
  it('maps NXDOMAIN, no data, SERVFAIL and silence to distinct errors', async () => {
    const r = systemResolver({ servers: [dns.address], timeoutMs: 600 });
    expect(await r.resolve({ name: 'nothing.test', type: 'TXT' })).toMatchObject({ ok: false, error: 'nxdomain' });
    expect(await r.resolve({ name: 'txt.test', type: 'MX' })).toMatchObject({ ok: false, error: 'nodata' });
    expect(await r.resolve({ name: 'broken.test', type: 'TXT' })).toMatchObject({ ok: false, error: 'servfail' });
    const t0 = Date.now();
    expect(await r.resolve({ name: 'silent.test', type: 'TXT' })).toMatchObject({ ok: false, error: 'timeout' });
    expectEndedByTimeout(Date.now() - t0, 600, { what: 'a question to a silent server' });
  });
  it('retries a truncated UDP answer over TCP (c-ares does it)', async () => {
    const r = systemResolver({ servers: [truncating.address], timeoutMs: 2000 });
    const a = await r.resolve({ name: 'big.test', type: 'TXT' });
    expect(a.ok).toBe(true);
    expect(txtStrings(a)[0].length).toBe(1600);
    expect(truncating.udpQueries).toBeGreaterThan(0);
    expect(truncating.tcpQueries).toBeGreaterThan(0);
  });
});
