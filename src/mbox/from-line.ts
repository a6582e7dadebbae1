// The `From ` line that starts each message of an mbox (RFC 4155 §2, the
// "From_" or postmark line): `From SENDER DATE`, DATE in asctime(3) form in
// UTC (`Thu Jan  1 00:00:00 1970`). Pure functions: parse one, judge whether
// a line is one (for the auto-detecting reader), and write one.

/** What a From_ line says. */
export interface FromLine {
  /** The envelope sender as written (`-`, `MAILER-DAEMON`, an address). */
  sender: string;
  /** The rest of the line after the sender (normally an asctime date); '' when absent. */
  rest: string;
  /** The instant of the date part when it parses (UTC unless the line names a zone), else undefined. */
  epochMs?: number;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/**
 * Splits a From_ line (without its line end) into sender and date. A sender
 * may be a quoted local part with spaces (`"john smith"@example.org`).
 * Undefined when the line does not start with `From `.
 */
export function parseFromLine(line: string): FromLine | undefined {
  if (!line.startsWith('From ')) return undefined;
  const s = line.slice(5).replace(/^[ \t]+/, '');
  const m = /^("(?:[^"\\]|\\.)*"\S*|\S+)[ \t]*(.*?)[ \t\r]*$/.exec(s);
  if (!m) return { sender: '', rest: '' };
  const epochMs = parseAsctime(m[2]);
  return { sender: m[1], rest: m[2], ...(epochMs === undefined ? {} : { epochMs }) };
}

/**
 * Whether a line is a credible From_ line for the auto-detecting reader: a
 * sender, then nothing or a date with a time (`hh:mm`) and a four-digit year
 * (asctime, with or without seconds or zone, as mutt's is_from accepts).
 * `From Russia with love` is a body line; `From -` and
 * `From alice@example.org Mon Jun  3 12:50:27 1996` are From_ lines.
 */
export function isCredibleFromLine(line: string): boolean {
  const f = parseFromLine(line);
  if (!f || f.sender === '') return false;
  if (f.rest === '') return true;
  return /(^|\s)\d{1,2}:\d{2}(:\d{2})?(\s|$)/.test(f.rest) && /(^|\s)\d{4}(\s|$)/.test(f.rest);
}

/**
 * The instant of an asctime-style date: `Www Mmm dd hh:mm[:ss] [ZONE] yyyy`
 * or with the zone after the year; ZONE is `+hhmm`/`-hhmm` or ignored (UTC).
 */
export function parseAsctime(text: string): number | undefined {
  const m =
    /^(?:[A-Za-z]{3},?\s+)?([A-Za-z]{3})\s+(\d{1,2})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s+([+-]\d{4}|[A-Za-z]{1,5}))?\s+(\d{4})(?:\s+([+-]\d{4}))?/.exec(
      text.trim(),
    );
  if (!m) return undefined;
  const month = MONTHS.findIndex((x) => x.toLowerCase() === m[1].toLowerCase());
  if (month < 0) return undefined;
  const [day, hh, mm, ss, year] = [Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5] ?? 0), Number(m[7])];
  if (day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60) return undefined;
  const zone = /^[+-]\d{4}$/.test(m[6] ?? '') ? m[6] : m[8];
  let offsetMin = 0;
  if (zone) offsetMin = (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5)));
  return Date.UTC(year, month, day, hh, mm, ss) - offsetMin * 60_000;
}

/** asctime(3) of an instant in UTC: `Thu Jan  1 00:00:00 1970`. */
export function formatAsctime(epochMs: number): string {
  const d = new Date(epochMs);
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${d.getUTCFullYear()}`
  );
}

/**
 * A From_ line (with its LF) for SENDER at EPOCHMS. A sender that is empty or
 * holds white space or control characters would break the line for every
 * reader, so it becomes MAILER-DAEMON (as for a null reverse-path, RFC 4155 §2).
 */
export function formatFromLine(sender: string, epochMs: number): string {
  const s = sender === '' || /[\s\x00-\x1f\x7f]/.test(sender) ? 'MAILER-DAEMON' : sender;
  return `From ${s} ${formatAsctime(epochMs)}\n`;
}
