// recv extract's route (src/received/route.ts), as properties: for any stack
// of Received fields (dated, undated, unreadable), the route is a permutation
// of the fields, sorted by date from the origin, and its delays telescope
// (they add up to the span between the first and last dated hop, plus the
// Date field's offset). And it grows linearly: 100,000 hops take at most a
// small multiple of ten times what 10,000 take (a quadratic route, as it was
// before, takes a hundred times as long). FUZZ_RUNS (default 1000) cases.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildRoute, type RouteField } from '../../src/received/index.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);
const BASE = Date.UTC(2024, 0, 1);

function dateText(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()];
  return `${d.getUTCDate()} ${month} ${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

/** A hop: dated (seconds after BASE), undated, or unreadable. */
const hopArb = fc.oneof(
  fc.record({ kind: fc.constant('dated' as const), s: fc.integer({ min: 0, max: 86_400 }) }),
  fc.record({ kind: fc.constant('undated' as const) }),
  fc.record({ kind: fc.constant('garbage' as const) }),
);

function fieldsOf(hops: Array<{ kind: 'dated' | 'undated' | 'garbage'; s?: number }>): RouteField[] {
  return hops.map((h, i) => ({
    line: i + 1,
    value: h.kind === 'dated' ? `from h${i + 1}.example by h${i}.example with ESMTP; ${dateText(BASE + h.s! * 1000)}` : h.kind === 'undated' ? `from h${i + 1}.example by h${i}.example with LMTP` : 'no clause at all',
  }));
}

describe('buildRoute properties', () => {
  it('a permutation of the fields; dated hops in non-decreasing date; delays telescope', () => {
    fc.assert(
      fc.property(fc.array(hopArb, { maxLength: 40 }), fc.option(fc.integer({ min: 0, max: 86_400 }), { nil: undefined }), (hops, origin) => {
        const fields = fieldsOf(hops);
        const route = buildRoute(fields, origin === undefined ? undefined : `Mon, ${dateText(BASE + origin * 1000)}`);
        expect(route.map((h) => h.line).sort((a, b) => a - b)).toEqual(fields.map((f) => f.line));
        const dated = route.filter((h) => h.epochMs !== undefined);
        for (let i = 1; i < dated.length; i++) expect(dated[i].epochMs!).toBeGreaterThanOrEqual(dated[i - 1].epochMs!);
        if (dated.length === 0) return;
        // Every dated hop after the first has its delay from the one before it: they add up to the span.
        const later = dated.slice(1).reduce((n, h) => n + h.delaySeconds!, 0);
        expect(later).toBe(Math.round((dated[dated.length - 1].epochMs! - dated[0].epochMs!) / 1000));
        // The first dated hop starts from the Date field only when no parsed hop comes before it on the route.
        const parsedBefore = route.slice(0, route.indexOf(dated[0])).some((h) => h.parsed);
        expect(dated[0].delaySeconds).toBe(origin !== undefined && !parsedBefore ? Math.round((dated[0].epochMs! - (BASE + origin * 1000)) / 1000) : undefined);
      }),
      { numRuns: RUNS },
    );
  });

  it('100,000 hops: one a second from the bottom up, each delay 1 s; time grows linearly (growth ratio, not a clock bound)', () => {
    // Hop k from the bottom (line N - k) is dated BASE + k seconds: the route is the reverse of the header.
    const stack = (n: number): RouteField[] => Array.from({ length: n }, (_, i) => ({ line: i + 1, value: `from h${n - i}.example by h${n - i - 1}.example; ${dateText(BASE + (n - 1 - i) * 1000)}` }));
    const big = stack(100_000);
    const small = stack(10_000);
    const time = (f: RouteField[]) => {
      const t0 = process.hrtime.bigint();
      const r = buildRoute(f, `Mon, ${dateText(BASE - 5000)}`);
      return { r, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
    };
    time(small); // warm the parser
    const a = time(small);
    const b = time(big);
    expect(b.r.map((h) => h.line)).toEqual(big.map((f) => f.line).reverse());
    expect(b.r[0].delaySeconds).toBe(5);
    expect(b.r.slice(1).every((h) => h.delaySeconds === 1)).toBe(true);
    // Ten times the hops: linear is about 10x, quadratic 100x. 35x leaves room for a busy machine.
    expect(b.ms / a.ms).toBeLessThan(35);
  });
});
