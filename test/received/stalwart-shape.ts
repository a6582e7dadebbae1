// Maps our parse of a Received field to the shape of Stalwart mail-parser's
// expected output ($BLAZE_CORPUS/mime/stalwart-mail-parser/received.json)
// and lists the differences. Compared: from, from_ip, from_iprev, by, via,
// with, id, for_, helo, helo_cmd, date. Not compared: ident, tls_version,
// tls_cipher (Stalwart's own heuristics, no RFC behind them).
import { parseReceived, type ParsedReceived } from '../../src/received/index.ts';

export interface Vector {
  header: string;
  expected: Record<string, unknown>;
}

const COMPARED = ['from', 'from_ip', 'from_iprev', 'by', 'via', 'with', 'id', 'for_', 'helo', 'helo_cmd', 'date'];

function host(name?: string, literal?: string) {
  if (literal) return { IpAddr: literal };
  if (name) return { Name: name };
  return undefined;
}

function dateShape(r: ParsedReceived) {
  if (!r.date?.ok) return null;
  const off = r.date.offsetMinutes;
  const t = new Date(r.date.epochMs + off * 60_000);
  return {
    year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate(),
    hour: t.getUTCHours(), minute: t.getUTCMinutes(), second: t.getUTCSeconds(),
    tz_before_gmt: off < 0, tz_hour: Math.floor(Math.abs(off) / 60), tz_minute: Math.abs(off) % 60,
  };
}

export function stalwartShape(header: string): Record<string, unknown> {
  const r = parseReceived(header);
  if (!r.ok) return { error: r.error };
  const out: Record<string, unknown> = {
    from: host(r.from?.name, r.from?.literal),
    from_ip: r.from?.ip,
    from_iprev: r.from?.rdns,
    by: host(r.by?.name, r.by?.literal),
    via: r.via,
    with: r.protocol,
    id: r.id,
    for_: r.for,
    helo: r.from?.helo ? (r.from.helo.match(/^[\d.]+$|:/) ? { IpAddr: r.from.helo } : { Name: r.from.helo }) : undefined,
    helo_cmd: r.from?.heloCommand ? r.from.heloCommand[0] + r.from.heloCommand.slice(1).toLowerCase() : undefined,
    date: dateShape(r),
  };
  return out;
}

/** Field names where our parse differs from the expectation, with both values. */
export function differences(v: Vector): string[] {
  const got = stalwartShape(v.header);
  if ('error' in got) return [`error: ${got.error}`];
  const diffs: string[] = [];
  for (const k of COMPARED) {
    const want = v.expected[k] ?? undefined;
    const have = got[k] ?? undefined;
    // The sign of a zero offset is noise in Stalwart's output ("-0000" comes out
    // after GMT, "GMT" and a missing zone before it): not compared.
    const norm = (x: unknown) => {
      if (x === null) return undefined;
      if (k === 'date' && x && typeof x === 'object' && (x as { tz_hour: number }).tz_hour === 0 && (x as { tz_minute: number }).tz_minute === 0) {
        return { ...(x as object), tz_before_gmt: false };
      }
      return x;
    };
    if (JSON.stringify(norm(want)) !== JSON.stringify(norm(have))) diffs.push(`${k}: want ${JSON.stringify(want)} got ${JSON.stringify(have)}`);
  }
  return diffs;
}
