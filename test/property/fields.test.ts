// Every header-field parser of src/mime, fed random strings and bytes, returns
// a value (never throws); hostile shapes (deep nesting, long runs of one
// special) stay linear: the CPU time for 8n over the time for n (no wall-clock
// limit, test/support/growth.ts). Addresses written by formatAddress read back
// the same. FUZZ_RUNS (default 1000) cases per property; the seed is fixed per
// file (test/support/fuzz.ts, FUZZ_SEED to replay or vary).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeCharset, decodeHeaderBytes } from '../../src/mime/charset.ts';
import { decodeEncodedWords } from '../../src/mime/encoded-word.ts';
import { lex } from '../../src/mime/lexer.ts';
import { formatAddress, parseAddressList, parseMailbox, type Mailbox } from '../../src/mime/address.ts';
import { formatDateOriginal, parseDate } from '../../src/mime/date.ts';
import { parseMessageIds } from '../../src/mime/message-id.ts';
import { decodeTextList, decodeUnstructured, decodeUnstructuredBytes, unfoldUnstructured } from '../../src/mime/unstructured.ts';
import { parseContentDisposition, parseContentType, parseContentValue } from '../../src/mime/content-type.ts';
import { Base64Decoder } from '../../src/mime/base64-decoder.ts';
import { QuotedPrintableDecoder } from '../../src/mime/qp-decoder.ts';
import { MimeDecoder } from '../../src/mime/multipart.ts';
import { expectLinear } from '../support/growth.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);

const CHARSETS = ['utf-8', 'iso-8859-1', 'windows-1252', 'koi8-r', 'utf-7', 'utf-16', 'gbk', 'big5', 'shift_jis', 'euc-jp', 'iso-2022-jp', 'euc-kr', 'x-bogus', ''];

/** Strings made of the characters header syntax cares about, plus anything. */
const fieldish = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: fc.constantFrom(...'()<>[]:;@\\,."=?_ \t\r\nabcQB-+0123456789é€'.split('')), maxLength: 300 }),
  fc.array(fc.constantFrom('=?utf-8?q?', '=?iso-8859-1?B?', '?=', '"', '(', ')', '<', '>', '@', ',', ':', ';', ' ', '\r\n ', 'a', '=C3', '=A9', 'w6k=', '[1.2', ']'), { maxLength: 60 }).map((a) => a.join('')),
);

/** A call whose result the property checks (the time bound is the growth tests' job below). */
const timed = <T>(f: () => T): T => f();

describe('field parsers on random input', () => {
  it('charset conversion returns a string for any bytes and label', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 500 }), fc.constantFrom(...CHARSETS), (bytes, cs) => {
        expect(typeof timed(() => decodeCharset(bytes, cs))).toBe('string');
        expect(typeof timed(() => decodeHeaderBytes(bytes))).toBe('string');
      }),
      { numRuns: RUNS },
    );
  });

  it('every string parser returns a value', () => {
    fc.assert(
      fc.property(fieldish, (s) => {
        expect(typeof timed(() => decodeEncodedWords(s))).toBe('string');
        expect(Array.isArray(timed(() => lex(s)).tokens)).toBe(true);
        const list = timed(() => parseAddressList(s, { decode: true }));
        expect(typeof list.ok).toBe('boolean');
        for (const a of list.addresses) expect(typeof formatAddress(a, { decode: true })).toBe('string');
        expect(typeof timed(() => parseMailbox(s)).ok).toBe('boolean');
        const d = timed(() => parseDate(s));
        if (d.ok) {
          expect(Number.isFinite(d.epochMs)).toBe(true);
          expect(formatDateOriginal(d)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d\d:\d\d$/);
        } else expect(typeof d.error).toBe('string');
        expect(Array.isArray(timed(() => parseMessageIds(s)))).toBe(true);
        expect(typeof timed(() => decodeUnstructured(s))).toBe('string');
        expect(typeof timed(() => unfoldUnstructured(s))).toBe('string');
        expect(Array.isArray(timed(() => decodeTextList(s)))).toBe(true);
        const cv = timed(() => parseContentValue(s));
        if (cv) expect(Array.isArray(cv.params)).toBe(true);
        expect(typeof timed(() => parseContentType(s)).subtype).toBe('string');
        timed(() => parseContentDisposition(s));
      }),
      { numRuns: RUNS },
    );
  });

  it('random bytes read as a header value give values too', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        expect(typeof timed(() => decodeUnstructuredBytes(bytes))).toBe('string');
        const s = decodeHeaderBytes(bytes);
        const latin = Buffer.from(bytes).toString('latin1');
        for (const v of [s, latin]) {
          timed(() => parseAddressList(v, { decode: true }));
          timed(() => parseDate(v));
          timed(() => decodeUnstructured(v));
          timed(() => parseMessageIds(v));
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('stays linear on hostile shapes (1 KB against 8 KB values)', () => {
    const shapes = ['(', ')', '"', '<', '>', '@', ',', ':', ';', '[', '=?', '=?a?q?', '=?a?q?x?= ', '\\', 'a.', 'a ', '\r\n '];
    for (const unit of shapes) {
      const parse = (n: number) => {
        const v = unit.repeat(Math.ceil(n / unit.length));
        return () => {
          parseAddressList(v, { decode: true });
          parseDate(v);
          parseMessageIds(v);
          decodeUnstructured(v);
          decodeTextList(v);
          parseContentType(v);
        };
      };
      expectLinear(parse, 1 << 10, `shape ${JSON.stringify(unit)}`);
    }
  });
});

describe('body decoders and the MIME decoder on random input', () => {
  /** Bytes that look like MIME: boundaries, headers, encodings, mixed with anything. */
  const mimeish = fc.oneof(
    fc.uint8Array({ maxLength: 2000 }),
    fc
      .array(
        fc.constantFrom('--b', '--b--', '--c', '\r\n', '\n', 'Content-Type: multipart/mixed; boundary=c\r\n', 'Content-Type: message/rfc822\r\n',
          'Content-Transfer-Encoding: base64\r\n', 'Content-Transfer-Encoding: quoted-printable\r\n', '=', '=4', '=41', 'QUJD', '\r\n\r\n', ' ', 'x'),
        { maxLength: 200 },
      )
      .map((a) => Buffer.from(a.join(''))),
  );

  it('return values for any bytes in any chunking', () => {
    fc.assert(
      fc.property(mimeish, fc.integer({ min: 1, max: 700 }), (bytes, size) => {
        const input = Buffer.concat([Buffer.from('Content-Type: multipart/mixed; boundary=b\r\n\r\n'), Buffer.from(bytes)]);
        timed(() => {
          const dec = new MimeDecoder({ data: true });
          const b64 = new Base64Decoder();
          const qp = new QuotedPrintableDecoder();
          let starts = 0;
          let ends = 0;
          for (let i = 0; i < input.length; i += size) {
            const c = input.subarray(i, i + size);
            for (const e of dec.push(c)) (e.type === 'part-start' ? starts++ : e.type === 'part-end' ? ends++ : 0);
            b64.push(c);
            qp.push(c);
          }
          for (const e of dec.finish()) (e.type === 'part-start' ? starts++ : e.type === 'part-end' ? ends++ : 0);
          b64.finish();
          qp.finish();
          // every part that starts ends
          expect(ends).toBe(starts);
          expect(starts).toBeGreaterThan(0);
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('stays linear on hostile shapes (boundary-like lines, deep nesting, one long line)', () => {
    // Each shape at size n (its repeat count) and 8n.
    const shapes: Array<[string, (n: number) => string, number]> = [
      ['boundary lines', (n) => 'Content-Type: multipart/mixed; boundary=b\r\n\r\n' + '--b\r\n\r\n'.repeat(n), 6250],
      ['near-boundary lines', (n) => 'Content-Type: multipart/mixed; boundary=b\r\n\r\n' + '\r\n--bx'.repeat(n), 12500],
      ['nested multiparts', (n) => 'Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\n'.repeat(n), 625],
      ['nested messages', (n) => 'Content-Type: message/rfc822\r\n\r\n'.repeat(n), 625],
      ['one long quoted-printable line', (n) => 'Content-Transfer-Encoding: quoted-printable\r\n\r\n' + '='.repeat(n), 1 << 17],
      ['base64 junk', (n) => 'Content-Transfer-Encoding: base64\r\n\r\n' + '=-'.repeat(n), 1 << 16],
    ];
    for (const [what, make, n] of shapes) {
      const decode = (size: number) => {
        const buf = Buffer.from(make(size));
        return () => {
          const dec = new MimeDecoder();
          for (let i = 0; i < buf.length; i += 4096) dec.push(buf.subarray(i, i + 4096));
          dec.finish();
        };
      };
      expectLinear(decode, n, what);
    }
  });
});

describe('addresses read back as written', () => {
  const atom = fc.string({ unit: fc.constantFrom(...'abcxyzABC019!#$%&*+-/=?^_{|}~'.split('')), minLength: 1, maxLength: 8 });
  const dotAtom = fc.array(atom, { minLength: 1, maxLength: 3 }).map((a) => a.join('.'));
  const printable = fc.string({ unit: fc.constantFrom(...'ab Z9 .,;:<>@()[]"\\\'é€ü\t'.split('')), maxLength: 20 });
  const mailbox: fc.Arbitrary<Mailbox> = fc.record(
    {
      name: printable.filter((n) => n.trim() === n && !/[\t]/.test(n)),
      local: fc.oneof(dotAtom, printable.filter((s) => s.length > 0 && !/\t/.test(s))),
      domain: fc.oneof(dotAtom, fc.ipV4().map((ip) => `[${ip}]`)),
    },
    { requiredKeys: ['local', 'domain'] },
  );

  it('parseAddressList(formatAddress(m)) = m', () => {
    fc.assert(
      fc.property(fc.array(mailbox, { minLength: 1, maxLength: 4 }), (boxes) => {
        const text = boxes.map((m) => formatAddress(m)).join(', ');
        const r = parseAddressList(text);
        expect(r, text).toMatchObject({ ok: true });
        const want = boxes.map((m) => (m.name ? m : { local: m.local, domain: m.domain }));
        expect(r.addresses, text).toEqual(want);
      }),
      { numRuns: RUNS },
    );
  });
});
