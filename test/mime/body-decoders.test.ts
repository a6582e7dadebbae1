// Streaming base64 and quoted-printable decoders: RFC vectors, every chunking
// gives the same bytes, and round trips through blaze's own encoders.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { Base64Decoder } from '../../src/mime/base64-decoder.ts';
import { QuotedPrintableDecoder } from '../../src/mime/qp-decoder.ts';
import { transferEncodingOf } from '../../src/mime/body-decoder.ts';
import { encodeBase64Body, encodeQuotedPrintable } from '../../src/mime/encoder/index.ts';
import { expectLinear } from '../support/growth.ts';

type Dec = { push(b: Buffer): Buffer; finish(): Buffer };

function run(d: Dec, input: Buffer, cuts: number[] = []): Buffer {
  const out: Buffer[] = [];
  let prev = 0;
  for (const c of [...cuts].sort((a, b) => a - b)) {
    out.push(Buffer.from(d.push(input.subarray(prev, c))));
    prev = c;
  }
  out.push(Buffer.from(d.push(input.subarray(prev))));
  out.push(Buffer.from(d.finish()));
  return Buffer.concat(out);
}

function byteAtATime(d: Dec, input: Buffer): Buffer {
  return run(d, input, Array.from({ length: input.length }, (_, i) => i));
}

const cutsOf = (n: number) => fc.array(fc.integer({ min: 0, max: n }), { maxLength: 12 });

describe('transferEncodingOf (RFC 2045 §6.1 mechanism, CFWS allowed by §5.1)', () => {
  it.each([
    [undefined, '7bit'],
    ['', '7bit'],
    ['Base64', 'base64'],
    [' base64 (x)', 'base64'],
    ['(encoded) quoted-printable (as usual)', 'quoted-printable'],
    ['8bit\r\n (folded comment)', '8bit'],
    ['"base64"', 'base64'],
    ['x-uuencode', 'x-uuencode'],
    ['base64 junk', 'base64 junk'],
  ])('%j is %j', (value, mechanism) => {
    expect(transferEncodingOf(value)).toBe(mechanism);
  });
});

describe('Base64Decoder', () => {
  it('decodes 76-column MIME base64 (fast path) and agrees byte at a time (slow path)', () => {
    const data = randomBytes(10000);
    const enc = encodeBase64Body(data);
    expect(run(new Base64Decoder(), enc)).toEqual(data);
    expect(byteAtATime(new Base64Decoder(), enc)).toEqual(data);
  });

  it('skips characters outside the alphabet and counts them', () => {
    const d = new Base64Decoder();
    expect(run(d, Buffer.from('aGVs\r\nbG8g!d29y\tbGQ=\r\n')).toString()).toBe('hello world');
    expect(d.invalid).toBe(1);
    // base64url characters are not RFC 2045 base64, on the fast path too
    const u = new Base64Decoder();
    expect(run(u, Buffer.from('ab-_\r\nabcd\r\n'))).toEqual(Buffer.from('ababcd', 'base64'));
    expect(u.invalid).toBe(2);
  });

  it('decodes concatenated encodings (padding ends a quantum) and an unpadded end', () => {
    expect(run(new Base64Decoder(), Buffer.from('YQ==YmM=\r\nZA')).toString()).toBe('abcd');
    expect(run(new Base64Decoder(), Buffer.from('YWJj\nZGVm\n')).toString()).toBe('abcdef');
  });

  it('gives the same bytes for any chunking of any line layout', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.integer({ min: 1, max: 90 }), fc.boolean(), (data, width, crlf) => {
        const b64 = Buffer.from(data).toString('base64');
        const lines = (b64.match(new RegExp(`.{1,${width}}`, 'g')) ?? []).join(crlf ? '\r\n' : '\n') + (crlf ? '\r\n' : '\n');
        const input = Buffer.from(lines);
        return fc.assert(
          fc.property(cutsOf(input.length), (cuts) => run(new Base64Decoder(), input, cuts).equals(Buffer.from(data))),
          { numRuns: 5 },
        ) === undefined;
      }),
      { numRuns: 300 },
    );
  });
});

describe('QuotedPrintableDecoder', () => {
  it('decodes escapes, soft line breaks and removes transport padding (RFC 2045 §6.7)', () => {
    const qp = 'Caf=C3=A9 na=c3=afve  \r\nsoft=\r\nbreak=  \r\n here\t \r\nlast line=3D end';
    expect(run(new QuotedPrintableDecoder(), Buffer.from(qp)).toString('utf8')).toBe('Café naïve\r\nsoftbreak here\r\nlast line= end');
  });

  it('keeps a = that is not an escape, and counts it', () => {
    const d = new QuotedPrintableDecoder();
    expect(run(d, Buffer.from('a=zz b=4 c=\r\n')).toString()).toBe('a=zz b=4 c');
    expect(d.invalid).toBe(2);
  });

  it('reads bare LF line ends as line breaks (CRLF out)', () => {
    expect(run(new QuotedPrintableDecoder(), Buffer.from('one=\ntwo\nthree\n')).toString()).toBe('onetwo\r\nthree\r\n');
  });

  it('inverts blaze’s encoder for any bytes and any chunking', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.array(fc.integer({ min: 0, max: 2000 }), { maxLength: 8 }), (data, cuts) => {
        // binary data: the encoder escapes CR and LF, so the decoded bytes are exactly the data
        const enc = encodeQuotedPrintable(data);
        return run(new QuotedPrintableDecoder(), enc, cuts.map((c) => c % (enc.length + 1))).equals(Buffer.from(data));
      }),
      { numRuns: 500 },
    );
  });

  it('decodes a very long line without a line break in bounded pieces', () => {
    const long = Buffer.from('=41'.repeat(100000) + 'x  =\r\nend');
    const d = new QuotedPrintableDecoder();
    const out = run(d, long, [1000, 70000, 150001, 299999]);
    expect(out.toString()).toBe('A'.repeat(100000) + 'x  end');
  });

  it('a long line of = (or of white space) streams: bounded carry, linear time, the same bytes as one push', () => {
    for (const unit of ['=', ' ', '=4', '\t=']) {
      const line = Buffer.from(unit.repeat(Math.ceil((1 << 20) / unit.length)) + 'x\r\n');
      const d = new QuotedPrintableDecoder();
      let pushed = 0;
      let decoded = 0;
      for (let i = 0; i < line.length; i += 4096) {
        const chunk = line.subarray(i, i + 4096);
        pushed += chunk.length;
        decoded += d.push(chunk).length;
        // What is held back is at most the 64 KiB carry and one chunk (each input byte gives at least one output byte).
        expect(pushed - decoded, `${JSON.stringify(unit)} after ${pushed} bytes`).toBeLessThanOrEqual(64 * 1024 + 4096);
      }
      decoded += d.finish().length;
      expect(decoded).toBe(run(new QuotedPrintableDecoder(), line).length);
    }
    expectLinear((n) => {
      const line = Buffer.from('='.repeat(n));
      return () => run(new QuotedPrintableDecoder(), line, Array.from({ length: n >> 12 }, (_, k) => k << 12));
    }, 1 << 17, 'a line of = in 4 KiB chunks');
  });

  it('long lines (over the 64 KiB carry) cut anywhere give the bytes of one push: no =XX, padding or CRLF cut in two', () => {
    const unit = fc.constantFrom('=', '4', '1', 'A', 'f', ' ', '\t', '\r', 'x', '=\r\n', '=41', '=\t');
    fc.assert(
      fc.property(fc.array(unit, { minLength: 1, maxLength: 40 }), fc.array(fc.integer({ min: 0, max: 1 << 17 }), { maxLength: 10 }), (pattern, cuts) => {
        const text = pattern.join('');
        const input = Buffer.from(text.repeat(Math.ceil(80_000 / text.length)) + 'end  \r\nnext');
        return run(new QuotedPrintableDecoder(), input, cuts.map((c) => c % (input.length + 1))).equals(run(new QuotedPrintableDecoder(), input));
      }),
      { numRuns: 60 },
    );
  });
});
