import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DotStuffer, DotUnstuffer } from '../../src/smtp/index.ts';

function stuffAll(chunks: string[]): string {
  const s = new DotStuffer();
  return chunks.map((c) => s.push(Buffer.from(c)).toString('latin1')).join('') + s.finish().toString('latin1');
}

function unstuffAll(chunks: Buffer[]): { data: string; rest: string; done: boolean } {
  const u = new DotUnstuffer();
  let data = '';
  for (let i = 0; i < chunks.length; i++) {
    const r = u.push(chunks[i]);
    data += r.data.toString('latin1');
    if (r.done) return { data, rest: Buffer.concat([r.rest, ...chunks.slice(i + 1)]).toString('latin1'), done: true };
  }
  return { data, rest: '', done: false };
}

function split(s: string, sizes: number[]): Buffer[] {
  const out: Buffer[] = [];
  let i = 0;
  for (const n of sizes) {
    if (i >= s.length) break;
    out.push(Buffer.from(s.slice(i, i + n), 'latin1'));
    i += n;
  }
  if (i < s.length) out.push(Buffer.from(s.slice(i), 'latin1'));
  return out;
}

describe('DotStuffer', () => {
  it('doubles leading dots and terminates', () => {
    expect(stuffAll(['a\r\n.b\r\n..\r\n.\r\n'])).toBe('a\r\n..b\r\n...\r\n..\r\n.\r\n');
  });
  it('stuffs a dot that starts a chunk after a line end in the previous chunk', () => {
    expect(stuffAll(['a\r\n', '.x\r\n'])).toBe('a\r\n..x\r\n.\r\n');
    expect(stuffAll(['.', 'x\r\n'])).toBe('..x\r\n.\r\n');
  });
  it('adds the missing CRLF before the terminator', () => {
    expect(stuffAll(['abc'])).toBe('abc\r\n.\r\n');
    expect(stuffAll([])).toBe('.\r\n');
  });
});

describe('DotUnstuffer', () => {
  it('removes stuffing and stops at the terminator, keeping pipelined bytes', () => {
    const r = unstuffAll([Buffer.from('a\r\n..b\r\n.\r\nQUIT\r\n')]);
    expect(r).toEqual({ data: 'a\r\n.b\r\n', rest: 'QUIT\r\n', done: true });
  });
  it('detects the terminator split at every position', () => {
    const wire = 'Subject: x\r\n\r\n..dot\r\nend\r\n.\r\nNOOP\r\n';
    for (let i = 1; i < wire.length; i++) {
      for (let j = i + 1; j <= wire.length; j++) {
        const r = unstuffAll([wire.slice(0, i), wire.slice(i, j), wire.slice(j)].map((s) => Buffer.from(s, 'latin1')));
        expect(r.data).toBe('Subject: x\r\n\r\n.dot\r\nend\r\n');
        expect(r.done).toBe(true);
      }
    }
  });
  it('an empty message ends at once', () => {
    expect(unstuffAll([Buffer.from('.\r\n')])).toEqual({ data: '', rest: '', done: true });
  });
  it('a bare LF before a dot line does not end the data (no SMTP smuggling)', () => {
    const r = unstuffAll([Buffer.from('a\n.\r\nMAIL FROM:<x@y>\r\n')]);
    expect(r.done).toBe(false);
    expect(r.data).toBe('a\n.\r\nMAIL FROM:<x@y>\r\n');
  });
  it('round-trips any CRLF message under any chunking (property)', () => {
    const line = fc.stringMatching(/^[.a-z \x80-\xff]{0,12}$/);
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), fc.array(fc.integer({ min: 1, max: 7 }), { maxLength: 40 }), (lines, sizes) => {
        const msg = lines.map((l) => l + '\r\n').join('');
        const s = new DotStuffer();
        const wire = Buffer.concat([s.push(Buffer.from(msg, 'latin1')), s.finish()]).toString('latin1');
        const r = unstuffAll(split(wire + 'QUIT\r\n', sizes));
        expect(r.done).toBe(true);
        expect(r.data).toBe(msg);
        expect(r.rest).toBe('QUIT\r\n');
      }),
      { numRuns: 300 },
    );
  });
});
