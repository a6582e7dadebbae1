// The Date field (RFC 5322 §3.3): `Sun, 22 Nov 2026 14:04:45 +0100`.

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** The zone as ±HHMM for an offset in minutes east of UTC. */
export function formatZoneOffset(offsetMinutes: number): string {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const a = Math.abs(offsetMinutes);
  return `${sign}${pad(Math.floor(a / 60))}${pad(a % 60)}`;
}

/** Parses `±HHMM` (also `Z`/`UTC`/`GMT` for +0000); undefined if malformed. */
export function parseZoneOffset(s: string): number | undefined {
  if (/^(Z|UTC|GMT)$/i.test(s)) return 0;
  const m = /^([+-])(\d\d):?(\d\d)$/.exec(s);
  if (!m) return undefined;
  const h = Number(m[2]);
  const mi = Number(m[3]);
  if (h > 23 || mi > 59) return undefined;
  return (m[1] === '-' ? -1 : 1) * (h * 60 + mi);
}

/** An RFC 5322 date-time for the instant `date`, shown in the zone `offsetMinutes`. */
export function formatRfc5322Date(date: Date, offsetMinutes = 0): string {
  const t = new Date(Math.floor(date.getTime() / 1000) * 1000 + offsetMinutes * 60_000);
  return (
    `${DAYS[t.getUTCDay()]}, ${t.getUTCDate()} ${MONTHS[t.getUTCMonth()]} ${t.getUTCFullYear()} ` +
    `${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())} ${formatZoneOffset(offsetMinutes)}`
  );
}

/**
 * Parses an RFC 3339 date-time; returns the instant and the offset it was
 * written with (so `--date 2017-03-30T15:00:00+02:00` keeps +0200). The
 * calendar is checked (no 30 February: Date.parse would roll it into March);
 * a leap second (:60, RFC 3339 §5.7) is taken as the next second.
 */
export function parseRfc3339(s: string): { date: Date; offsetMinutes: number } | undefined {
  const m = /^(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(\.\d+)?([Zz]|[+-]\d\d:\d\d)$/.exec(s);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 60) return undefined;
  const offset = parseZoneOffset(m[8].toUpperCase() === 'Z' ? 'Z' : m[8]);
  if (offset === undefined) return undefined;
  const fraction = m[7] ? Math.floor(Number(m[7]) * 1000) : 0;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second, fraction) - offset * 60_000;
  return { date: new Date(ms), offsetMinutes: offset };
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
