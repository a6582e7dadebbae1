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
  it('computes each delay against the next older dated hop, the oldest against Date', () => {
    const hops = buildRoute(fields, 'Wed, 1 Jan 2020 00:00:00 +0000');
    expect(hops.map((h) => h.delaySeconds)).toEqual([7, undefined, 3]);
    expect(hops[1].error).toMatch(/no from\/by/);
    expect(buildRoute(fields).map((h) => h.delaySeconds)).toEqual([7, undefined, undefined]);
  });
  it('prints text and dot without the unparseable hop', () => {
    const hops = buildRoute(fields);
    expect(hops.map((h) => formatHopText(h, { delays: true })).join('')).toBe(
      'from:b.example -> by:c.example\n\twith ESMTP\n\tdelay 7s\nfrom:a.example -> by:b.example\n\twith SMTP\n\tdelay unknown\n',
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
