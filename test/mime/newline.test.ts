import { describe, expect, it } from 'vitest';
import { CrlfToLf, NewlineNormalizer } from '../../src/mime/newline.ts';

function feed(input: string, size: number, mode: 'auto' | 'crlf' = 'auto'): string {
  const n = new NewlineNormalizer(mode);
  const buf = Buffer.from(input, 'latin1');
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(n.push(buf.subarray(i, i + size)));
  out.push(n.finish());
  return Buffer.concat(out).toString('latin1');
}

describe('NewlineNormalizer', () => {
  const cases: Array<[string, string]> = [
    ['a\nb\n', 'a\r\nb\r\n'],
    ['a\r\nb\r\n', 'a\r\nb\r\n'],
    ['a\r\nb\nc\r\n\n', 'a\r\nb\r\nc\r\n\r\n'],
    ['\n\n', '\r\n\r\n'],
    ['no newline', 'no newline'],
    ['bare\rcr\n', 'bare\rcr\r\n'],
  ];
  for (const [input, expected] of cases) {
    it(`normalises ${JSON.stringify(input)} whatever the chunking`, () => {
      for (const size of [1, 2, 3, 1000]) expect(feed(input, size)).toBe(expected);
    });
  }
  it('passes input through untouched with --newline crlf', () => {
    expect(feed('a\nb\r\n', 1, 'crlf')).toBe('a\nb\r\n');
  });
  it('converts back to LF across chunk boundaries', () => {
    const c = new CrlfToLf();
    const parts = ['a\r', '\nb\r', 'x\r\n', '\r'].map((s) => c.push(Buffer.from(s)).toString('latin1'));
    parts.push(c.finish().toString('latin1'));
    expect(parts.join('')).toBe('a\nb\rx\n\r');
  });
});
