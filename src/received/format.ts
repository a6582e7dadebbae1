// Generation of a Received trace field (RFC 5321 §4.4):
//   Received: from helo (rdns [ip]) by host via X with ESMTPS id ID for <rcpt>; date
// folded at whitespace so no line passes 78 columns when that is possible.
// The words come from the SMTP client (the EHLO argument, the recipient):
// a control character, a space, a parenthesis or a ';' in one becomes '?'
// (Postfix writes a HELO name through printable() the same way), so a bare
// CR cannot end the field and a ';' cannot start a fake date.
import { headerSafe } from '../mime/safe-text.ts';

export interface ReceivedFrom {
  /** The EHLO/HELO name the client gave. */
  helo?: string;
  /** The client's IP address (v4 or v6). */
  ip?: string;
  /** The client's name from reverse DNS. */
  rdns?: string;
}

export interface ReceivedStamp {
  from?: ReceivedFrom;
  /** The receiving host. */
  by: string;
  via?: string;
  /** The protocol (SMTP, ESMTP, ESMTPS, ESMTPSA, LMTP, ...; RFC 3848). */
  with?: string;
  id?: string;
  /** The recipient (with or without angle brackets). */
  for?: string;
  date: Date;
  /** The time zone offset used to print the date, in minutes east of UTC (default 0). */
  zoneMinutes?: number;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** An RFC 5322 date-time: `Sun, 22 Nov 2026 14:04:08 +0000`. */
export function formatRfc5322Date(date: Date, zoneMinutes = 0): string {
  const t = new Date(date.getTime() + zoneMinutes * 60_000);
  const sign = zoneMinutes < 0 ? '-' : '+';
  const z = Math.abs(zoneMinutes);
  return (
    `${DAYS[t.getUTCDay()]}, ${t.getUTCDate()} ${MONTHS[t.getUTCMonth()]} ${t.getUTCFullYear()} ` +
    `${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())} ${sign}${pad(Math.floor(z / 60))}${pad(z % 60)}`
  );
}

/** An address literal: `[192.0.2.1]` or `[IPv6:2001:db8::1]`. */
export function addressLiteral(ip: string): string {
  const bare = ip.replace(/^\[|\]$/g, '').replace(/^IPv6:/i, '');
  return bare.includes(':') ? `[IPv6:${bare}]` : `[${bare}]`;
}

/** One word of a clause: nothing that ends the field, splits the word, opens a comment or starts the date. */
function word(text: string): string {
  return headerSafe(text).replace(/[\s();]/g, '?');
}

/** The clauses of the field, each an unbreakable-if-possible unit. */
function clauses(s: ReceivedStamp): string[] {
  const out: string[] = [];
  const f = s.from;
  if (f && (f.helo || f.ip)) {
    const lit = f.ip ? addressLiteral(word(f.ip)) : undefined;
    out.push(`from ${f.helo ? word(f.helo) : lit}`);
    if (lit && f.rdns) out.push(`(${word(f.rdns)} ${lit})`);
    else if (lit && f.helo) out.push(`(${lit})`);
  }
  out.push(`by ${word(s.by)}`);
  if (s.via) out.push(`via ${word(s.via)}`);
  if (s.with) out.push(`with ${word(s.with)}`);
  if (s.id) out.push(`id ${word(s.id)}`);
  if (s.for) out.push(`for ${s.for.startsWith('<') ? word(s.for) : `<${word(s.for)}>`}`);
  out[out.length - 1] += ';';
  out.push(formatRfc5322Date(s.date, s.zoneMinutes ?? 0));
  return out;
}

/** Folds units after `prefix` into lines of at most `width` columns; continuation lines start with a tab. */
export function foldUnits(prefix: string, units: string[], width = 78): string {
  const lines: string[] = [];
  let line = prefix;
  let empty = true; // nothing but the prefix or the continuation tab on this line yet
  const fits = (text: string) => line.length + (line === '\t' ? 0 : 1) + text.length <= width;
  const append = (text: string) => {
    line += (line === '\t' ? '' : ' ') + text;
    empty = false;
  };
  const newLine = () => {
    lines.push(line);
    line = '\t';
    empty = true;
  };
  for (const unit of units) {
    if (fits(unit)) {
      append(unit);
      continue;
    }
    if (!empty) newLine();
    if (fits(unit)) {
      append(unit);
      continue;
    }
    // Too long even alone: break it at its own spaces (a word wider than the line stays whole).
    for (const word of unit.split(' ')) {
      if (!empty && !fits(word)) newLine();
      append(word);
    }
  }
  lines.push(line);
  return lines.join('\r\n') + '\r\n';
}

/** The whole field, `Received: ...\r\n`, folded at 78 columns. */
export function formatReceived(s: ReceivedStamp): string {
  return foldUnits('Received:', clauses(s));
}
