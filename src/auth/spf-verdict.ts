// The SPF verdict of a message: evaluated from the session facts, or, for a
// message checked after the fact, read from its newest Received-SPF field
// (RFC 7208 §9.1) with src/spf's parser.
import { fieldValue, type RawField } from '../mime/header-decoder.ts';
import { parseReceivedSpf, type SpfResult } from '../spf/index.ts';
import type { SpfVerdict } from './types.ts';

/** An evaluated SPF result in the shape DMARC aligns with. */
export function spfVerdictOf(r: SpfResult): SpfVerdict {
  return {
    status: r.status,
    mailfrom: r.identity === 'mailfrom' ? r.sender : undefined,
    helo: r.helo,
    domain: r.domain.toLowerCase().replace(/\.$/, ''),
    source: 'session',
  };
}

/**
 * The verdict recorded in the newest Received-SPF field, or undefined when
 * there is none or it cannot be read. The authenticated domain is the
 * envelope-from's, or the HELO name's when `identity=helo` or there is no
 * envelope-from.
 */
export function receivedSpfVerdict(fields: readonly RawField[]): SpfVerdict | undefined {
  const f = fields.find((x) => x.name.toLowerCase() === 'received-spf');
  if (!f) return undefined;
  const p = parseReceivedSpf(fieldValue(f.raw).toString('latin1'));
  if (!p.ok) return undefined;
  const v = p.value;
  const mailfrom = v.envelopeFrom?.replace(/^<|>$/g, '') || undefined;
  const fromHelo = v.identity?.toLowerCase() === 'helo' || !mailfrom;
  const domain = fromHelo ? v.helo : mailfrom!.slice(mailfrom!.lastIndexOf('@') + 1);
  return { status: v.status, mailfrom: fromHelo ? undefined : mailfrom, helo: v.helo, domain: domain?.toLowerCase(), source: 'received-spf' };
}
