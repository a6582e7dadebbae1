// src/dns/wire.ts: the raw DNS messages used for names c-ares refuses (SPF).
import { describe, expect, it } from 'vitest';
import { decodeDnsResponse, encodeDnsQuery } from '../../src/dns/index.ts';

function name(n: string): Buffer {
  return Buffer.concat([...n.split('.').map((l) => Buffer.concat([Buffer.from([Buffer.byteLength(l)]), Buffer.from(l)])), Buffer.from([0])]);
}
function rr(owner: Buffer, type: number, rdata: Buffer): Buffer {
  const h = Buffer.alloc(10);
  h.writeUInt16BE(type, 0);
  h.writeUInt16BE(1, 2);
  h.writeUInt32BE(60, 4);
  h.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([owner, h, rdata]);
}
function response(rcode: number, qname: string, qtype: number, answers: Buffer[]): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(7, 0);
  h.writeUInt16BE(0x8180 | rcode, 2);
  h.writeUInt16BE(1, 4);
  h.writeUInt16BE(answers.length, 6);
  const q = Buffer.concat([name(qname), Buffer.from([0, qtype, 0, 1])]);
  return Buffer.concat([h, q, ...answers]);
}

describe('DNS wire messages', () => {
  it('encodes any visible label octets, refuses empty or long labels', () => {
    const q = encodeDnsQuery(0x1234, 'foo:bar/baz.example.com', 'A')!;
    expect(q.subarray(0, 12).toString('hex')).toBe('123401000001000000000000');
    expect(q.subarray(12).toString('latin1')).toBe('\x0bfoo:bar/baz\x07example\x03com\x00\x00\x01\x00\x01');
    expect(encodeDnsQuery(1, 'a..b', 'A')).toBeUndefined();
    expect(encodeDnsQuery(1, `${'x'.repeat(64)}.example`, 'A')).toBeUndefined();
  });
  it('decodes A, TXT strings, MX with a compression pointer, and the error codes', () => {
    const ptr = Buffer.from([0xc0, 12]); // the question name
    const a = response(0, 'x.example', 1, [rr(ptr, 1, Buffer.from([192, 0, 2, 1])), rr(ptr, 5, name('y.example'))]);
    expect(decodeDnsResponse(a, 'A')).toEqual({ ok: true, type: 'A', records: ['192.0.2.1'] });
    const txt = response(0, 'x.example', 16, [rr(ptr, 16, Buffer.from('\x07v=spf1 \x04-all', 'latin1'))]);
    expect(decodeDnsResponse(txt, 'TXT')).toEqual({ ok: true, type: 'TXT', records: [['v=spf1 ', '-all']] });
    const mx = response(0, 'x.example', 15, [rr(ptr, 15, Buffer.concat([Buffer.from([0, 10, 4]), Buffer.from('mail'), ptr]))]);
    expect(decodeDnsResponse(mx, 'MX')).toEqual({ ok: true, type: 'MX', records: [{ preference: 10, exchange: 'mail.x.example' }] });
    expect(decodeDnsResponse(response(3, 'x.example', 1, []), 'A')).toMatchObject({ ok: false, error: 'nxdomain' });
    expect(decodeDnsResponse(response(0, 'x.example', 1, []), 'A')).toMatchObject({ ok: false, error: 'nodata' });
    expect(decodeDnsResponse(response(2, 'x.example', 1, []), 'A')).toMatchObject({ ok: false, error: 'servfail' });
    expect(decodeDnsResponse(Buffer.from([1, 2, 3]), 'A')).toMatchObject({ ok: false, error: 'malformed' });
    const outside = response(0, 'x.example', 12, [rr(ptr, 12, Buffer.from([0xc0, a.length]))]);
    expect(decodeDnsResponse(outside, 'PTR')).toMatchObject({ ok: false, error: 'malformed' });
  });
});
