// The SPF verdict of a message: evaluated from the session facts, or, for a
// message checked after the fact, read from its newest Received-SPF field
// (RFC 7208 §9.1) with src/spf's parser — trusted as written, or evaluated
// again from the client-ip and envelope identity it records.
//
// Many receivers write Received-SPF without envelope-from (Gmail writes only
// client-ip=): the identity is then the Return-Path, which the delivering
// MTA wrote from the same MAIL FROM (RFC 5321 §4.4), then the "domain of X"
// of the field's comment. Without it SPF would authenticate no domain and
// DMARC would fail legitimate mail.
import { fieldValue, type RawField } from '../mime/header-decoder.ts';
import { checkSpfHelo, checkSpfSender, parseIp, parseReceivedSpf, receivedSpfIdentity, type SpfResult } from '../spf/index.ts';
import type { SessionFacts, SpfIdentitySource, SpfVerdict } from './types.ts';

/** An evaluated SPF result in the shape DMARC aligns with. */
export function spfVerdictOf(r: SpfResult, source: SpfVerdict['source'] = 'session', identityFrom?: SpfIdentitySource): SpfVerdict {
  return {
    status: r.status,
    mailfrom: r.identity === 'mailfrom' ? r.sender : undefined,
    helo: r.helo,
    domain: r.domain.toLowerCase().replace(/\.$/, ''),
    source,
    identityFrom,
  };
}

/** What the newest Received-SPF field says, with the identity completed. */
export interface ReceivedSpfReading {
  status: SpfVerdict['status'];
  /** The client address (client-ip=, else the comment's). */
  ip?: string;
  /** The MAIL FROM identity ('' = the null reverse-path), undefined when unknown. */
  mailfrom?: string;
  helo?: string;
  identityFrom?: SpfIdentitySource;
}

/** The topmost Return-Path's address ('' for `<>`), or undefined. */
function returnPath(fields: readonly RawField[]): string | undefined {
  const f = fields.find((x) => x.name.toLowerCase() === 'return-path');
  if (!f) return undefined;
  const v = fieldValue(f.raw).toString('latin1').trim();
  const m = /^<([^<>]*)>/.exec(v);
  const s = checkSpfSender(m ? `<${m[1]}>` : v);
  return s.ok ? s.value : undefined;
}

/** Reads the newest Received-SPF field; undefined when there is none or it cannot be read. */
export function readReceivedSpf(fields: readonly RawField[]): ReceivedSpfReading | undefined {
  const f = fields.find((x) => x.name.toLowerCase() === 'received-spf');
  if (!f) return undefined;
  const p = parseReceivedSpf(fieldValue(f.raw).toString('latin1'));
  if (!p.ok) return undefined;
  const v = p.value;
  const helo = v.helo && checkSpfHelo(v.helo).ok ? v.helo : undefined;
  const ip = receivedSpfIdentity(v).ip;
  if (v.identity?.toLowerCase() === 'helo') return { status: v.status, ip, helo, identityFrom: 'helo' };
  if (v.envelopeFrom !== undefined) {
    const s = checkSpfSender(v.envelopeFrom);
    if (s.ok) return { status: v.status, ip, mailfrom: s.value, helo, identityFrom: s.value ? 'envelope-from' : 'helo' };
  }
  const rp = returnPath(fields);
  if (rp !== undefined) return { status: v.status, ip, mailfrom: rp, helo, identityFrom: rp ? 'return-path' : 'helo' };
  const fromComment = receivedSpfIdentity({ ...v, helo: undefined }).sender;
  const s = fromComment ? checkSpfSender(fromComment) : undefined;
  if (s?.ok && s.value) return { status: v.status, ip, mailfrom: s.value, helo, identityFrom: 'comment' };
  return { status: v.status, ip, helo, identityFrom: helo ? 'helo' : undefined };
}

/**
 * The verdict recorded in the newest Received-SPF field, trusted as written.
 * The authenticated domain is the MAIL FROM identity's, or the HELO name's
 * for the null reverse-path or `identity=helo`.
 */
export function receivedSpfVerdict(fields: readonly RawField[]): SpfVerdict | undefined {
  const r = readReceivedSpf(fields);
  if (!r) return undefined;
  const mailfrom = r.mailfrom || undefined;
  const domain = mailfrom ? mailfrom.slice(mailfrom.lastIndexOf('@') + 1) : r.helo;
  return { status: r.status, mailfrom, helo: r.helo, domain: domain?.toLowerCase(), source: 'received-spf', identityFrom: r.identityFrom };
}

/**
 * The session facts to evaluate SPF again (`--spf recheck`): the recorded
 * client address and identity; or why they are not enough.
 */
export function recheckSession(fields: readonly RawField[]): { ok: true; session: SessionFacts; identityFrom?: SpfIdentitySource } | { ok: false; why: string } {
  const r = readReceivedSpf(fields);
  if (!r) return { ok: false, why: 'no readable Received-SPF field to re-evaluate' };
  if (!r.ip || !parseIp(r.ip)) return { ok: false, why: 'the Received-SPF field records no client address' };
  if (!r.mailfrom && !r.helo) return { ok: false, why: 'no envelope identity (no envelope-from, Return-Path or helo)' };
  return { ok: true, session: { ip: r.ip, mailFrom: r.mailfrom || undefined, helo: r.helo }, identityFrom: r.identityFrom };
}
