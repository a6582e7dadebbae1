// DNS messages on the wire (RFC 1035 §4), for questions about names c-ares
// refuses to send (EBADNAME: labels with ':', '/', '%', spaces... which SPF's
// domain-spec allows, RFC 7208 §7.1). Pure encoding and decoding; the socket
// is the caller's.
import type { Answer, MxRecord, RRType } from './types.ts';

export const RR_CODES: Record<RRType, number> = { A: 1, PTR: 12, MX: 15, TXT: 16, AAAA: 28 };

/** A query with RD set; labels are the name's octets (UTF-8), split at dots. Undefined if a label is empty or > 63 octets. */
export function encodeDnsQuery(id: number, name: string, type: RRType): Buffer | undefined {
  const parts: Buffer[] = [];
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id & 0xffff, 0);
  header.writeUInt16BE(0x0100, 2);
  header.writeUInt16BE(1, 4);
  parts.push(header);
  const n = name.endsWith('.') ? name.slice(0, -1) : name;
  for (const label of n.split('.')) {
    const b = Buffer.from(label, 'utf8');
    if (b.length === 0 || b.length > 63) return undefined;
    parts.push(Buffer.from([b.length]), b);
  }
  const tail = Buffer.alloc(5);
  tail.writeUInt16BE(RR_CODES[type], 1);
  tail.writeUInt16BE(1, 3);
  parts.push(tail);
  const out = Buffer.concat(parts);
  return out.length > 512 ? undefined : out;
}

/** The id of a response (to match it with its query). */
export function dnsMessageId(buf: Buffer): number {
  return buf.length >= 2 ? buf.readUInt16BE(0) : -1;
}

/** True when the TC bit is set (the answer did not fit in UDP). */
export function isTruncated(buf: Buffer): boolean {
  return buf.length >= 4 && (buf.readUInt16BE(2) & 0x0200) !== 0;
}

function readName(buf: Buffer, start: number): { name: string; next: number } {
  const labels: string[] = [];
  let pos = start;
  let next = -1;
  for (let jumps = 0; jumps < 64; ) {
    if (pos >= buf.length) throw new Error('name past the end');
    const len = buf[pos];
    if (len === 0) {
      if (next < 0) next = pos + 1;
      return { name: labels.join('.'), next };
    }
    if ((len & 0xc0) === 0xc0) {
      if (pos + 1 >= buf.length) throw new Error('bad pointer');
      if (next < 0) next = pos + 2;
      pos = ((len & 0x3f) << 8) | buf[pos + 1];
      jumps++;
      continue;
    }
    if (len > 63 || pos + 1 + len > buf.length) throw new Error('bad label');
    labels.push(buf.toString('utf8', pos + 1, pos + 1 + len));
    pos += 1 + len;
  }
  throw new Error('compression loop');
}

function formatAaaa(b: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16));
  return groups.join(':');
}

/** Decodes a response into an Answer for the question's type (CNAMEs in the answer are followed by taking the type's records). */
export function decodeDnsResponse<T extends RRType>(buf: Buffer, type: T): Answer<T> {
  const fail = (error: 'malformed' | 'servfail' | 'refused' | 'nxdomain' | 'nodata', message?: string): Answer<T> => ({ ok: false, type, error, message });
  try {
    if (buf.length < 12) return fail('malformed', 'short message');
    const flags = buf.readUInt16BE(2);
    const rcode = flags & 0x0f;
    if (rcode === 3) return fail('nxdomain');
    if (rcode === 2) return fail('servfail');
    if (rcode === 5) return fail('refused');
    if (rcode !== 0) return fail('malformed', `rcode ${rcode}`);
    const qd = buf.readUInt16BE(4);
    const an = buf.readUInt16BE(6);
    let pos = 12;
    for (let i = 0; i < qd; i++) pos = readName(buf, pos).next + 4;
    const records: unknown[] = [];
    for (let i = 0; i < an; i++) {
      pos = readName(buf, pos).next;
      if (pos + 10 > buf.length) return fail('malformed', 'short record');
      const rtype = buf.readUInt16BE(pos);
      const rdlen = buf.readUInt16BE(pos + 8);
      const rd = pos + 10;
      if (rd + rdlen > buf.length) return fail('malformed', 'short rdata');
      pos = rd + rdlen;
      if (rtype !== RR_CODES[type]) continue;
      switch (type) {
        case 'A':
          if (rdlen === 4) records.push(Array.from(buf.subarray(rd, rd + 4)).join('.'));
          break;
        case 'AAAA':
          if (rdlen === 16) records.push(formatAaaa(buf.subarray(rd, rd + 16)));
          break;
        case 'MX':
          records.push({ preference: buf.readUInt16BE(rd), exchange: readName(buf, rd + 2).name } satisfies MxRecord);
          break;
        case 'PTR':
          records.push(readName(buf, rd).name);
          break;
        case 'TXT': {
          const strings: string[] = [];
          for (let p = rd; p < rd + rdlen; ) {
            const l = buf[p];
            strings.push(buf.toString('utf8', p + 1, p + 1 + l));
            p += 1 + l;
          }
          records.push(strings);
          break;
        }
      }
    }
    if (records.length === 0) return fail('nodata');
    return { ok: true, type, records } as Answer<T>;
  } catch (err) {
    return fail('malformed', (err as Error).message);
  }
}
