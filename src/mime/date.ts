// Date-time (RFC 5322 §3.3) with the obsolete forms of §4.3: two- and
// three-digit years, named zones (UT, GMT, EST/EDT, CST/CDT, MST/MDT, PST/PDT),
// military zones (read as -0000, as §4.3 advises: their sign was never
// reliable), missing seconds, missing day of week, comments and folds anywhere.
// Lenient where it costs nothing (numeric months, a zone glued to another
// name such as EST5EDT, a Received-style prefix ending in ';'). Never throws.

import { lex, type Token } from './lexer.ts';

export interface DateParts {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export type DateResult =
  | { ok: true; epochMs: number; offsetMinutes: number; parts: DateParts; zoneKnown: boolean }
  | { ok: false; error: string };

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const ZONES: Record<string, number> = {
  ut: 0,
  utc: 0,
  gmt: 0,
  z: 0,
  est: -300,
  edt: -240,
  cst: -360,
  cdt: -300,
  mst: -420,
  mdt: -360,
  pst: -480,
  pdt: -420,
};

function monthOf(word: string): number {
  const w = word.toLowerCase();
  if (w.length < 3) return 0;
  const i = MONTHS.indexOf(w.slice(0, 3));
  // A full name must really be that month's name ("Mayday" is not May).
  const full = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
  if (i < 0) return 0;
  if (w.length > 3 && !full[i].startsWith(w) && !(i === 8 && w === 'sept')) return 0;
  return i + 1;
}

/** Date.UTC that does not turn years 0-99 into 1900-1999. */
function utc(year: number, month0: number, day: number, h = 0, m = 0, s = 0): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month0, day);
  d.setUTCHours(h, m, s, 0);
  return d.getTime();
}

function daysIn(year: number, month: number): number {
  return new Date(utc(year, month, 0)).getUTCDate();
}

/** Zone token -> offset in minutes; `known` false for military and unknown zones (-0000). */
function zoneOf(t: Token | undefined): { minutes: number; known: boolean } | string {
  if (!t || t.kind !== 'atom') return { minutes: 0, known: false };
  const v = t.value;
  const m = /^([+-])(\d\d)(\d\d)$/.exec(v);
  if (m) {
    const mm = Number(m[3]);
    if (mm > 59) return `bad zone '${v}'`;
    const minutes = (Number(m[2]) * 60 + mm) * (m[1] === '-' ? -1 : 1) || 0; // no -0
    return { minutes, known: !(m[1] === '-' && minutes === 0) };
  }
  const alpha = /^[A-Za-z]+/.exec(v)?.[0].toLowerCase() ?? '';
  if (alpha in ZONES) return { minutes: ZONES[alpha], known: true };
  if (alpha.length >= 3 && alpha.slice(0, 3) in ZONES) return { minutes: ZONES[alpha.slice(0, 3)], known: true };
  // Military letters and names we do not know: the time is UTC with an unknown zone.
  return { minutes: 0, known: false };
}

function num(t: Token | undefined, maxDigits: number): number | undefined {
  if (!t || t.kind !== 'atom' || !/^\d+$/.test(t.value) || t.value.length > maxDigits) return undefined;
  return Number(t.value);
}

function parseTokens(input: Token[]): DateResult {
  // A zone glued to the time ("00:01+0000"): split it off.
  const tokens: Token[] = [];
  for (const t of input) {
    const g = t.kind === 'atom' ? /^(\d{1,2})([+-]\d{4})$/.exec(t.value) : null;
    if (g) tokens.push({ ...t, value: g[1] }, { ...t, value: g[2], space: true, offset: t.offset + g[1].length });
    else tokens.push(t);
  }
  let i = 0;
  const peek = (): Token | undefined => tokens[i];
  const isSpecial = (ch: string): boolean => peek()?.kind === 'special' && peek()!.value === ch;
  // [day-of-week ","]
  const first = peek();
  if (first?.kind === 'atom' && /^[A-Za-z]+$/.test(first.value) && DAYS.includes(first.value.slice(0, 3).toLowerCase())) {
    i++;
    if (isSpecial(',')) i++;
  } else if (isSpecial(',')) i++;

  let day: number | undefined;
  let month = 0;
  let year: number | undefined;
  let yearDigits = 4;
  const readYear = (): boolean => {
    const yt = peek();
    year = num(yt, 4);
    if (year === undefined) return false;
    yearDigits = yt!.value.length;
    i++;
    return true;
  };
  const monthFirst = peek()?.kind === 'atom' && /^[A-Za-z]/.test(peek()!.value);
  if (monthFirst) {
    // asctime and US forms: "Oct 2, 2003 05:07:13" or "Feb 07 10:18:12 2003"
    month = monthOf(peek()!.value);
    if (!month) return { ok: false, error: `expected a month at ${where(peek())}` };
    i++;
    day = num(peek(), 2);
    if (day === undefined) return { ok: false, error: `expected a day at ${where(peek())}` };
    i++;
    if (isSpecial(',')) i++;
    if (tokens[i + 1]?.kind !== 'special' || tokens[i + 1].value !== ':') {
      if (!readYear()) return { ok: false, error: `expected a year at ${where(peek())}` };
    }
  } else {
    day = num(peek(), 2);
    if (day === undefined) return { ok: false, error: `expected a day at ${where(peek())}` };
    i++;
    const mt = peek();
    if (mt?.kind === 'atom') month = /^\d{1,2}$/.test(mt.value) ? Number(mt.value) : monthOf(mt.value);
    if (month < 1 || month > 12) return { ok: false, error: `expected a month at ${where(mt)}` };
    i++;
    if (isSpecial(',')) i++;
    if (!readYear()) return { ok: false, error: `expected a year at ${where(peek())}` };
  }
  const hour = num(peek(), 2);
  if (hour === undefined) return { ok: false, error: `expected a time at ${where(peek())}` };
  i++;
  if (!isSpecial(':')) return { ok: false, error: `expected ':' at ${where(peek())}` };
  i++;
  const minute = num(peek(), 2);
  if (minute === undefined) return { ok: false, error: `expected minutes at ${where(peek())}` };
  i++;
  let second = 0;
  if (isSpecial(':')) {
    i++;
    const s = num(peek(), 2);
    if (s === undefined) return { ok: false, error: `expected seconds at ${where(peek())}` };
    second = s;
    i++;
  }
  if (year === undefined && !readYear()) return { ok: false, error: `expected a year at ${where(peek())}` };
  let y = year!;
  if (yearDigits === 2) y += y < 50 ? 2000 : 1900;
  else if (yearDigits === 3) y += 1900;
  if (day < 1 || day > daysIn(y, month)) return { ok: false, error: `day ${day} out of range` };
  if (hour > 23 || minute > 59 || second > 60) return { ok: false, error: `time ${hour}:${minute}:${second} out of range` };
  const zone = zoneOf(peek());
  if (typeof zone === 'string') return { ok: false, error: zone };
  const parts = { year: y, month, day, hour, minute, second };
  const epochMs = utc(y, month - 1, day, hour, minute, Math.min(second, 59)) - zone.minutes * 60000;
  return { ok: true, epochMs, offsetMinutes: zone.minutes, parts, zoneKnown: zone.known };
}

function where(t: Token | undefined): string {
  return t ? `offset ${t.offset}` : 'the end';
}

/** Parses a Date-style field value. */
export function parseDate(value: string): DateResult {
  if (value.length > 4096) return { ok: false, error: 'date too long' };
  const r = parseTokens(lex(value).tokens);
  if (r.ok) return r;
  // A Received-style value: the date follows the last ';'.
  const semi = value.lastIndexOf(';');
  if (semi >= 0) {
    const again = parseTokens(lex(value.slice(semi + 1)).tokens);
    if (again.ok) return again;
  }
  return r;
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** The original tool's layout: `2017-03-30 15:00:00 +02:00`, in the date's own zone. */
export function formatDateOriginal(d: { epochMs: number; offsetMinutes: number }): string {
  const t = new Date(d.epochMs + d.offsetMinutes * 60000);
  const sign = d.offsetMinutes < 0 ? '-' : '+';
  const off = Math.abs(d.offsetMinutes);
  return (
    `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())} ` +
    `${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())} ` +
    `${sign}${pad(Math.floor(off / 60))}:${pad(off % 60)}`
  );
}

/** ISO 8601 / RFC 3339 with the date's own offset, for JSON. */
export function formatDateIso(d: { epochMs: number; offsetMinutes: number }): string {
  const [date, time, zone] = formatDateOriginal(d).split(' ');
  return `${date}T${time}${zone}`;
}
