import { describe, expect, it } from 'vitest';
import { formatReceived, formatRfc5322Date, addressLiteral } from '../../src/received/index.ts';

const date = new Date('2026-11-22T14:04:08Z');

describe('formatReceived', () => {
  it('writes the RFC 5321 §4.4 clauses in order', () => {
    const f = formatReceived({
      from: { helo: 'mail.example.org', ip: '192.0.2.1', rdns: 'mail.example.org' },
      by: 'mx.example.net',
      with: 'ESMTPS',
      id: 'ABC123',
      for: 'you@example.net',
      date,
    });
    expect(f).toBe(
      'Received: from mail.example.org (mail.example.org [192.0.2.1])\r\n' +
        '\tby mx.example.net with ESMTPS id ABC123 for <you@example.net>;\r\n' +
        '\tSun, 22 Nov 2026 14:04:08 +0000\r\n',
    );
  });
  it('keeps every line within 78 columns', () => {
    const f = formatReceived({
      from: { helo: 'a-rather-long-client-name.subdomain.example.org', ip: '2001:db8::1', rdns: 'reverse.example.org' },
      by: 'a-very-long-receiving-host-name.mx.example.net',
      via: 'TCP',
      with: 'ESMTPSA',
      id: '0123456789ABCDEF0123456789',
      for: '<someone.with.a.long.name@a-long-domain.example.net>',
      date,
      zoneMinutes: -300,
    });
    for (const line of f.split('\r\n').slice(0, -1)) expect(line.length).toBeLessThanOrEqual(78);
    expect(f).toContain('[IPv6:2001:db8::1]');
    expect(f.replace(/\r\n\t/g, ' ')).toBe(
      'Received: from a-rather-long-client-name.subdomain.example.org (reverse.example.org [IPv6:2001:db8::1]) ' +
        'by a-very-long-receiving-host-name.mx.example.net via TCP with ESMTPSA id 0123456789ABCDEF0123456789 ' +
        'for <someone.with.a.long.name@a-long-domain.example.net>; Sun, 22 Nov 2026 09:04:08 -0500\r\n',
    );
  });
  it('writes only the by clause and the date when that is all it has', () => {
    expect(formatReceived({ by: 'localhost', date })).toBe('Received: by localhost; Sun, 22 Nov 2026 14:04:08 +0000\r\n');
  });
  it('uses the address literal alone when there is no HELO name', () => {
    expect(formatReceived({ from: { ip: '198.51.100.7' }, by: 'h', date })).toBe(
      'Received: from [198.51.100.7] by h; Sun, 22 Nov 2026 14:04:08 +0000\r\n',
    );
    expect(formatReceived({ from: { helo: 'c', ip: '198.51.100.7' }, by: 'h', date })).toBe(
      'Received: from c ([198.51.100.7]) by h; Sun, 22 Nov 2026 14:04:08 +0000\r\n',
    );
  });
});

describe('dates and literals', () => {
  it('formats RFC 5322 dates with a zone', () => {
    expect(formatRfc5322Date(new Date('2017-03-30T13:00:00Z'), 120)).toBe('Thu, 30 Mar 2017 15:00:00 +0200');
    expect(formatRfc5322Date(new Date('2017-03-30T13:00:00Z'), -330)).toBe('Thu, 30 Mar 2017 07:30:00 -0530');
  });
  it('writes v4 and v6 literals', () => {
    expect(addressLiteral('10.0.0.1')).toBe('[10.0.0.1]');
    expect(addressLiteral('::1')).toBe('[IPv6:::1]');
    expect(addressLiteral('[IPv6:::1]')).toBe('[IPv6:::1]');
  });
});
