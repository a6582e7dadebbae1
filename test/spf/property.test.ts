// Random input never throws and never hangs: parsers return values, and the
// evaluator ends within its lookup limits whatever the records say.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { answerFromZone, runSync, type MemoryZone } from '../../src/dns/index.ts';
import { evaluateSpf, parseMacroString, parseReceivedSpf, parseSpfRecord, SPF_RESULTS } from '../../src/spf/index.ts';

const TERMS = ['a', 'mx', 'ptr', 'all', '-all', '~all', 'ip4:192.0.2.0/24', 'ip6:2001:db8::/32', 'include:%{d}', 'include:x.example', 'redirect=%{d}',
  'redirect=x.example', 'exists:%{i}.%{l}.x.example', 'exp=%{d}', 'a:%{o}/24', 'mx:x.example//64', '%{p}', 'v=spf1', '%', '%{', 'a:', '?exists:%{ir}.x.example'];

describe('SPF under random input', () => {
  it('parsers return values for arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        expect(typeof parseSpfRecord(`v=spf1 ${s}`).ok).toBe('boolean');
        expect(typeof parseMacroString(s).ok).toBe('boolean');
        expect(typeof parseReceivedSpf(s).ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });

  it('evaluation of random records over a small zone ends with a result and at most a bounded number of questions', () => {
    const record = fc.array(fc.constantFrom(...TERMS), { maxLength: 12 }).map((t) => `v=spf1 ${t.join(' ')}`);
    fc.assert(
      fc.property(record, record, fc.constantFrom('192.0.2.7', '2001:db8::7', '::ffff:192.0.2.7'), (r1, r2, ip) => {
        const zone: MemoryZone = {
          'example.com': { TXT: [r1], A: ['192.0.2.7'], MX: [{ preference: 1, exchange: 'x.example' }] },
          'x.example': { TXT: [r2], A: ['192.0.2.8'], AAAA: ['2001:db8::8'] },
          '7.2.0.192.in-addr.arpa': { PTR: ['x.example', 'example.com'] },
        };
        let questions = 0;
        const res = runSync(evaluateSpf({ ip, sender: 'u@example.com', helo: 'h.example' }), (q) => {
          questions++;
          return answerFromZone(zone, q);
        });
        expect(SPF_RESULTS).toContain(res.status);
        expect(res.lookups).toBeLessThanOrEqual(11);
        // 11 terms, each at most 1 + 10 MX/PTR names + an exp lookup and the p macro's PTR + 10 A.
        expect(questions).toBeLessThan(11 * 12 + 30);
      }),
      { numRuns: 300 },
    );
  });

  it('a loop made with macros (include:%{d}, redirect=%{d}) is a permerror at the 10-lookup limit', () => {
    for (const rec of ['v=spf1 include:%{d} -all', 'v=spf1 redirect=%{d}', 'v=spf1 redirect=%{d2}']) {
      const r = runSync(evaluateSpf({ ip: '192.0.2.7', sender: 'u@example.com' }), (q) => answerFromZone({ 'example.com': { TXT: [rec] } }, q));
      expect([rec, r.status, r.lookups]).toEqual([rec, 'permerror', 11]);
    }
  });
});
