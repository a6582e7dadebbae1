import { describe, expect, it } from 'vitest';
import { buildRoute, formatDelay, formatHopText, formatRouteDot } from '../../src/received/index.ts';

describe('formatDelay', () => {
  it('writes days, hours, minutes and seconds, and skew as negative', () => {
    expect(formatDelay(0)).toBe('0s');
    expect(formatDelay(45)).toBe('45s');
    expect(formatDelay(65)).toBe('1m 5s');
    expect(formatDelay(3600)).toBe('1h');
    expect(formatDelay(90061)).toBe('1d 1h 1m 1s');
    expect(formatDelay(-3)).toBe('-3s');
  });
});

describe('buildRoute', () => {
  const fields = [
    { line: 1, value: 'from b.example by c.example with ESMTP; 1 Jan 2020 00:00:10 +0000' },
    { line: 2, value: 'garbage' },
    { line: 3, value: 'from a.example by b.example with SMTP; 1 Jan 2020 01:00:03 +0100' },
  ];
  it('gives the hops in route order (the bottom field first), each delay against the hop before it, the first against Date', () => {
    const hops = buildRoute(fields, 'Wed, 1 Jan 2020 00:00:00 +0000');
    expect(hops.map((h) => h.line)).toEqual([3, 2, 1]);
    expect(hops.map((h) => h.delaySeconds)).toEqual([3, undefined, 7]);
    expect(hops[1].error).toMatch(/no from\/by/);
    expect(buildRoute(fields).map((h) => h.delaySeconds)).toEqual([undefined, undefined, 7]);
  });
  it('sorts by date, keeps ties and undated hops in route order, stays fast on 100,000 hops', () => {
    const at = (s: number) => `1 Jan 2020 00:00:${String(s).padStart(2, '0')} +0000`;
    const f = [
      { line: 1, value: `from c by d; ${at(1)}` }, // stacked last, dated first: a clock behind
      { line: 2, value: `from b by c; ${at(5)}` },
      { line: 3, value: 'from u by v with LMTP' },
      { line: 4, value: `from a by b; ${at(5)}` },
    ];
    expect(buildRoute(f).map((h) => h.line)).toEqual([1, 4, 3, 2]);
    const many = Array.from({ length: 100_000 }, (_, i) => ({ line: i + 1, value: `from h${i + 1} by h${i}; ${at(59 - Math.floor(i / 2000))}` }));
    const route = buildRoute(many);
    expect(route[0].line).toBe(100_000);
    expect(route[route.length - 1].line).toBe(1);
    expect(route.every((h, i) => i === 0 || h.line < route[i - 1].line)).toBe(true);
  });
  it('prints text and dot without the unparseable hop', () => {
    const hops = buildRoute(fields);
    expect(hops.map((h) => formatHopText(h, { delays: true })).join('')).toBe(
      'from:a.example -> by:b.example\n\twith SMTP\n\tdelay unknown\nfrom:b.example -> by:c.example\n\twith ESMTP\n\tdelay 7s\n',
    );
    expect(formatRouteDot(hops)).toBe(
      'digraph route {\n  rankdir=LR;\n  node [shape=box];\n  "a.example" -> "b.example" [label="SMTP"];\n  "b.example" -> "c.example" [label="ESMTP 7s"];\n}\n',
    );
  });
  it('escapes quotes in dot node names', () => {
    const hops = buildRoute([{ line: 1, value: 'from "weird"name by x; 1 Jan 2020 00:00:00 +0000' }]);
    expect(formatRouteDot(hops)).toContain('-> "x"');
    expect(formatRouteDot(buildRoute([{ line: 1, value: 'from a\\"b by c"d; 1 Jan 2020 00:00:00 +0000' }]))).toMatch(/"a\\\\\\"b" -> "c\\"d"/);
  });
});
