import { describe, expect, it } from 'vitest';
import { runSync, type Answer, type Question } from '../../src/dns/index.ts';
import { resolveMx } from '../../src/smtp/index.ts';

type Zone = Record<string, Partial<{ MX: Array<{ preference: number; exchange: string }>; A: string[]; AAAA: string[] }> | 'SERVFAIL'>;

function answer(zone: Zone): (q: Question) => Answer {
  return (q) => {
    const z = zone[q.name];
    if (z === 'SERVFAIL') return { ok: false, type: q.type, error: 'servfail' };
    if (!z) return { ok: false, type: q.type, error: 'nxdomain' };
    const recs = (z as Record<string, unknown[]>)[q.type];
    if (!recs || !recs.length) return { ok: false, type: q.type, error: 'nodata' };
    return { ok: true, type: q.type, records: recs } as Answer;
  };
}

describe('resolveMx', () => {
  it('orders MX hosts by preference and resolves each', () => {
    const zone: Zone = {
      'example.net': { MX: [{ preference: 20, exchange: 'b.mx.example.net.' }, { preference: 10, exchange: 'a.mx.example.net' }] },
      'a.mx.example.net': { A: ['192.0.2.1'], AAAA: ['2001:db8::1'] },
      'b.mx.example.net': { A: ['192.0.2.2'] },
    };
    expect(runSync(resolveMx('Example.NET'), answer(zone))).toEqual({
      ok: true,
      value: [
        { name: 'a.mx.example.net', preference: 10, addresses: ['192.0.2.1', '2001:db8::1'], implicit: false },
        { name: 'b.mx.example.net', preference: 20, addresses: ['192.0.2.2'], implicit: false },
      ],
    });
  });
  it('falls back to the implicit MX (A/AAAA of the domain) when there is no MX', () => {
    const r = runSync(resolveMx('plain.example'), answer({ 'plain.example': { AAAA: ['2001:db8::5'] } }));
    expect(r).toEqual({ ok: true, value: [{ name: 'plain.example', preference: 0, addresses: ['2001:db8::5'], implicit: true }] });
  });
  it('a null MX is a permanent refusal (RFC 7505)', () => {
    const r = runSync(resolveMx('nomail.example'), answer({ 'nomail.example': { MX: [{ preference: 0, exchange: '.' }], A: ['192.0.2.9'] } }));
    expect(r).toMatchObject({ ok: false, error: 'permanent', message: expect.stringContaining('null MX') });
  });
  it('NXDOMAIN is permanent, SERVFAIL temporary', () => {
    expect(runSync(resolveMx('gone.example'), answer({}))).toMatchObject({ ok: false, error: 'permanent' });
    expect(runSync(resolveMx('broken.example'), answer({ 'broken.example': 'SERVFAIL' }))).toMatchObject({ ok: false, error: 'temporary' });
  });
  it('MX hosts without addresses: skipped, permanent failure when none is left', () => {
    const zone: Zone = {
      'd.example': { MX: [{ preference: 5, exchange: 'ghost.example' }, { preference: 10, exchange: 'real.example' }] },
      'real.example': { A: ['192.0.2.7'] },
    };
    expect(runSync(resolveMx('d.example'), answer(zone))).toMatchObject({ ok: true, value: [{ name: 'real.example' }] });
    expect(runSync(resolveMx('e.example'), answer({ 'e.example': { MX: [{ preference: 5, exchange: 'ghost.example' }] } }))).toMatchObject({ ok: false, error: 'permanent' });
  });
  it('an address literal needs no DNS', () => {
    expect(runSync(resolveMx('[127.0.0.1]'), () => { throw new Error('no DNS expected'); })).toMatchObject({ ok: true, value: [{ addresses: ['127.0.0.1'] }] });
  });
});
