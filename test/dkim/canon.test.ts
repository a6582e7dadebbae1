import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonicalizeBody, BodyCanonicalizer, canonicalizeHeaderRelaxed, parseTagList, selectHeaders, removeSignatureValue, parseCanonTag } from '../../src/dkim/index.ts';

/** The RFC text of §3.4.3/§3.4.4 applied line by line, in memory: the reference. */
function referenceBody(body: string, canon: 'simple' | 'relaxed'): string {
  let lines = body.split('\r\n');
  // the last element is what follows the final CRLF (an unterminated line, or '')
  const last = lines.pop()!;
  if (last !== '') lines.push(last); // a CRLF is added to an unterminated last line
  if (canon === 'relaxed') lines = lines.map((l) => l.replace(/[ \t]+/g, ' ').replace(/ $/, ''));
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) return canon === 'simple' ? '\r\n' : '';
  return lines.map((l) => `${l}\r\n`).join('');
}

const bodyChars = fc.constantFrom('a', 'b', ' ', '\t', '\r', '\n', '\r\n', '\r\n', '  ', 'x y', '\u00e9');
const bodyArb = fc.array(bodyChars, { maxLength: 60 }).map((a) => a.join(''));

function chunked(body: string, cuts: number[], canon: 'simple' | 'relaxed', limit?: number): { out: string; length: number } {
  const buf = Buffer.from(body, 'latin1');
  const parts: Buffer[] = [];
  const c = new BodyCanonicalizer(canon, (b) => parts.push(Buffer.from(b)), limit);
  let at = 0;
  for (const cut of [...cuts.map((x) => x % (buf.length + 1))].sort((a, b) => a - b)) {
    c.push(buf.subarray(at, Math.max(at, cut)));
    at = Math.max(at, cut);
  }
  c.push(buf.subarray(at));
  c.finish();
  return { out: Buffer.concat(parts).toString('latin1'), length: c.length };
}

describe('body canonicalisation', () => {
  it('RFC 6376 §3.4.5 example', () => {
    const body = ' C \r\nD \t E\r\n\r\n\r\n';
    expect(canonicalizeBody(body, 'relaxed').toString()).toBe(' C\r\nD E\r\n');
    expect(canonicalizeBody(body, 'simple').toString()).toBe(' C \r\nD \t E\r\n');
  });
  it('empty bodies: simple is CRLF, relaxed is empty', () => {
    expect(canonicalizeBody('', 'simple').toString()).toBe('\r\n');
    expect(canonicalizeBody('\r\n\r\n', 'simple').toString()).toBe('\r\n');
    expect(canonicalizeBody('', 'relaxed').toString()).toBe('');
    expect(canonicalizeBody(' \r\n\t\r\n', 'relaxed').toString()).toBe('');
  });
  it('l= caps what is hashed, length counts everything', () => {
    const r = chunked('hello\r\nworld\r\n', [], 'simple', 5);
    expect(r.out).toBe('hello');
    expect(r.length).toBe(14);
  });
  for (const canon of ['simple', 'relaxed'] as const) {
    it(`${canon}: streaming with any chunking equals the RFC reference`, () => {
      fc.assert(
        fc.property(bodyArb, fc.array(fc.nat(), { maxLength: 6 }), (body, cuts) => {
          const expected = referenceBody(body, canon);
          const r = chunked(body, cuts, canon);
          expect(r.out).toBe(expected);
          expect(r.length).toBe(expected.length);
          const lim = chunked(body, cuts, canon, 7);
          expect(lim.out).toBe(expected.slice(0, 7));
        }),
        { numRuns: 3000 },
      );
    });
  }
  it('relaxed: long bodies with whitespace everywhere, any alignment, equal the reference', () => {
    const long = fc.array(bodyChars, { minLength: 200, maxLength: 4000 }).map((a) => a.join(''));
    fc.assert(
      fc.property(long, fc.array(fc.nat(), { maxLength: 4 }), fc.nat({ max: 7 }), (body, cuts, shift) => {
        // feed through a buffer at an odd or even byte offset
        const backing = Buffer.alloc(body.length + shift + 1);
        backing.write(body, shift, 'latin1');
        const view = backing.subarray(shift, shift + body.length);
        const parts: Buffer[] = [];
        const c = new BodyCanonicalizer('relaxed', (b) => parts.push(Buffer.from(b)));
        let at = 0;
        for (const cut of cuts.map((x) => x % (view.length + 1)).sort((a, b) => a - b)) {
          c.push(view.subarray(at, Math.max(at, cut)));
          at = Math.max(at, cut);
        }
        c.push(view.subarray(at));
        c.finish();
        expect(Buffer.concat(parts).toString('latin1')).toBe(referenceBody(body, 'relaxed'));
      }),
      { numRuns: 300 },
    );
  });
  it('holds trailing empty lines as a counter: a million of them cost no memory', () => {
    let n = 0;
    const c = new BodyCanonicalizer('simple', (b) => (n += b.length));
    const blank = Buffer.from('\r\n'.repeat(1 << 16));
    c.push(Buffer.from('x'));
    for (let i = 0; i < 16; i++) c.push(blank);
    expect(n).toBe(1);
    c.push(Buffer.from('y'));
    expect(n).toBe(2 + 16 * (1 << 17));
    c.finish();
  });
});

describe('header canonicalisation and selection', () => {
  it('relaxed header per RFC 6376 §3.4.5', () => {
    expect(canonicalizeHeaderRelaxed(Buffer.from('A: X\r\n')).toString()).toBe('a:X\r\n');
    expect(canonicalizeHeaderRelaxed(Buffer.from('B : Y\t\r\n\tZ  \r\n')).toString()).toBe('b:Y Z\r\n');
  });
  it('selects instances bottom-up; absent instances add nothing', () => {
    const f = (name: string, v: string) => ({ name, raw: Buffer.from(`${name}: ${v}\r\n`) });
    const fields = [f('Received', '1'), f('From', 'a'), f('Received', '2'), f('received', '3')];
    const sel = selectHeaders(fields, ['received', 'from', 'Received', 'RECEIVED', 'received', 'from']);
    expect(sel.map((x) => x?.raw.toString().trim())).toEqual(['received: 3', 'From: a', 'Received: 2', 'Received: 1', undefined, undefined]);
  });
  it('removes only the b= value, byte for byte, not bh=', () => {
    const raw = Buffer.from('DKIM-Signature: v=1; bh=abc=;\r\n b = AB\r\n  CD ;d=x\r\n');
    expect(removeSignatureValue(raw).toString()).toBe('DKIM-Signature: v=1; bh=abc=;\r\n b =;d=x\r\n');
    const last = Buffer.from('DKIM-Signature: v=1; b=AB\r\n CD\r\n');
    expect(removeSignatureValue(last).toString()).toBe('DKIM-Signature: v=1; b=\r\n');
  });
  it('tag lists', () => {
    const r = parseTagList(' v = 1 ;a=rsa-sha256;\r\n h=from : to ; ');
    expect(r.ok && [...r.value.tags]).toEqual([['v', '1'], ['a', 'rsa-sha256'], ['h', 'from : to']]);
    expect(parseTagList('a=1; a=2')).toEqual({ ok: false, error: 'syntax', message: "duplicate tag 'a'" });
    expect(parseTagList('v=DKIM1: k=rsa').ok).toBe(true);
    expect(parseTagList('novalue').ok).toBe(false);
    expect(parseCanonTag('relaxed')).toEqual({ header: 'relaxed', body: 'simple' });
    expect(parseCanonTag('simple/weird')).toBeUndefined();
  });
});
