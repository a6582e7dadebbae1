// commands/_lib/flags.ts: the value grammars every command shares (man
// blaze(1), VALUES), and the resolver the DNS flags describe. Expected values
// are computed by hand (epoch seconds checked with `date -u -d @N`).
import { describe, expect, it } from 'vitest';
import {
  dnsSettings, formatHostPort, looksLikeIp, parseCount, parseDuration, parseHostPort, parseNameserver, parseNow, parseSize, parseTime,
  parseZone, splitHostPort,
} from '../../commands/_lib/flags.ts';
import { resolverFromOptions } from '../../commands/_lib/resolver.ts';

describe('--now and dates', () => {
  it('reads RFC 3339 date-times with Z, an offset, a fraction, t/z in lower case and a space (RFC 3339 §5.6)', () => {
    expect(parseNow('2024-05-01T12:00:00Z').getTime()).toBe(Date.UTC(2024, 4, 1, 12));
    expect(parseNow('2024-05-01T14:00:00+02:00').getTime()).toBe(Date.UTC(2024, 4, 1, 12));
    expect(parseNow('2024-05-01T10:30:00-01:30').getTime()).toBe(Date.UTC(2024, 4, 1, 12));
    expect(parseNow('2024-05-01t12:00:00.250z').getTime()).toBe(Date.UTC(2024, 4, 1, 12, 0, 0, 250));
    expect(parseNow('2024-05-01 12:00:00Z').getTime()).toBe(Date.UTC(2024, 4, 1, 12));
    expect(parseNow('2024-05-01T14:00:00+0200').getTime()).toBe(Date.UTC(2024, 4, 1, 12));
  });
  it('takes a time without a zone, and a bare date, as UTC', () => {
    expect(parseNow('2024-05-01T12:00:00').getTime()).toBe(Date.UTC(2024, 4, 1, 12));
    expect(parseNow('2024-05-01T12:00').getTime()).toBe(Date.UTC(2024, 4, 1, 12));
    expect(parseNow('2024-05-01').getTime()).toBe(Date.UTC(2024, 4, 1));
  });
  it('reads @EPOCH seconds (date +%s) and now', () => {
    expect(parseNow('@1700000000').getTime()).toBe(1_700_000_000_000); // 2023-11-14T22:13:20Z
    expect(parseNow('@1700000000.5').getTime()).toBe(1_700_000_000_500);
    expect(parseNow('@0').getTime()).toBe(0);
    expect(Math.abs(parseNow('now').getTime() - Date.now())).toBeLessThan(5000);
    expect(Math.abs(parseNow(undefined).getTime() - Date.now())).toBeLessThan(5000);
  });
  it('refuses what is not a date, and impossible calendar dates, naming the flag', () => {
    for (const bad of ['yesterday', '', '2024-13-01T00:00:00Z', '2023-02-29T00:00:00Z', '2024-04-31', '2024-05-01T24:00:00Z', '2024-05-01T12:60:00Z', '@-5', '@', '1700000000', '2024-05-01T12:00:00+25:00']) {
      expect(() => parseNow(bad), bad).toThrow(/^--now: expected an RFC 3339 date/);
    }
    expect(() => parseNow('soon', '--date')).toThrow(/^--date: /);
    expect(parseNow('2024-02-29T00:00:00Z').getTime()).toBe(Date.UTC(2024, 1, 29)); // a leap year
  });
  it('keeps the offset a date was written with (for a Date field), and none when there was none', () => {
    expect(parseTime('2017-03-30T15:00:00+02:00')).toEqual({ date: new Date('2017-03-30T13:00:00Z'), offsetMinutes: 120 });
    expect(parseTime('2017-03-30T15:00:00Z')).toEqual({ date: new Date('2017-03-30T15:00:00Z'), offsetMinutes: 0 });
    expect(parseTime('2017-03-30T15:00:00')).toEqual({ date: new Date('2017-03-30T15:00:00Z') });
    expect(parseTime('@1490886000')).toEqual({ date: new Date('2017-03-30T15:00:00Z') });
  });
  it('--zone: ±HHMM, ±HH:MM, Z', () => {
    expect(parseZone('+0100')).toBe(60);
    expect(parseZone('-05:30')).toBe(-330);
    expect(parseZone('Z')).toBe(0);
    expect(() => parseZone('0100')).toThrow("--zone: expected +HHMM or -HHMM, got '0100'");
    expect(() => parseZone('+2400')).toThrow(/--zone/);
  });
});

describe('durations', () => {
  it('reads ms, s, m, h, d, w; a bare number is seconds', () => {
    expect(parseDuration('300ms', '--x')).toBe(300);
    expect(parseDuration('5s', '--x')).toBe(5000);
    expect(parseDuration('2m', '--x')).toBe(120_000);
    expect(parseDuration('1.5h', '--x')).toBe(5_400_000);
    expect(parseDuration('7d', '--x')).toBe(7 * 86_400_000);
    expect(parseDuration('1w', '--x')).toBe(604_800_000);
    expect(parseDuration('7', '--x')).toBe(7000);
    expect(parseDuration('30S', '--x')).toBe(30_000);
  });
  it('refuses other text, and zero where a timeout needs time', () => {
    expect(() => parseDuration('soon', '--timeout')).toThrow("--timeout: bad duration 'soon' (expected e.g. 300ms, 5s, 2m, 1h, 7d)");
    expect(() => parseDuration('5 minutes', '--timeout')).toThrow(/bad duration/);
    expect(() => parseDuration('-1s', '--timeout')).toThrow(/bad duration/);
    expect(parseDuration('0s', '--expire')).toBe(0);
    expect(() => parseDuration('0s', '--timeout', { positive: true })).toThrow("--timeout: must be more than zero, got '0s'");
  });
});

describe('sizes', () => {
  it('reads bytes with k, M, G, T as powers of 1024, with or without B / iB', () => {
    expect(parseSize('1048576', '--max-size')).toBe(1_048_576);
    expect(parseSize('10k', '--max-size')).toBe(10_240);
    expect(parseSize('25M', '--max-size')).toBe(26_214_400);
    expect(parseSize('25MB', '--max-size')).toBe(26_214_400);
    expect(parseSize('1.5GiB', '--max-size')).toBe(1_610_612_736);
    expect(parseSize('512b', '--max-size')).toBe(512);
  });
  it('refuses other text', () => {
    expect(() => parseSize('lots', '--max-size')).toThrow('--max-size: not a size: lots');
    expect(() => parseSize('25X', '--max-size')).toThrow(/not a size/);
    expect(() => parseSize('-1', '--max-size')).toThrow(/not a size/);
  });
});

describe('counts', () => {
  it('reads whole numbers within bounds', () => {
    expect(parseCount('25', '--port', { min: 1, max: 65535 })).toBe(25);
    expect(() => parseCount('0', '--port', { min: 1, max: 65535 })).toThrow("--port: expected a whole number from 1 to 65535, got '0'");
    expect(() => parseCount('2.5', '--max-connections', { min: 1 })).toThrow('--max-connections: expected a whole number of at least 1');
  });
});

describe('HOST[:PORT]', () => {
  const submit = { defaultPort: 587 };
  it('reads names, IPv4, bracketed IPv6 with or without a port, and a bare IPv6 address', () => {
    expect(parseHostPort('mail.example.org', submit)).toEqual({ host: 'mail.example.org', port: 587 });
    expect(parseHostPort('mail.example.org:465', submit)).toEqual({ host: 'mail.example.org', port: 465 });
    expect(parseHostPort('192.0.2.1:25', submit)).toEqual({ host: '192.0.2.1', port: 25 });
    expect(parseHostPort('[2001:db8::1]:2525', submit)).toEqual({ host: '2001:db8::1', port: 2525 });
    expect(parseHostPort('[::1]', submit)).toEqual({ host: '::1', port: 587 });
    expect(parseHostPort('2001:db8::1', submit)).toEqual({ host: '2001:db8::1', port: 587 });
  });
  it('a listener: PORT alone, :PORT, port 0 (any free port)', () => {
    const srv = { defaultPort: 2525, defaultHost: '127.0.0.1', portOnly: true, allowZero: true };
    expect(parseHostPort('2526', srv)).toEqual({ host: '127.0.0.1', port: 2526 });
    expect(parseHostPort(':0', srv)).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseHostPort('0.0.0.0', srv)).toEqual({ host: '0.0.0.0', port: 2525 });
    expect(parseHostPort('[::]:25', srv)).toEqual({ host: '::', port: 25 });
  });
  it('refuses ports out of range, a missing host, junk', () => {
    expect(() => parseHostPort('host:99999', submit)).toThrow('host:99999: expected HOST[:PORT]');
    expect(() => parseHostPort('host:0', submit)).toThrow(/expected HOST\[:PORT\]/);
    expect(() => parseHostPort(':25', submit)).toThrow(/expected HOST\[:PORT\]/);
    expect(() => parseHostPort('host:smtp', { ...submit, flag: '--mx' })).toThrow('--mx: host:smtp: expected HOST[:PORT]');
    expect(() => parseHostPort('a b', submit)).toThrow(/expected/);
    expect(splitHostPort('2525', submit)).toEqual({ host: '2525', port: 587 }); // a name, unless portOnly
  });
  it('formats with brackets around IPv6', () => {
    expect(formatHostPort({ host: '::1', port: 53 })).toBe('[::1]:53');
    expect(formatHostPort({ host: '127.0.0.1', port: 5353 })).toBe('127.0.0.1:5353');
  });
});

describe('DNS flags', () => {
  it('a nameserver is an IP address, port 53 by default', () => {
    expect(parseNameserver('127.0.0.1:5353')).toEqual({ host: '127.0.0.1', port: 5353 });
    expect(parseNameserver('[::1]:53')).toEqual({ host: '::1', port: 53 });
    expect(parseNameserver('9.9.9.9')).toEqual({ host: '9.9.9.9', port: 53 });
    expect(() => parseNameserver('not-an-ip')).toThrow(/--nameserver not-an-ip: not an IP\[:PORT\] nameserver/);
    expect(() => parseNameserver('1.2.3.4:99999')).toThrow(/port/);
    expect(() => parseNameserver('256.1.1.1')).toThrow(/nameserver/);
    expect(looksLikeIp('2001:db8::53')).toBe(true);
    expect(looksLikeIp('dns.example')).toBe(false);
  });
  it('settings: servers, timeout (default 5s, positive), static directory, offline', () => {
    expect(dnsSettings({})).toEqual({ servers: [], staticDir: undefined, timeoutMs: 5000, offline: false });
    expect(dnsSettings({ nameserver: ['127.0.0.1:5353'], dnsTimeout: '300ms', offline: true, dnsStatic: 'dir' })).toEqual({
      servers: [{ host: '127.0.0.1', port: 5353 }],
      staticDir: 'dir',
      timeoutMs: 300,
      offline: true,
    });
    expect(() => dnsSettings({ dnsTimeout: '0' })).toThrow(/--dns-timeout: must be more than zero/);
    expect(() => dnsSettings({ dnsTimeout: 'soon' })).toThrow(/--dns-timeout: bad duration/);
  });
  it('--offline without --dns-static: every name is nxdomain', async () => {
    const r = resolverFromOptions({ offline: true });
    expect(await r.resolve({ name: 'example.org', type: 'TXT' })).toMatchObject({ ok: false, error: 'nxdomain' });
  });
  it('the resolver refuses a bad nameserver', () => {
    expect(() => resolverFromOptions({ nameserver: ['not-an-ip'] })).toThrow(/nameserver/);
    expect(() => resolverFromOptions({ nameserver: ['1.2.3.4:99999'] })).toThrow(/port/);
    expect(() => resolverFromOptions({ nameserver: ['127.0.0.1:5353', '[::1]:53'] })).not.toThrow();
  });
  it('-v logs each question and answer through the trace', async () => {
    const lines: string[] = [];
    const r = resolverFromOptions({ offline: true }, { trace: (l) => lines.push(l) });
    await r.resolve({ name: 'example.org', type: 'MX' });
    expect(lines).toEqual(['dns: example.org MX -> nxdomain']);
  });
});
