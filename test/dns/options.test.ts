import { describe, expect, it } from 'vitest';
import { parseDuration, nowFromOptions, resolverFromOptions } from '../../commands/_lib/dns-options.ts';

describe('dns-options', () => {
  it('parseDuration', () => {
    expect(parseDuration('5s')).toBe(5000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('2m')).toBe(120000);
    expect(parseDuration('1h')).toBe(3600000);
    expect(parseDuration('30d')).toBe(30 * 86400000);
    expect(parseDuration('7')).toBe(7000);
    expect(() => parseDuration('soon')).toThrow(/bad duration/);
  });
  it('nowFromOptions', () => {
    expect(nowFromOptions({ now: '2024-05-01T12:00:00Z' }).getTime()).toBe(Date.UTC(2024, 4, 1, 12));
    expect(nowFromOptions({ now: '2024-05-01T14:00:00+02:00' }).getTime()).toBe(Date.UTC(2024, 4, 1, 12));
    expect(nowFromOptions({ now: '2024-05-01T12:00:00' }).getTime()).toBe(Date.UTC(2024, 4, 1, 12));
    expect(nowFromOptions({ now: '@1528637909' }).getTime()).toBe(1528637909000);
    expect(() => nowFromOptions({ now: 'yesterday' })).toThrow(/--now/);
    expect(Math.abs(nowFromOptions({}).getTime() - Date.now())).toBeLessThan(1000);
  });
  it('--offline without --dns-static: every name is nxdomain', async () => {
    const r = resolverFromOptions({ offline: true });
    expect(await r.resolve({ name: 'example.org', type: 'TXT' })).toMatchObject({ ok: false, error: 'nxdomain' });
  });
  it('rejects a bad nameserver', () => {
    expect(() => resolverFromOptions({ nameserver: ['not-an-ip'] })).toThrow(/nameserver/);
    expect(() => resolverFromOptions({ nameserver: ['1.2.3.4:99999'] })).toThrow(/port/);
    expect(() => resolverFromOptions({ nameserver: ['127.0.0.1:5353', '[::1]:53'] })).not.toThrow();
  });
});
