import { describe, expect, it } from 'vitest';
import { formatDateIso, formatDateOriginal, parseDate } from '../../src/mime/date.ts';

function iso(value: string): string {
  const d = parseDate(value);
  if (!d.ok) throw new Error(`${value}: ${d.error}`);
  return formatDateIso(d);
}

describe('parseDate', () => {
  it('reads RFC 5322 dates', () => {
    expect(iso('Fri, 21 Nov 1997 09:55:06 -0600')).toBe('1997-11-21T09:55:06-06:00');
    expect(iso('Thu, 30 Mar 2017 15:00:00 +0200')).toBe('2017-03-30T15:00:00+02:00');
    const d = parseDate('Fri, 21 Nov 1997 09:55:06 -0600');
    expect(d.ok && d.epochMs).toBe(Date.parse('1997-11-21T15:55:06Z'));
  });

  it('reads obsolete forms (RFC 5322 4.3)', () => {
    expect(iso('21 Nov 97 09:55:06 GMT')).toBe('1997-11-21T09:55:06+00:00');
    expect(iso('1 Jan 05 00:00 UT')).toBe('2005-01-01T00:00:00+00:00'); // 2-digit year < 50, no seconds
    expect(iso('1 Jan 105 00:00:00 +0000')).toBe('2005-01-01T00:00:00+00:00'); // 3-digit year
    expect(iso('Sun, 27 Oct 2002 23:57:07 EST')).toBe('2002-10-27T23:57:07-05:00');
    expect(iso('Sun, 27 Oct 2002 23:57:07 EDT')).toBe('2002-10-27T23:57:07-04:00');
    expect(iso('27 Oct 2002 23:57:07 CST')).toBe('2002-10-27T23:57:07-06:00');
    expect(iso('27 Oct 2002 23:57:07 CDT')).toBe('2002-10-27T23:57:07-05:00');
    expect(iso('27 Oct 2002 23:57:07 MST')).toBe('2002-10-27T23:57:07-07:00');
    expect(iso('27 Oct 2002 23:57:07 MDT')).toBe('2002-10-27T23:57:07-06:00');
    expect(iso('27 Oct 2002 23:57:07 PST')).toBe('2002-10-27T23:57:07-08:00');
    expect(iso('27 Oct 2002 23:57:07 pdt')).toBe('2002-10-27T23:57:07-07:00');
    expect(iso('Thu, 10 Jul 1997 14:53:31 EST5EDT')).toBe('1997-07-10T14:53:31-05:00');
  });

  it('reads month-first and asctime forms, and a zone glued to the time', () => {
    expect(iso('Thu Oct 2, 2003 05:07:13  +0000')).toBe('2003-10-02T05:07:13+00:00');
    expect(iso('Fri Feb 07 10:18:12 2003 -0800')).toBe('2003-02-07T10:18:12-08:00');
    expect(iso('01 Jan 2001 00:01+0000')).toBe('2001-01-01T00:01:00+00:00');
    expect(iso('01 Jan 2001 00:01-0130')).toBe('2001-01-01T00:01:00-01:30');
  });

  it('reads military and unknown zones as UTC with an unknown zone', () => {
    for (const z of ['A', 'M', 'N', 'Y', 'Z', 'ZZZZ', '-0000']) {
      const d = parseDate(`Thu, 10 Jul 1997 14:53:31 ${z}`);
      expect(d.ok && d.offsetMinutes).toBe(0);
      expect(d.ok && d.zoneKnown).toBe(z === 'Z');
    }
  });

  it('skips comments and folds anywhere', () => {
    expect(iso('Thu,\r\n   13\r\n  Feb\r\n    1969\r\n  23:32\r\n  -0330 (Newfoundland Time)')).toBe('1969-02-13T23:32:00-03:30');
    expect(iso('Tue, 1 Jul 2003 ((tricky)\r\n comment) 10:52:37 +0200')).toBe('2003-07-01T10:52:37+02:00');
  });

  it('reads the date after the last ; of a Received-style value', () => {
    expect(iso('by x with SMTP id 1;\r\n\tMon, 10 Oct 2022 10:31:15 -0700 (PDT)')).toBe('2022-10-10T10:31:15-07:00');
  });

  it('rejects what is not a date, as a value', () => {
    for (const v of ['', 'yesterday', '13 zzz 2021 09:55:06 +0200', '31 Feb 2021 10:00:00 +0000', '1 Jan 2021 24:00:00 +0000', '1 Jan 2021 10:60 +0000', '1 Jan 2021 10:00 +0099', '7 00 2026 19:14:51 +0000', '1 Mayday 2021 10:00 +0000']) {
      const d = parseDate(v);
      expect(d.ok, v).toBe(false);
      expect(typeof (d as { error: string }).error).toBe('string');
    }
  });
});

describe('formatDateOriginal', () => {
  it('prints the original layout in the date own zone', () => {
    const d = parseDate('Thu, 30 Mar 2017 15:00:00 +0200');
    expect(d.ok && formatDateOriginal(d)).toBe('2017-03-30 15:00:00 +02:00');
    const n = parseDate('Tue, 30 Dec 1969 23:32:54 -0330');
    expect(n.ok && formatDateOriginal(n)).toBe('1969-12-30 23:32:54 -03:30');
    expect(formatDateOriginal({ epochMs: 0, offsetMinutes: 0 })).toBe('1970-01-01 00:00:00 +00:00');
  });
});
