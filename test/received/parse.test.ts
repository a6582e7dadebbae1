import { describe, expect, it } from 'vitest';
import { expectLinear } from '../support/growth.ts';
import fc from 'fast-check';
import { parseReceived, parseReceivedDate, formatReceived, normalizeIp } from '../../src/received/index.ts';

describe('parseReceived', () => {
  it('reads a Postfix field', () => {
    const r = parseReceived(
      'from mail-qw0-f46.google.com (mail-qw0-f46.google.com [209.85.216.46])\r\n\tby maroon.pobox.com (Postfix) with ESMTPS id 70BCC40A1DB\r\n\tfor <me@example.org>; Wed, 15 Jun 2011 10:42:13 -0400 (EDT)',
    );
    expect(r).toMatchObject({
      ok: true,
      from: { name: 'mail-qw0-f46.google.com', ip: '209.85.216.46', rdns: 'mail-qw0-f46.google.com' },
      by: { name: 'maroon.pobox.com' },
      with: 'ESMTPS',
      protocol: 'ESMTPS',
      id: '70BCC40A1DB',
      for: 'me@example.org',
      date: { ok: true, epochMs: Date.UTC(2011, 5, 15, 14, 42, 13), offsetMinutes: -240 },
    });
  });
  it('reads Exim and qpsmtpd HELO styles', () => {
    expect(parseReceived('from host.example ([10.0.0.1] helo=client.example) by mx with esmtp id 1; 1 Jan 2020 00:00:00 +0000')).toMatchObject({
      from: { name: 'host.example', ip: '10.0.0.1', helo: 'client.example', heloCommand: 'HELO' },
      protocol: 'ESMTP',
    });
    expect(parseReceived('from x.example (HELO y.example) (192.0.2.9) by mx with SMTP; 1 Jan 2020 00:00:00 +0000')).toMatchObject({
      from: { name: 'x.example', ip: '192.0.2.9', helo: 'y.example', heloCommand: 'HELO' },
    });
  });
  it('reads the address of the by host in a comment or literal', () => {
    expect(parseReceived('from a by FWM-M18.sysops.aol.com (64.12.168.82) with HTTP; 1 Jan 2020 00:00:00 +0000')).toMatchObject({ by: { name: 'FWM-M18.sysops.aol.com', ip: '64.12.168.82' } });
    expect(parseReceived('from a by fsav4im2 ([10.128.128.74]:25) with SMTP; 1 Jan 2020 00:00:00 +0000')).toMatchObject({ by: { name: 'fsav4im2', ip: '10.128.128.74' } });
    expect(parseReceived('from a by mx.example [10.0.0.2] with SMTP; 1 Jan 2020 00:00:00 +0000')).toMatchObject({ by: { name: 'mx.example', ip: '10.0.0.2' } });
    expect((parseReceived('from a by mail.rev.net (8.11.4/8.11.4) with ESMTP; 1 Jan 2020 00:00:00 +0000') as { by: object }).by).toEqual({ name: 'mail.rev.net' });
  });
  it('reads what formatReceived writes', () => {
    const date = new Date('2026-11-22T14:04:08Z');
    const field = formatReceived({
      from: { helo: 'client.example.org', ip: '2001:db8::5', rdns: 'rdns.example.org' },
      by: 'mx.example.net', with: 'ESMTPS', id: 'Q1', for: 'you@example.net', date, zoneMinutes: 60,
    });
    const r = parseReceived(field.slice('Received:'.length));
    expect(r).toMatchObject({
      ok: true,
      from: { name: 'client.example.org', ip: '2001:db8::5', rdns: 'rdns.example.org' },
      by: { name: 'mx.example.net' }, with: 'ESMTPS', id: 'Q1', for: 'you@example.net',
      date: { ok: true, epochMs: date.getTime(), offsetMinutes: 60 },
    });
  });
  it('returns an error value for what is not a Received field', () => {
    expect(parseReceived('')).toEqual({ ok: false, error: 'empty Received field' });
    expect(parseReceived('hello world')).toMatchObject({ ok: false });
    expect(parseReceived('(comment only)')).toMatchObject({ ok: false });
  });
  it('never throws, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        const r = parseReceived(s);
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.array(fc.constantFrom('from', 'by', 'with', 'id', 'for', 'via', '(', ')', '[', ']', '<', '>', ';', ' ', 'x.y', '1.2.3.4', 'helo=', 'HELO', '@', ':', '"'), { maxLength: 40 }), (parts) => {
        expect(typeof parseReceived(parts.join(' ')).ok).toBe('boolean');
        expect(typeof parseReceived(parts.join('')).ok).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
  });

  it('stays linear on hostile input (CPU time for 8n against n, test/support/growth.ts)', () => {
    const shapes: Array<[string, (n: number) => string]> = [
      ['nested comments', (n) => '('.repeat(n)],
      ['open literals', (n) => 'from ' + '[a '.repeat(n)],
      ['comments with literals', (n) => 'from x ' + '(a [1.2.3.4] '.repeat(n)],
      ['date fragments', (n) => ' 1 Jan 2020 10:'.repeat(n)],
      ['HELO words in a comment', (n) => 'from a (' + 'HELO '.repeat(n) + ')'],
      ['at signs', (n) => 'x@'.repeat(n)],
    ];
    for (const [what, make] of shapes) {
      expect(typeof parseReceived(make(1000)).ok).toBe('boolean');
      expectLinear((n) => {
        const s = make(n);
        return () => parseReceived(s);
      }, 256, what);
    }
  });
});

describe('parseReceivedDate', () => {
  it('reads RFC 5322, asctime, two-digit years and zone names', () => {
    expect(parseReceivedDate('Thu, 30 Mar 2017 15:00:00 +0200')).toMatchObject({ ok: true, epochMs: Date.UTC(2017, 2, 30, 13), offsetMinutes: 120 });
    expect(parseReceivedDate('Fri Feb 07 10:18:12 2003 -0800')).toMatchObject({ ok: true, epochMs: Date.UTC(2003, 1, 7, 18, 18, 12) });
    expect(parseReceivedDate('Fri Sep 14 14:36:56 EDT 2018')).toMatchObject({ ok: true, offsetMinutes: -240 });
    expect(parseReceivedDate('20 Mar 03 10:06:43 +0100')).toMatchObject({ ok: true, epochMs: Date.UTC(2003, 2, 20, 9, 6, 43) });
    expect(parseReceivedDate('1 Jan 2020 00:00:00')).toMatchObject({ ok: true, zoneKnown: false, zone: '' });
    expect(parseReceivedDate('Fri, 13 Dec 1996 15:01:48 Pacific Standard Time')).toMatchObject({ ok: true, offsetMinutes: -480 });
  });
  it('rejects what is not a date', () => {
    expect(parseReceivedDate('')).toMatchObject({ ok: false });
    expect(parseReceivedDate('31 Feb 2020 10:00:00 +0000')).toMatchObject({ ok: false });
    expect(parseReceivedDate('Mon, 13 Aug 1998 l8:14:23 +1000')).toMatchObject({ ok: false });
  });
});

describe('normalizeIp', () => {
  it('canonicalises v4, v6, literals, ports and mapped addresses', () => {
    expect(normalizeIp('[IPv6:2001:DB8:0:0:0:0:0:1]')).toBe('2001:db8::1');
    expect(normalizeIp('10.0.0.1:25')).toBe('10.0.0.1');
    expect(normalizeIp('::ffff:127.0.0.1')).toBe('::ffff:127.0.0.1');
    expect(normalizeIp('fe80::1%6')).toBe('fe80::1');
    expect(normalizeIp('example.org')).toBeUndefined();
  });
});
