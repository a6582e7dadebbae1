// The value grammars of blaze's flags, each parsed in one place so that every
// command reads `--now @1700000000`, `--timeout 2m`, `--max-size 25MB` or
// `[::1]:2525` the same way (man blaze(1), VALUES). A bad value is a usage
// error (exit 2) naming the flag and the value.
//
// Nothing heavy is imported here: every command loads this file at start-up.
import { Option, type Command } from 'commander';
import { usageError } from './errors.ts';
import { parseRfc3339, parseZoneOffset } from '../../src/mime/encoder/date-encoder.ts';

/** Accumulates a repeatable flag (`-f a -f b`) into an array. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

// ---------------------------------------------------------------- time

/** An instant and, when the text wrote one, the zone offset it was written in (minutes east of UTC). */
export interface ParsedTime {
  date: Date;
  offsetMinutes?: number;
}

const NOW_EXAMPLE = 'an RFC 3339 date like 2026-11-22T14:00:00Z';

/**
 * A point in time as the flags write it:
 * - `now`: the real clock;
 * - `@SECONDS`: seconds since the Unix epoch (as `date +%s`, `dkimsign`);
 * - RFC 3339 (§5.6): `2026-11-22T14:00:00Z`, `...+01:00`, a fraction of a
 *   second, `t`/`z`/space as the RFC's note allows; a zone written `+0100`
 *   is read too. Without a zone, or as a bare date `2026-11-22` (midnight),
 *   it is UTC: RFC 3339 gives no meaning to a local time, and the local zone
 *   would make a test depend on the machine.
 * Undefined when the text is none of these.
 */
export function parseTime(text: string, clock: () => Date = () => new Date()): ParsedTime | undefined {
  const t = text.trim();
  if (t.toLowerCase() === 'now') return { date: clock() };
  const epoch = /^@(\d{1,12})(\.\d{1,9})?$/.exec(t);
  if (epoch) return { date: new Date(Math.round(Number(epoch[1] + (epoch[2] ?? '')) * 1000)) };
  const m = /^(\d{4}-\d\d-\d\d)(?:[Tt ](\d\d:\d\d)(:\d\d(?:\.\d+)?)?([Zz]|[+-]\d\d:?\d\d)?)?$/.exec(t);
  if (!m) return undefined;
  const [, day, hm, sec, zone] = m;
  const zoneText = zone === undefined ? 'Z' : /^[+-]\d{4}$/.test(zone) ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
  const r = parseRfc3339(`${day}T${hm ?? '00:00'}${sec ?? ':00'}${zoneText}`);
  if (!r) return undefined;
  return zone === undefined ? { date: r.date } : r;
}

/** The value of `--now` (absent: the real clock). */
export function parseNow(text: string | undefined, flag = '--now'): Date {
  if (text === undefined) return new Date();
  const r = parseTime(text);
  if (!r) throw usageError(`${flag}: expected ${NOW_EXAMPLE} (or @EPOCH, or now), got '${text}'`);
  return r.date;
}

/** `--now` for the commands where time matters: expiry checks, the Date a command writes. */
export function addNowOption(cmd: Command, description = 'the time taken as now: RFC 3339 (2026-11-22T14:00:00Z), @EPOCH or now'): Command {
  return cmd.option('--now <time>', description);
}

/** A zone offset `+HHMM`, `-HH:MM`, `Z`/`UTC`/`GMT`, in minutes east of UTC. */
export function parseZone(text: string, flag = '--zone'): number {
  const z = parseZoneOffset(text.trim());
  if (z === undefined) throw usageError(`${flag}: expected +HHMM or -HHMM, got '${text}'`);
  return z;
}

// ---------------------------------------------------------------- durations and sizes

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 604800e3 };

/**
 * A duration in milliseconds: a number with a unit `ms`, `s`, `m`, `h`, `d`,
 * `w` (`300ms`, `5s`, `2m`, `1.5h`, `7d`); a bare number is seconds.
 * `positive`: zero is refused (timeouts).
 */
export function parseDuration(text: string, flag: string, opts: { positive?: boolean } = {}): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$/i.exec(text);
  if (!m) throw usageError(`${flag}: bad duration '${text}' (expected e.g. 300ms, 5s, 2m, 1h, 7d)`);
  const ms = Math.round(Number(m[1]) * DURATION_UNITS[(m[2] ?? 's').toLowerCase()]);
  if (opts.positive && ms <= 0) throw usageError(`${flag}: must be more than zero, got '${text}'`);
  return ms;
}

const SIZE_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/**
 * A size in bytes: a number with an optional unit `k`, `M`, `G`, `T` (powers
 * of 1024, as mail servers' limits are written), an optional `B` or `iB`:
 * `25M`, `25MB`, `10k`, `1.5GiB`, `1048576`.
 */
export function parseSize(text: string, flag: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:([kKmMgGtT])(?:i?[bB])?|[bB])?\s*$/.exec(text);
  if (!m) throw usageError(`${flag}: not a size: ${text}`);
  return Math.floor(Number(m[1]) * SIZE_UNITS[(m[2] ?? '').toLowerCase()]);
}

/** A count: a non-negative integer (`min` and `max` bound it). */
export function parseCount(text: string, flag: string, opts: { min?: number; max?: number } = {}): number {
  const n = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || n < (opts.min ?? 0) || (opts.max !== undefined && n > opts.max)) {
    const range = opts.max !== undefined ? ` from ${opts.min ?? 0} to ${opts.max}` : opts.min ? ` of at least ${opts.min}` : '';
    throw usageError(`${flag}: expected a whole number${range}, got '${text}'`);
  }
  return n;
}

// ---------------------------------------------------------------- hosts and ports

export interface HostPort {
  host: string;
  port: number;
}

export interface HostPortOptions {
  defaultPort: number;
  /** The host of `:PORT` (and of a bare `PORT` when portOnly). */
  defaultHost?: string;
  /** A bare number is a port (srv 2525), not a host name. */
  portOnly?: boolean;
  /** Port 0 means "any free port" (a listener). */
  allowZero?: boolean;
  /** Named in the error; absent for a positional argument. */
  flag?: string;
}

/**
 * `HOST[:PORT]`: `mail.example.org`, `mail.example.org:587`, `192.0.2.1:25`,
 * `[2001:db8::1]:25`, `[::1]`; a bare IPv6 address (two colons or more)
 * has no port. Undefined when malformed.
 */
export function splitHostPort(text: string, opts: HostPortOptions): HostPort | undefined {
  const s = text.trim();
  let host: string;
  let port: string | undefined;
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (v6) [, host, port] = v6;
  else if (opts.portOnly && /^\d+$/.test(s)) [host, port] = ['', s];
  else if (s.includes(':') && s.indexOf(':') === s.lastIndexOf(':')) [host, port] = [s.slice(0, s.indexOf(':')), s.slice(s.indexOf(':') + 1)];
  else host = s;
  if (host === '') {
    if (opts.defaultHost === undefined) return undefined;
    host = opts.defaultHost;
  }
  if (/[\s/[\]]/.test(host)) return undefined;
  if (port !== undefined && !/^\d{1,5}$/.test(port)) return undefined;
  const n = port === undefined ? opts.defaultPort : Number(port);
  if (n > 65535 || (n === 0 && !opts.allowZero)) return undefined;
  return { host, port: n };
}

/** `HOST[:PORT]` or a usage error: `blaze submit: host:99999: expected HOST[:PORT]`. */
export function parseHostPort(text: string, opts: HostPortOptions): HostPort {
  const r = splitHostPort(text, opts);
  if (!r) throw usageError(`${opts.flag ? `${opts.flag}: ` : ''}${text}: expected ${opts.portOnly ? 'HOST[:PORT] or PORT' : 'HOST[:PORT]'}`);
  return r;
}

/** `host:port`, with brackets around an IPv6 address. */
export function formatHostPort(hp: HostPort): string {
  return hp.host.includes(':') ? `[${hp.host}]:${hp.port}` : `${hp.host}:${hp.port}`;
}

/** An IPv4 dotted quad or an IPv6 address (the shape; node:net is not loaded for this). */
export function looksLikeIp(host: string): boolean {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (v4) return v4.slice(1).every((o) => Number(o) <= 255);
  return host.includes(':') && /^[0-9a-fA-F:.]+$/.test(host) && !host.includes(':::');
}

/** `-n IP[:PORT]`: a nameserver is an address, not a name (default port 53). */
export function parseNameserver(text: string, flag = '--nameserver'): HostPort {
  const r = splitHostPort(text, { defaultPort: 53 });
  if (!r) throw usageError(`${flag} ${text}: bad port or malformed IP[:PORT]`);
  if (!looksLikeIp(r.host)) throw usageError(`${flag} ${text}: not an IP[:PORT] nameserver`);
  return r;
}

// ---------------------------------------------------------------- DNS

/** The DNS flags as commander gives them (SPEC §1 "DNS"). */
export interface DnsOptions {
  nameserver?: string[];
  dnsStatic?: string;
  dnsTimeout?: string;
  offline?: boolean;
  now?: string;
  verbose?: boolean;
}

/** What the DNS flags say, checked. */
export interface DnsSettings {
  /** Explicit nameservers; empty: the system's. */
  servers: HostPort[];
  /** --dns-static DIR (or BLAZE_DNS_STATIC). */
  staticDir?: string;
  timeoutMs: number;
  offline: boolean;
}

export const DEFAULT_DNS_TIMEOUT = '5s';

/** -n/--nameserver (repeatable), --dns-static DIR, --dns-timeout DURATION, --offline, --now. */
export function addDnsOptions(cmd: Command): Command {
  cmd
    .addOption(new Option('-n, --nameserver <ip[:port]>', 'ask this nameserver (repeatable; default: the system resolver)').argParser(collect))
    .addOption(new Option('--dns-static <dir>', 'answer from DIR/<domain>.dns files').env('BLAZE_DNS_STATIC'))
    .option('--dns-timeout <duration>', 'bound on each DNS question', DEFAULT_DNS_TIMEOUT)
    .option('--offline', 'no network: names without a --dns-static file do not exist');
  return addNowOption(cmd, 'the current time (for expiry checks): RFC 3339 (2024-05-01T12:00:00Z), @EPOCH or now');
}

/** The DNS flags checked: bad nameservers and durations are usage errors. */
export function dnsSettings(o: DnsOptions): DnsSettings {
  return {
    servers: (o.nameserver ?? []).map((s) => parseNameserver(s)),
    staticDir: o.dnsStatic,
    timeoutMs: parseDuration(o.dnsTimeout ?? DEFAULT_DNS_TIMEOUT, '--dns-timeout', { positive: true }),
    offline: o.offline === true,
  };
}

// ---------------------------------------------------------------- words

/**
 * A flag value that becomes one word of a header field we write (a host
 * name, an authserv-id): not empty, no whitespace, no control character — a
 * CR or LF would end the field and start another (a header injection).
 */
export function parseFieldWord(text: string, flag: string): string {
  if (text === '' || /[\s\x00-\x1f\x7f-\x9f]/.test(text) || /[();"\\]/.test(text)) {
    throw usageError(`${flag}: '${text.replace(/[\x00-\x1f\x7f-\x9f]/g, '?')}' is not a single word (no spaces, control characters or ();"\\)`);
  }
  return text;
}
