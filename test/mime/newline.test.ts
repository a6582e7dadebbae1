import { describe, expect, it } from 'vitest';
import { CrlfToLf, NewlineNormalizer } from '../../src/mime/newline.ts';
import { corpusPath } from '../support/corpus.ts';

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
    ['old\rmac\r\rbody', 'old\r\nmac\r\n\r\nbody'],
    ['lf\n\rcr\n\r\n\rbody\n\r', 'lf\r\ncr\r\n\r\nbody\r\n'],
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

describe('NewlineNormalizer auto: legacy line ends', () => {
  const variants = ['cr', 'crlf', 'lf', 'lfcr', 'simple'];
  const DIR = corpusPath('MIME line endings', 'mime/line-endings/');
  it.skipIf(DIR === undefined)('(needs BLAZE_CORPUS) reads the line-endings corpus (CR, CRLF, LF, LF CR) as the same CRLF message, in any chunking', async () => {
    const { readFileSync } = await import('node:fs');
    const wire = (name: string, step: number) => {
      const n = new NewlineNormalizer('auto');
      const data = readFileSync(`${DIR}${name}.txt`);
      const out: Buffer[] = [];
      for (let i = 0; i < data.length; i += step) out.push(Buffer.from(n.push(data.subarray(i, i + step))));
      out.push(n.finish());
      return Buffer.concat(out).toString('latin1');
    };
    const expected = wire('crlf', 1 << 20);
    expect(expected).toMatch(/^From: Bowdler <ise@example.com>\r\nDate: /);
    for (const v of variants) for (const step of [1, 2, 3, 7, 1 << 20]) expect(wire(v, step).replace(/(\r\n)+$/, ''), `${v} in ${step}-byte chunks`).toBe(expected.replace(/(\r\n)+$/, ''));
  });

  it('keeps a bare CR inside an LF or CRLF message (DKIM hashes it as it is)', () => {
    const n = new NewlineNormalizer('auto');
    expect(n.push(Buffer.from('A: b\r\n\r\nx\ry\n')).toString()).toBe('A: b\r\n\r\nx\ry\r\n');
  });
});
