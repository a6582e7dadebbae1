// The route of a message from its Received fields: one hop per field, in
// route order (from the origin to the last receiver: by date, as the original
// tool sorts them, the field lower in the header first on a tie), with the
// delay each hop added, and the three presentations of `recv extract`: the
// original tool's text lines, a Graphviz digraph and a JSON record.
import { parseReceived, type ParsedReceived } from './parse.ts';
import { parseReceivedDate } from './date.ts';

export interface RouteField {
  value: string;
  /** 1-based line of the field in the message. */
  line: number;
}

export interface Hop {
  line: number;
  raw: string;
  parsed?: ParsedReceived;
  error?: string;
  /** The hop's time, when its date reads. */
  epochMs?: number;
  /** Seconds between the hop before it on the route with a date (for the first, the Date field) and this one. */
  delaySeconds?: number;
}

/**
 * Parses every field (FIELDS in header order) and gives the hops in route
 * order: from the origin to the last receiver. Each server prepends its field,
 * so the route starts at the bottom of the header; the hops are then sorted
 * by date, a tie kept in that order (the lower field first), and a hop without
 * a readable date stays right after the hop below it. Delays follow the route:
 * each dated hop against the one before it with a date, the first against
 * DATEFIELD (negative: the sender's clock runs ahead). Sorting makes it
 * O(n log n) in the number of fields.
 */
export function buildRoute(fields: RouteField[], dateField?: string): Hop[] {
  const keyed: Array<{ hop: Hop; key: number; pos: number }> = [];
  let inherited = Number.NEGATIVE_INFINITY;
  for (let i = fields.length - 1; i >= 0; i--) {
    const f = fields[i];
    const r = parseReceived(f.value);
    const hop: Hop = r.ok ? { line: f.line, raw: f.value, parsed: r, epochMs: r.date?.ok ? r.date.epochMs : undefined } : { line: f.line, raw: f.value, error: r.error };
    if (hop.epochMs !== undefined) inherited = hop.epochMs;
    keyed.push({ hop, key: inherited, pos: keyed.length });
  }
  keyed.sort((a, b) => (a.key === b.key ? a.pos - b.pos : a.key < b.key ? -1 : 1));
  const hops = keyed.map((k) => k.hop);
  const origin = dateField ? parseReceivedDate(dateField) : undefined;
  // the Date field is where the first parsed hop starts from (if that hop has no date, nothing does)
  let prev: number | undefined = origin?.ok ? origin.epochMs : undefined;
  let first = true;
  for (const h of hops) {
    if (!h.parsed) continue;
    if (h.epochMs === undefined) {
      if (first) prev = undefined;
    } else {
      if (prev !== undefined) h.delaySeconds = Math.round((h.epochMs - prev) / 1000);
      prev = h.epochMs;
    }
    first = false;
  }
  return hops;
}

/** `1h 2m 3s`, `45s`, `-3s` (clock skew), `0s`. */
export function formatDelay(seconds: number): string {
  const sign = seconds < 0 ? '-' : '';
  let s = Math.abs(seconds);
  const parts: string[] = [];
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (d) parts.push(`${d}d`);
  if (h) parts.push(`${h}h`);
  if (m) parts.push(`${m}m`);
  if (s || !parts.length) parts.push(`${s}s`);
  return sign + parts.join(' ');
}

/** The `from` end of a hop as the original tool prints it: the name, else the address literal. */
export function hopFrom(p: ParsedReceived): string | undefined {
  const f = p.from;
  if (!f) return undefined;
  if (f.name) return f.name;
  if (f.literal) return `[${f.literal}]`;
  if (f.ip) return `[${f.ip}]`;
  return undefined;
}

export function hopBy(p: ParsedReceived): string | undefined {
  return p.by?.name ?? (p.by?.literal ? `[${p.by.literal}]` : undefined);
}

/**
 * The original tool's lines for one hop: `from:X -> by:Y -> for:<Z>`, then
 * `\twith PROTO` when the field names one, then `\tdelay D` with DELAYS.
 */
export function formatHopText(h: Hop, opts: { delays?: boolean } = {}): string {
  const p = h.parsed;
  if (!p) return '';
  const parts: string[] = [];
  const from = hopFrom(p);
  const by = hopBy(p);
  if (from) parts.push(`from:${from}`);
  if (by) parts.push(`by:${by}`);
  if (p.for) parts.push(`for:<${p.for}>`);
  let out = `${parts.join(' -> ')}\n`;
  if (p.with) out += `\twith ${p.with}\n`;
  if (opts.delays) out += `\tdelay ${h.delaySeconds === undefined ? 'unknown' : formatDelay(h.delaySeconds)}\n`;
  return out;
}

function dotId(s: string): string {
  return `"${s.replace(/["\\]/g, '\\$&')}"`;
}

/** A Graphviz digraph of the route (HOPS in route order); edges labelled with the protocol and the delay. */
export function formatRouteDot(hops: Hop[]): string {
  const lines = ['digraph route {', '  rankdir=LR;', '  node [shape=box];'];
  const chronological = hops.filter((h) => h.parsed);
  let unknown = 0;
  for (const h of chronological) {
    const p = h.parsed!;
    const from = hopFrom(p) ?? `unknown ${++unknown}`;
    const by = hopBy(p) ?? `unknown ${++unknown}`;
    const label = [p.protocol ?? p.with, h.delaySeconds === undefined ? undefined : formatDelay(h.delaySeconds)].filter(Boolean).join(' ');
    lines.push(`  ${dotId(from)} -> ${dotId(by)}${label ? ` [label=${dotId(label)}]` : ''};`);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}

/** The JSON record of one hop (the shape documented in blaze-recv(1)). */
export function hopJson(h: Hop) {
  if (!h.parsed) return { line: h.line, raw: h.raw, error: h.error };
  const p = h.parsed;
  const date = p.date?.ok ? p.date : undefined;
  return {
    line: h.line,
    from: p.from ?? null,
    by: p.by ?? null,
    via: p.via ?? null,
    with: p.with ?? null,
    protocol: p.protocol ?? null,
    id: p.id ?? null,
    for: p.for ?? null,
    tls: p.tls ?? null,
    date: date ? new Date(date.epochMs).toISOString() : null,
    dateText: p.dateText ?? null,
    zoneOffsetMinutes: date ? date.offsetMinutes : null,
    dateError: p.date && !p.date.ok ? p.date.error : null,
    delaySeconds: h.delaySeconds ?? null,
    raw: h.raw,
  };
}
