import { describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { runSync, type Answer } from '../../src/dns/index.ts';
import { ArcReader, evaluateArc, sealMessage, arcStructure, parseArcSeal, parseArcMessageSignature, type ArcResult } from '../../src/arc/index.ts';
import { publicKeyRecordData, type LoadedKey } from '../../src/dkim/index.ts';
import { parseAuthResults } from '../../src/authres/index.ts';
import { HeaderDecoder, type RawField } from '../../src/mime/header-decoder.ts';
import { loadScenarios, crlf, txtAnswers } from './suite.ts';
import { corpusPath } from '../support/corpus.ts';

const { privateKey } = generateKeyPairSync('ed25519');
const KEY: LoadedKey = { key: privateKey, type: 'ed25519' };
const ZONE = { 'sel._domainkey.hop.example': `v=DKIM1; k=ed25519; p=${publicKeyRecordData(privateKey)}` };
const answer = txtAnswers(ZONE);
const MSG = 'From: a@origin.example\r\nTo: b@list.example\r\nSubject: chain\r\n\r\nline one\r\nline two\r\n';

function read(msg: Buffer | string, chunk = 0): ArcReader {
  const r = new ArcReader({ seal: true });
  const b = Buffer.isBuffer(msg) ? msg : Buffer.from(msg, 'latin1');
  if (!chunk) r.push(b);
  else for (let i = 0; i < b.length; i += chunk) r.push(b.subarray(i, i + chunk));
  r.finish();
  return r;
}

function seal(msg: string, n = 1): string {
  let m = msg;
  for (let i = 0; i < n; i++) {
    const r = read(m);
    const chain = runSync(evaluateArc(r), answer);
    const ar = parseAuthResults(`hop.example; arc=${chain.status}`);
    if (!ar.ok) throw new Error(ar.message);
    const s = sealMessage(r, chain, { key: KEY, domain: 'hop.example', selector: 'sel', timestamp: 1700000000 + i, fields: ['from', 'to', 'subject'], aar: { results: ar.value } });
    if (!s.ok) throw new Error(s.message);
    m = s.value.seal + s.value.signature + s.value.results + m;
  }
  return m;
}

const verify = (m: string, chunk = 0): ArcResult => runSync(evaluateArc(read(m, chunk)), answer);

function fields(m: string): RawField[] {
  const d = new HeaderDecoder();
  const out: RawField[] = [];
  for (const e of [...d.push(Buffer.from(m, 'latin1')), ...d.finish()]) if (e.type === 'field') out.push(e.field);
  return out;
}

describe('ARC chain', () => {
  it('three Ed25519 hops verify, fed whole or one byte at a time', () => {
    const m = seal(MSG, 3);
    expect(verify(m)).toMatchObject({ status: 'pass', instances: 3, oldestPass: 0 });
    expect(verify(m, 1).status).toBe('pass');
    expect(verify(m, 7).status).toBe('pass');
  });

  it('a body change fails the newest AMS only; oldest-pass is not reported', () => {
    const r = verify(seal(MSG, 2).replace('line two', 'line 2'));
    expect(r.status).toBe('fail');
    expect(r.sets.map((s) => [s.seal, s.ams])).toEqual([
      ['pass', 'fail'],
      ['pass', 'fail'],
    ]);
  });

  it('structure: a gap, a duplicate, a wrong cv, and a removed set all fail', () => {
    const m = seal(MSG, 2);
    const f = fields(m);
    const text = (list: RawField[]) => list.map((x) => x.raw.toString('latin1')).join('');
    const body = m.slice(m.indexOf('\r\n\r\n'));
    // Remove the i=1 seal: set 1 incomplete.
    const noAs1 = f.filter((x) => !(x.name === 'ARC-Seal' && x.raw.toString().includes('i=1;')));
    expect(verify(text(noAs1) + body)).toMatchObject({ status: 'fail', reason: 'ARC-Seal i=1 is missing' });
    // Duplicate the i=2 AAR.
    const aar2 = f.find((x) => x.name === 'ARC-Authentication-Results' && x.raw.toString().startsWith('ARC-Authentication-Results: i=2'))!;
    expect(verify(text([aar2, ...f]) + body).reason).toBe('ARC-Authentication-Results i=2 appears 2 times');
    // Only set 2: a gap at 1.
    const only2 = f.filter((x) => !x.name.startsWith('ARC-') || /i=2/.test(x.raw.toString()));
    expect(verify(text(only2) + body).reason).toBe('ARC set i=1 is missing');
    expect(arcStructure(f).kind).toBe('ok');
  });

  it('a chain whose newest seal says cv=fail is not extended', () => {
    const m = seal(MSG, 1).replace('line two', 'changed');
    const r = read(m);
    const chain = runSync(evaluateArc(r), answer);
    const ar = parseAuthResults('hop.example; arc=fail');
    if (!ar.ok) throw new Error();
    const s = sealMessage(r, chain, { key: KEY, domain: 'hop.example', selector: 'sel', timestamp: 1, fields: ['from'], aar: { results: ar.value } });
    expect(s.ok && s.value.cv).toBe('fail');
    if (!s.ok) return;
    const next = read(s.value.seal + s.value.signature + s.value.results + m);
    const again = sealMessage(next, runSync(evaluateArc(next), answer), { key: KEY, domain: 'hop.example', selector: 'sel', timestamp: 2, fields: ['from'], aar: { results: ar.value } });
    expect(again).toMatchObject({ ok: false, error: 'chain-failed' });
  });

  it('a missing key is fail, a timeout is temperror', () => {
    const m = seal(MSG, 1);
    expect(runSync(evaluateArc(read(m)), () => ({ ok: false, type: 'TXT', error: 'nxdomain' }) as Answer).status).toBe('fail');
    expect(runSync(evaluateArc(read(m)), () => ({ ok: false, type: 'TXT', error: 'timeout' }) as Answer).status).toBe('temperror');
  });

  it('field parsers reject what RFC 8617 forbids', () => {
    expect(parseArcSeal('i=1; a=rsa-sha256; b=AAAA; cv=none; d=x.example; s=s; h=from')).toMatchObject({ ok: false });
    expect(parseArcSeal('i=51; a=rsa-sha256; b=AAAA; cv=none; d=x.example; s=s')).toMatchObject({ ok: false });
    expect(parseArcSeal('i=1; a=rsa-sha256; b=AAAA; cv=maybe; d=x.example; s=s')).toMatchObject({ ok: false });
    expect(parseArcMessageSignature('i=1; a=rsa-sha256; b=AAAA; bh=AAAA; d=x.example; s=s; h=from:arc-seal')).toMatchObject({ ok: false });
    expect(parseArcMessageSignature('i=1; a=rsa-sha256; b=AAAA; bh=AAAA; d=x.example; s=s; h=from')).toMatchObject({ ok: true, value: { canon: { header: 'relaxed', body: 'relaxed' } } });
  });

  const suite = corpusPath('ARC', 'arc/');
  it.skipIf(suite === undefined)('the suite messages give the same verdict in any chunking (needs BLAZE_CORPUS)', () => {
    const sc = loadScenarios(suite!, 'arc-draft-validation-tests.yml')[0];
    const ans = txtAnswers(sc['txt-records']);
    for (const t of Object.values(sc.tests).slice(0, 10)) {
      const m = crlf(String(t.message ?? ''));
      const whole = runSync(evaluateArc(read(m)), ans).status;
      expect(runSync(evaluateArc(read(m, 3)), ans).status).toBe(whole);
    }
  });
});

describe('robustness', () => {
  it('random field values never throw (authres, ARC fields, structure)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        parseAuthResults(s);
        parseArcSeal(s);
        parseArcMessageSignature(s);
        arcStructure([{ name: 'ARC-Seal', raw: Buffer.from(`ARC-Seal: ${s.replace(/[\r\n]/g, ' ')}\r\n`), line: 1 } as RawField]);
      }),
      { numRuns: 500 },
    );
  });
});
