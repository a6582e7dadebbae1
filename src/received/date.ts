// The date after the `;` of a Received field. RFC 5322 says `[day ,] DD Mon
// YYYY HH:MM[:SS] +zone`, but trace fields carry every variant MTAs ever
// wrote: asctime (`Fri Feb 07 10:18:12 2003 -0800`), the zone before the year
// (`Fri Sep 14 14:36:56 EDT 2018`), two-digit years, fractional seconds,
// obsolete zone names, a zone both numeric and named (`-0800 PST`), no zone.

export type ReceivedDate =
  | {
      ok: true;
      epochMs: number;
      /** Minutes east of UTC as written (0 when no zone was given). */
      offsetMinutes: number;
      /** False when the zone was missing or unknown (UTC assumed). */
      zoneKnown: boolean;
      /** The zone as written (`+0200`, `-0000`, `GMT`, `PST`), '' when absent. */
      zone: string;
    }
  | { ok: false; error: string };

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = /^(mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?$/i;
const ZONES: Record<string, number> = {
  UT: 0, UTC: 0, GMT: 0, Z: 0, EST: -300, EDT: -240, CST: -360, CDT: -300, MST: -420, MDT: -360, PST: -480, PDT: -420,
  CET: 60, CEST: 120, MET: 60, MEST: 120, BST: 60, IST: 60, JST: 540, KST: 540, EET: 120, EEST: 180, WET: 0, WEST: 60,
  HKT: 480, AEST: 600, AEDT: 660, MSK: 180, NZST: 720, NZDT: 780,
};

export function parseReceivedDate(text: string): ReceivedDate {
  const cleaned = text
    .replace(/\([^()]*\)/g, ' ')
    .replace(/,/g, ' ')
    .replace(/\b(Pacific|Mountain|Central|Eastern) (Standard|Daylight) Time\b/i, (_, a: string, b: string) => `${a[0]}${b[0]}T`.toUpperCase())
    .trim();
  if (!cleaned) return { ok: false, error: 'no date' };
  const tokens = cleaned.split(/\s+/);
  let month = -1;
  let time: string | undefined;
  let offset: number | undefined;
  let zone = '';
  const numbers: string[] = [];
  for (const t of tokens) {
    const lower = t.toLowerCase();
    if (month === -1 && t.length >= 3 && MONTHS.includes(lower.slice(0, 3)) && /^[a-z]+\.?$/i.test(t)) month = MONTHS.indexOf(lower.slice(0, 3));
    else if (DAYS.test(t)) continue;
    else if (time === undefined && /^\d{1,2}:\d{1,2}(:\d{1,2}(\.\d+)?)?$/.test(t)) time = t;
    else if (/^\d+$/.test(t)) numbers.push(t);
    else if (/^[^A-Za-z0-9]+$/.test(t)) continue; // stray punctuation (`;_ Tue, ...`)
    else if (offset === undefined && /^[+-]\d{4}$/.test(t) && (zone = t)) offset = (t[0] === '-' ? -1 : 1) * (Number(t.slice(1, 3)) * 60 + Number(t.slice(3)));
    else if (offset === undefined && ZONES[t.toUpperCase()] !== undefined && (zone = t)) offset = ZONES[t.toUpperCase()];
    else if (offset === undefined && /^[A-IK-Za-ik-z]$/.test(t) && (zone = t)) offset = 0; // military zones: RFC 5322 §4.3 says treat as -0000
    else if (/^[A-Z]{2,5}$/i.test(t) && time !== undefined) continue; // an unknown zone name after the time
    else return { ok: false, error: `unexpected '${t}' in date` };
  }
  if (month === -1) return { ok: false, error: 'no month in date' };
  if (time === undefined) return { ok: false, error: 'no time in date' };
  if (numbers.length !== 2) return { ok: false, error: 'no day and year in date' };
  const day = Number(numbers[0]);
  let year = Number(numbers[1]);
  if (numbers[1].length <= 2) year += year < 50 ? 2000 : 1900; // RFC 5322 §4.3
  else if (numbers[1].length === 3) year += 1900;
  const [h, m, s = '0'] = time.split(':');
  const hour = Number(h);
  const minute = Number(m);
  const second = Number(s);
  if (day < 1 || day > 31 || hour > 23 || minute > 59 || second >= 61 || year < 1900 || year > 9999) {
    return { ok: false, error: `date out of range: ${text.trim()}` };
  }
  const utc = Date.UTC(year, month, day, hour, minute, Math.floor(second), Math.round((second % 1) * 1000));
  const check = new Date(Date.UTC(year, month, day));
  if (check.getUTCDate() !== day) return { ok: false, error: `no such day: ${text.trim()}` };
  const off = offset ?? 0;
  return { ok: true, epochMs: utc - off * 60_000, offsetMinutes: off, zoneKnown: offset !== undefined, zone };
}
