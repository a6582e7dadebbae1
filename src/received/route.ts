// The route of a message from its Received fields: one hop per field, in
// header order (the most recent hop first, as the fields are stacked), with
// the delay each hop added, and the three presentations of `recv extract`:
// the original tool's text lines, a Graphviz digraph and a JSON record.
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
  /** Seconds between the previous (older) hop, or the Date field for the oldest, and this one. */
  delaySeconds?: number;
}

/** Parses every field and computes delays: each hop against the next older one with a date, the oldest against DATEFIELD. */
export function buildRoute(fields: RouteField[], dateField?: string): Hop[] {
  const hops: Hop[] = fields.map((f) => {
    const r = parseReceived(f.value);
    if (!r.ok) return { line: f.line, raw: f.value, error: r.error };
    return { line: f.line, raw: f.value, parsed: r, epochMs: r.date?.ok ? r.date.epochMs : undefined };
  });
  const origin = dateField ? parseReceivedDate(dateField) : undefined;
  for (let i = 0; i < hops.length; i++) {
    const h = hops[i];
    if (h.epochMs === undefined) continue;
    const older = hops.slice(i + 1).find((x) => x.epochMs !== undefined);
    const base = older?.epochMs ?? (origin?.ok && !hops.slice(i + 1).some((x) => x.parsed) ? origin.epochMs : undefined);
    if (base !== undefined) h.delaySeconds = Math.round((h.epochMs - base) / 1000);
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

/** A Graphviz digraph of the route, oldest hop first; edges labelled with the protocol and the delay. */
export function formatRouteDot(hops: Hop[]): string {
  const lines = ['digraph route {', '  rankdir=LR;', '  node [shape=box];'];
  const chronological = hops.filter((h) => h.parsed).reverse();
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
