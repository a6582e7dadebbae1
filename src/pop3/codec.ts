// The POP3 wire format (RFC 1939, with RFC 2449's CAPA and response codes,
// RFC 3206's AUTH and SYS codes, RFC 2595's STLS, RFC 5034's SASL AUTH):
// status lines, multi-line listings, the APOP digest. Pure functions: no I/O.
import { createHash } from 'node:crypto';

/** A status line: `+OK text` or `-ERR [CODE] text`. */
export interface Status {
  ok: boolean;
  /** The RFC 2449 response code in brackets (`AUTH`, `IN-USE`, `SYS/TEMP`, `LOGIN-DELAY`...), upper-cased. */
  code?: string;
  text: string;
}

/** Parses a status line; undefined when it is neither +OK nor -ERR. */
export function parseStatus(line: string): Status | undefined {
  const m = /^(\+OK|-ERR)(?:[ \t]+(.*))?$/i.exec(line);
  if (!m) return undefined;
  let text = m[2] ?? '';
  let code: string | undefined;
  const c = /^\[([^\]]*)\][ \t]*/.exec(text);
  if (c) {
    code = c[1].toUpperCase();
    text = text.slice(c[0].length);
  }
  return { ok: m[1].toUpperCase() === '+OK', code, text };
}

/** Whether a -ERR is worth trying again later (RFC 2449 §8.1.2 IN-USE, LOGIN-DELAY; RFC 3206 SYS/TEMP). */
export function isTemporary(s: Status): boolean {
  return s.code === 'IN-USE' || s.code === 'LOGIN-DELAY' || s.code === 'SYS/TEMP';
}

/**
 * The APOP timestamp of a greeting (RFC 1939 §7): a msg-id `<...@...>` in
 * the banner. Undefined when the server does not offer APOP.
 */
export function apopTimestamp(greeting: string): string | undefined {
  const m = /<[!-;=?-~]*@[!-;=?-~]*>/.exec(greeting);
  return m ? m[0] : undefined;
}

/** The APOP digest: lower-case hex MD5 of the timestamp and the shared secret (RFC 1939 §7). */
export function apopDigest(timestamp: string, password: string): string {
  return createHash('md5').update(timestamp + password, 'utf8').digest('hex');
}

/** CAPA lines (RFC 2449 §5): capability name (upper-cased) to its arguments. */
export function parseCapabilities(lines: string[]): Map<string, string[]> {
  const caps = new Map<string, string[]>();
  for (const l of lines) {
    const words = l.trim().split(/[ \t]+/).filter(Boolean);
    if (words.length) caps.set(words[0].toUpperCase(), words.slice(1));
  }
  return caps;
}

/** A UIDL line `n unique-id`; the id is 1 to 70 characters 0x21-0x7E (RFC 1939 §7). */
export function parseUidlLine(line: string): { n: number; uid: string } | undefined {
  const m = /^(\d{1,9})[ \t]+([\x21-\x7e]{1,70})[ \t]*$/.exec(line);
  return m ? { n: Number(m[1]), uid: m[2] } : undefined;
}

/** A LIST line `n octets`. */
export function parseListLine(line: string): { n: number; size: number } | undefined {
  const m = /^(\d{1,9})[ \t]+(\d{1,15})(?:[ \t].*)?$/.exec(line);
  return m ? { n: Number(m[1]), size: Number(m[2]) } : undefined;
}

/** A line of a multi-line response, byte-stuffing removed (RFC 1939 §3); undefined for the terminating `.`. */
export function unstuffLine(line: string): string | undefined {
  if (line === '.') return undefined;
  return line.startsWith('.') ? line.slice(1) : line;
}
