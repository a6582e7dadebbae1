// The exploder: every byte of the input lands in exactly one event, in order
// (so the archive rebuilds any input byte for byte), whatever the chunking;
// and it cuts where RFC 2046 §5.1.1 puts the pieces: the header block with
// its blank line, each body without the line end that precedes the next
// delimiter (that line end belongs to the delimiter), part headers and
// delimiter lines as structure.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { MessageExploder, MAX_HEADER, type ExplodeEvent } from '../../src/pack/explode.ts';
import { buildMessage, IdentifierSource } from '../../src/mime/encoder/index.ts';
import { message } from '../property/crafting-arbitraries.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));

function explode(input: Buffer, chunk = input.length || 1): ExplodeEvent[] {
  const x = new MessageExploder();
  const ev: ExplodeEvent[] = [];
  for (let i = 0; i < input.length; i += chunk) for (const e of x.push(input.subarray(i, i + chunk))) ev.push(e.type === 'body' ? { type: 'body', data: Buffer.from(e.data) } : e);
  ev.push(...x.finish());
  return ev;
}

/** Adjacent events of one kind joined: [kind, text] pairs. */
function segments(ev: ExplodeEvent[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const e of ev) {
    if (e.type === 'body-start' || e.type === 'body-end') {
      out.push([e.type, '']);
      continue;
    }
    const last = out[out.length - 1];
    if (last && last[0] === e.type) last[1] += e.data.toString('latin1');
    else out.push([e.type, e.data.toString('latin1')]);
  }
  return out;
}

function joined(ev: ExplodeEvent[]): Buffer {
  return Buffer.concat(ev.flatMap((e) => ('data' in e ? [e.data] : [])));
}

function fixtureMessages(dir = FIXTURES): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? fixtureMessages(join(dir, d.name)) : d.name.endsWith('.eml') ? [join(dir, d.name)] : []));
}

describe('MessageExploder', () => {
  it('cuts a multipart where RFC 2046 puts the pieces (hand-computed)', () => {
    const msg = [
      'From: a@example.org\r\nContent-Type: multipart/mixed; boundary="XX"\r\n\r\n',
      'preamble\r\n',
      '--XX\r\nContent-Type: text/plain\r\n\r\nhello\r\n',
      '--XX  \r\n\r\nsecond\r\n\r\n',
      '--XX--\r\nepilogue\r\n',
    ].join('');
    expect(segments(explode(Buffer.from(msg)))).toEqual([
      ['header', 'From: a@example.org\r\nContent-Type: multipart/mixed; boundary="XX"\r\n\r\n'],
      ['literal', 'preamble\r\n--XX\r\nContent-Type: text/plain\r\n\r\n'],
      ['body-start', ''],
      ['body', 'hello'],
      ['body-end', ''],
      ['literal', '\r\n--XX  \r\n\r\n'],
      ['body-start', ''],
      ['body', 'second\r\n'],
      ['body-end', ''],
      ['literal', '\r\n--XX--\r\nepilogue\r\n'],
    ]);
  });

  it('reads LF line ends, nested multiparts, an enclosing boundary closing an inner part, message/rfc822', () => {
    const msg = [
      'Content-Type: multipart/mixed; boundary=out\n\n',
      '--out\nContent-Type: multipart/alternative; boundary=in\n\n',
      '--in\n\ninner text\n',
      '--out\nContent-Type: message/rfc822\n\nSubject: fwd\n\nforwarded body\n',
      '--out--\n',
    ].join('');
    expect(segments(explode(Buffer.from(msg)))).toEqual([
      ['header', 'Content-Type: multipart/mixed; boundary=out\n\n'],
      ['literal', '--out\nContent-Type: multipart/alternative; boundary=in\n\n--in\n\n'],
      ['body-start', ''],
      ['body', 'inner text'],
      ['body-end', ''],
      ['literal', '\n--out\nContent-Type: message/rfc822\n\nSubject: fwd\n\n'],
      ['body-start', ''],
      ['body', 'forwarded body'],
      ['body-end', ''],
      ['literal', '\n--out--\n'],
    ]);
  });

  it('a line that only starts like a delimiter is body; a header without a blank line is all header', () => {
    const msg = 'Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\n--bx\r\n--b -\r\nend\r\n--b--';
    const s = segments(explode(Buffer.from(msg)));
    expect(s[2]).toEqual(['body-start', '']);
    expect(s[3]).toEqual(['body', '--bx\r\n--b -\r\nend']);
    expect(segments(explode(Buffer.from('Subject: only a header\r\nX-A: 1')))).toEqual([['header', 'Subject: only a header\r\nX-A: 1']]);
  });

  it('a header past MAX_HEADER without a blank line is read as a body (bounded memory)', () => {
    const big = Buffer.alloc(MAX_HEADER + 10, 0x61);
    const s = segments(explode(big, 65536));
    expect(s.map((x) => x[0])).toEqual(['header', 'body-start', 'body', 'body-end']);
    expect(s[0][1]).toBe('');
    expect(s[2][1].length).toBe(big.length);
  });

  it('every fixture message comes back byte for byte, in whole, 1-byte and 7-byte chunks, with the same segments', () => {
    const files = fixtureMessages();
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) {
      const data = readFileSync(f);
      const whole = explode(data);
      expect(joined(whole).equals(data), f).toBe(true);
      for (const size of [1, 7]) expect(segments(explode(data, size)), `${f} in ${size}-byte chunks`).toEqual(segments(whole));
    }
  });

  it('property: messages blaze writes, and random bytes, come back byte for byte in any chunking', () => {
    const ids = new IdentifierSource();
    const written = message.map((spec) => {
      const r = buildMessage(spec, { ids });
      return r.ok ? r.value : Buffer.alloc(0);
    });
    const noise = fc.array(fc.oneof(fc.constantFrom('\r\n', '\n', '\r', '--', '--b', '--b--', 'Content-Type: multipart/mixed; boundary=b', ': ', ' '), fc.string({ maxLength: 8 })), { maxLength: 40 }).map((a) => Buffer.from(a.join(''), 'latin1'));
    fc.assert(
      fc.property(fc.oneof(written, noise), fc.integer({ min: 1, max: 64 }), (data, chunk) => {
        const whole = explode(data);
        if (!joined(whole).equals(data)) return false;
        const split = explode(data, chunk);
        return joined(split).equals(data) && JSON.stringify(segments(split)) === JSON.stringify(segments(whole));
      }),
      { numRuns: RUNS },
    );
  });
});
