// Parsing a Received field value (RFC 5321 §4.4, RFC 5322 §3.6.7) as real
// MTAs write it: Postfix, sendmail, Exim, qmail, qpsmtpd, Exchange,
// CommuniGate, ecelerity, Google... The clauses `from by via with id for`
// come in any order and case; the address information of the `from` clause
// hides in comments in a dozen styles (`(rdns [ip])`, `([ip] helo=x)`,
// `(HELO x) (ip)`, `(ident@[ip])`, `name(ip)`). What cannot be read is an
// error value with the reason, never an exception.
import { isIP } from 'node:net';
import { tokenize, type Token } from './tokens.ts';
import { parseReceivedDate, type ReceivedDate } from './date.ts';

export interface ReceivedFromInfo {
  /** The name given after `from` (normally the HELO/EHLO argument). */
  name?: string;
  /** An address given after `from` instead of a name (`from [192.0.2.1]`, `from 192.0.2.1`). */
  literal?: string;
  /** The client address found in the comments (TCP-info). */
  ip?: string;
  /** The client name from reverse DNS, found in the comments. */
  rdns?: string;
  /** A HELO/EHLO/LHLO name reported in a comment (`helo=x`, `(HELO x)`). */
  helo?: string;
  heloCommand?: 'HELO' | 'EHLO' | 'LHLO';
  /** The identity of the client user (`ident=x`, `user@[ip]`, `IDENT:user@host`). */
  ident?: string;
}

export interface ReceivedHost {
  name?: string;
  literal?: string;
  /** The address given in a comment or literal after the name (`by mx ([10.0.0.1])`, `by mx (10.0.0.1)`). */
  ip?: string;
}

export interface ReceivedTls {
  version?: string;
  cipher?: string;
}

export interface ParsedReceived {
  ok: true;
  from?: ReceivedFromInfo;
  by?: ReceivedHost;
  via?: string;
  /** The `with` word as written (`ESMTPS`, `esmtp`, `Microsoft`, `local-esmtps`...). */
  with?: string;
  /** The protocol in RFC 3848 spelling when the `with` clause names one (ESMTPS, LMTP, HTTP, Local...). */
  protocol?: string;
  id?: string;
  for?: string;
  tls?: ReceivedTls;
  /** The text after the last `;`. */
  dateText?: string;
  date?: ReceivedDate;
}

export interface ReceivedError {
  ok: false;
  error: string;
}

export type ReceivedResult = ParsedReceived | ReceivedError;

const KEYWORDS = new Set(['from', 'by', 'via', 'with', 'id', 'for']);

/** Parses the unfolded value of a Received field (after `Received:`). */
export function parseReceived(value: string): ReceivedResult {
  const v = value.replace(/\r?\n[ \t]*/g, ' ').trim();
  if (!v) return { ok: false, error: 'empty Received field' };
  const semi = v.lastIndexOf(';');
  let clausesText = semi === -1 ? v : v.slice(0, semi);
  let dateText = semi === -1 ? undefined : v.slice(semi + 1).trim();
  if (semi === -1) {
    // No `;`: old MTAs wrote the date straight after the last clause.
    const m = /\s((?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,?\s+)?\d{1,2}\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\s+\d{2,4}\s+\d{1,2}:\d{2}.*)$/i.exec(v);
    if (m) {
      clausesText = v.slice(0, m.index);
      dateText = m[1].trim();
    }
  }
  // `; <date> for <rcpt>`: a clause written after the date.
  const late = dateText === undefined ? null : /\s+(for\s+(?:<[^>]*>|\S+@\S+))\s*$/i.exec(dateText);
  if (late && dateText !== undefined) {
    clausesText += ' ' + late[1];
    dateText = dateText.slice(0, late.index).trim();
  }
  let tokens = tokenize(clausesText);
  // `(from user@host) by ...`, `(from localhost [1.2.3.4]) by ...`: a from clause in a comment.
  if (tokens[0]?.kind === 'comment' && /^from\s/i.test(tokens[0].text)) {
    tokens = [...tokenize(tokens[0].text), ...tokens.slice(1)];
  }
  const clauses = splitClauses(tokens);
  const r: ParsedReceived = { ok: true };
  for (const [kw, toks] of clauses) {
    if (kw === 'from') r.from = fromClause(toks);
    else if (kw === 'by') r.by = byClause(toks);
    else if (kw === 'via') r.via = cleanWord(firstValue(toks));
    else if (kw === 'with') withClause(toks, r);
    else if (kw === 'id') r.id = cleanWord(firstValue(toks));
    else if (kw === 'for') {
      const f = cleanWord(firstValue(toks));
      if (f && (f.includes('@') || /^postmaster$/i.test(f))) r.for = f;
    }
    // TLS details sit in comments anywhere (`(using TLSv1.3 with cipher X)`, `(version=TLS1_2, cipher=X)`).
    for (const t of toks) if (t.kind === 'comment') tlsFromComment(t.text, r);
  }
  if (dateText !== undefined) {
    r.dateText = dateText;
    if (dateText) r.date = parseReceivedDate(dateText);
  }
  if (!r.from && !r.by && !r.with && !r.id && !r.for && !r.via && !(r.date?.ok)) {
    const head = clausesText.trim().slice(0, 40);
    return { ok: false, error: head ? `no from/by/with/id/for clause and no date in '${head}'` : 'no clause and no date' };
  }
  return r;
}

/** Groups tokens after each keyword; a keyword seen twice counts once (the later one is a plain word). */
function splitClauses(tokens: Token[]): Array<[string, Token[]]> {
  const out: Array<[string, Token[]]> = [];
  const seen = new Set<string>();
  let current: Token[] | undefined;
  for (const t of tokens) {
    const kw = t.kind === 'word' ? t.text.toLowerCase().replace(/[,:]$/, '') : '';
    if (KEYWORDS.has(kw) && !seen.has(kw)) {
      seen.add(kw);
      current = [];
      out.push([kw, current]);
    } else current?.push(t);
  }
  return out;
}

function firstValue(toks: Token[]): string | undefined {
  const t = toks[0];
  if (!t || t.kind === 'comment') return undefined;
  return t.text;
}

function cleanWord(s: string | undefined): string | undefined {
  const w = s?.replace(/^[<\[]+|[>\],;]+$/g, '');
  return w ? w : undefined;
}

/** Canonical text of an IP address (`[IPv6:x]`, `x:port`, zero-padded v6 all accepted), or undefined. */
export function normalizeIp(s: string): string | undefined {
  let a = s.trim().replace(/^\[|\]$/g, '').replace(/^ipv6:/i, '').replace(/%.*$/, '');
  if (isIP(a) === 4) return a;
  if (isIP(a) === 6) {
    const canonical = new URL(`http://[${a}]`).hostname.slice(1, -1);
    // RFC 5952 §5: IPv4-mapped addresses keep the dotted quad.
    const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
    if (mapped) {
      const hi = parseInt(mapped[1], 16);
      const lo = parseInt(mapped[2], 16);
      return `::ffff:${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
    }
    return canonical;
  }
  // 1.2.3.4:port, 1.2.3.4.port
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})[:.]\d+$/.exec(a);
  if (m && isIP(m[1]) === 4) return m[1];
  a = a.replace(/^\(|\)$/g, '');
  if (isIP(a)) return normalizeIp(a);
  return undefined;
}

function looksLikeDomain(s: string): boolean {
  return /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.[A-Za-z0-9-]*[A-Za-z][A-Za-z0-9-]*\.?$/.test(s) && normalizeIp(s) === undefined;
}

function fromClause(toks: Token[]): ReceivedFromInfo {
  const f: ReceivedFromInfo = {};
  let rest = toks;
  const first = toks[0];
  if (first && first.kind !== 'comment') {
    rest = toks.slice(1);
    const ip = normalizeIp(first.text);
    if (first.kind === 'literal' || ip) {
      if (ip) f.literal = ip;
    } else if (first.kind === 'word' || first.kind === 'angle') {
      const name = first.text.replace(/[,;]+$/, '').split('/')[0];
      if (name) f.name = name;
    }
  }
  for (const t of rest) {
    if (t.kind === 'literal') {
      const ip = normalizeIp(t.text);
      if (ip && !f.ip) f.ip = ip;
    } else if (t.kind === 'comment') {
      fromComment(t.text, f);
    } else if (t.kind === 'word' && !f.ip) {
      // `name [(1.2.3.4)]`, `name 1.2.3.4`
      const ip = normalizeIp(t.text.replace(/^\[?\(|\)\]?$/g, ''));
      if (ip && t.text.startsWith('[')) f.ip = ip;
    } else if (t.kind === 'quoted' && !f.helo) {
      // smtpd: `name(ip), claiming to be "helo"`
      f.helo = t.text;
    }
  }
  return f;
}

function fromComment(comment: string, f: ReceivedFromInfo): void {
  let text = comment;
  const helo = /^(HELO|EHLO|LHLO)(?:\s+([^\s()]*))?(?=\s|$)/i.exec(text) ?? /(?:^|[\s,(])(HELO|EHLO|LHLO)\s+([^\s()]+)/i.exec(text);
  if (helo) {
    f.heloCommand = helo[1].toUpperCase() as ReceivedFromInfo['heloCommand'];
    const name = (helo[2] ?? '').replace(/^\[|\]$/g, '');
    if (name && !f.helo) f.helo = name;
  }
  const eq = /helo=([^\s()]+)/i.exec(text);
  if (eq && !f.helo) {
    f.helo = eq[1].replace(/^\[|\]$/g, '');
    f.heloCommand ??= 'HELO';
  }
  const ident = /ident[=:]\s*\[?([^\s()\]]+)/i.exec(text);
  if (ident && !f.ident) f.ident = ident[1];
  // The address: `[ip]` first, else a bare ip word (not the HELO argument, which may be a literal too).
  if (helo) text = text.replace(helo[0], ' ');
  const lit = /\[([^\]\s]+)\]/.exec(text);
  const words = text.replace(/\[[^\]]*\]/g, ' ').split(/[\s,]+/).filter(Boolean);
  let ip = lit ? normalizeIp(lit[1]) : undefined;
  if (!ip) {
    for (const w of words) {
      const cand = normalizeIp(w.replace(/^\(|\)$/g, ''));
      if (cand) {
        ip = cand;
        break;
      }
    }
  }
  // `user@[ip]` / `user@ip`: an ident, with the address only when bracketed.
  const at = /^([^\s@()]+)@(\[?)([^\s\]()]+)\]?/.exec(text);
  if (at) {
    f.ident ??= at[2] ? at[1] : `${at[1]}@${at[3]}`;
    if (!at[2] && !lit) ip = undefined;
  }
  if (ip && !f.ip) f.ip = ip;
  // The rDNS name: the first word when it is a domain and is followed by the address.
  if (!f.rdns && !helo && !/^(using|authenticated|envelope|uid|account|AUTH|TLS|version)\b/i.test(text)) {
    const name = (words[0] ?? '').replace(/^<|>$/g, '').replace(/[\[(].*$/, '');
    const beforeLit = lit ? text.slice(0, lit.index).trim().replace(/^<|>$/g, '') : undefined;
    const candidate = beforeLit !== undefined ? beforeLit.split(/\s+/).pop()!.replace(/^<|>$/g, '') : name;
    if (candidate && looksLikeDomain(candidate) && (lit || words.length === 1) && !candidate.includes('@')) f.rdns = candidate;
  }
}

function byClause(toks: Token[]): ReceivedHost | undefined {
  const t = toks[0];
  if (!t || t.kind === 'comment') return undefined;
  const ip = normalizeIp(t.text);
  if (t.kind === 'literal' || (ip && t.kind === 'word')) return ip ? { literal: ip } : undefined;
  const name = t.text.replace(/[,;]+$/, '');
  if (!name) return undefined;
  const host: ReceivedHost = { name };
  for (const x of toks.slice(1, 3)) {
    const inner = x.kind === 'comment' || x.kind === 'literal' ? x.text : undefined;
    const m = inner === undefined ? null : /^\[?((?:IPv6:)?[0-9A-Fa-f:.]+)\]?(?::\d+)?$/.exec(inner.trim());
    const addr = m ? normalizeIp(m[1]) : undefined;
    if (addr) {
      host.ip = addr;
      break;
    }
  }
  return host;
}

const PROTOCOLS = ['ESMTPSA', 'ESMTPS', 'ESMTPA', 'ESMTP', 'SMTP', 'LMTPSA', 'LMTPS', 'LMTPA', 'LMTP', 'UTF8SMTPSA', 'UTF8SMTPS', 'UTF8SMTPA', 'UTF8SMTP', 'UTF8LMTP', 'HTTPS', 'HTTP', 'IMAP', 'POP3', 'LOCAL'];

function withClause(toks: Token[], r: ParsedReceived): void {
  const words: string[] = [];
  for (const t of toks) {
    if (t.kind === 'comment') continue;
    words.push(...t.text.split(/\s+/));
    if (words.length >= 4) break;
  }
  if (!words.length) return;
  const first = words[0];
  const slash = first.split('/');
  r.with = slash[0];
  if (slash.length > 1 && /TLS/i.test(slash[1])) {
    r.tls ??= {};
    if (slash[2]) r.tls.cipher ??= slash[2];
  }
  for (const w of words.slice(0, 4)) {
    let p = w.toUpperCase().split('/')[0].replace(/^\[|\]$/g, '');
    p = p.replace(/^LOCAL-/, '');
    if (p === 'BSMTP') p = 'SMTP';
    if (p === 'ESMTP-TLS') p = 'ESMTPS';
    const hit = PROTOCOLS.find((x) => p === x) ?? (p.length > 4 ? PROTOCOLS.find((x) => (x === 'SMTP' || x === 'HTTP') && p.startsWith(x)) : undefined);
    if (hit) {
      r.protocol = hit === 'LOCAL' ? 'Local' : hit;
      return;
    }
  }
}

function tlsFromComment(text: string, r: ParsedReceived): void {
  const using = /using (TLSv?[\d.]+|SSLv\d)(?: with cipher ([\w-]+))?/i.exec(text);
  const version = /version=([\w./-]+)/i.exec(text);
  const cipher = /cipher=([\w-]+)/i.exec(text) ?? /cipher ([\w-]+)/i.exec(text);
  const colon = /(?:tls_cipher|Cipher|TLS:?)\s+(TLS-?v?[\d.]+|TLSv1|SSLv3)[:/,]\s*(?:[^:,\s]+[,\s]+)?([\w-]+)/i.exec(text);
  if (!using && !version && !colon && !/^TLS:/i.test(text)) return;
  r.tls ??= {};
  if (using) {
    r.tls.version ??= using[1];
    if (using[2]) r.tls.cipher ??= using[2];
  }
  if (version) r.tls.version ??= version[1];
  if (colon) {
    r.tls.version ??= colon[1];
    r.tls.cipher ??= colon[2];
  }
  if (cipher && cipher[1] !== 'OTHER') r.tls.cipher ??= cipher[1];
}
