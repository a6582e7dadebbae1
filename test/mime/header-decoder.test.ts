import { describe, expect, it } from 'vitest';
import { HeaderDecoder, fieldValue, type HeaderEvent } from '../../src/mime/header-decoder.ts';

function decode(input: string | Buffer, size = Infinity, maxFieldBytes?: number): HeaderEvent[] {
  const d = new HeaderDecoder({ maxFieldBytes });
  const buf = typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
  const events: HeaderEvent[] = [];
  const step = Number.isFinite(size) ? size : buf.length || 1;
  for (let i = 0; i < buf.length && !d.ended; i += step) events.push(...d.push(buf.subarray(i, i + step)));
  events.push(...d.finish());
  return events;
}

function summary(events: HeaderEvent[]): unknown[] {
  return events.map((e) =>
    e.type === 'field' ? ['field', e.field.name, e.field.raw.toString('latin1'), e.field.line]
    : e.type === 'end' ? ['end', e.body.toString('latin1'), e.sawBlankLine]
    : e.type === 'malformed' ? ['malformed', e.line, e.reason]
    : ['too-long', e.name, e.line],
  );
}

const MSG = 'From: a@b.c\r\nSubject: hello\r\n  world\r\nX-Empty:\r\nTo : d@e.f\r\n\r\nbody line\r\n';

describe('HeaderDecoder', () => {
  it('keeps each field raw, folds included, and hands back the body start', () => {
    expect(summary(decode(MSG))).toEqual([
      ['field', 'From', 'From: a@b.c\r\n', 1],
      ['field', 'Subject', 'Subject: hello\r\n  world\r\n', 2],
      ['field', 'X-Empty', 'X-Empty:\r\n', 4],
      ['field', 'To', 'To : d@e.f\r\n', 5],
      ['end', 'body line\r\n', true],
    ]);
  });

  it('gives the same fields whatever the chunk size (byte at a time included)', () => {
    const whole = summary(decode(MSG)).slice(0, 4);
    for (const size of [1, 2, 5, 13]) {
      const ev = decode(MSG, size);
      expect(summary(ev).slice(0, 4)).toEqual(whole);
      // with small chunks the body arrives after `end`; only its start is in the event
      const end = ev.find((e) => e.type === 'end');
      expect(end && end.type === 'end' && 'body line\r\n'.startsWith(end.body.toString('latin1'))).toBe(true);
    }
  });

  it('reports a line without a colon and goes on', () => {
    expect(summary(decode('From: a\r\nnot a field\r\nTo: b\r\n\r\n'))).toEqual([
      ['field', 'From', 'From: a\r\n', 1],
      ['malformed', 2, 'header field without a colon'],
      ['field', 'To', 'To: b\r\n', 3],
      ['end', '', true],
    ]);
  });

  it('ends a header-only message without a blank line', () => {
    expect(summary(decode('From: a\r\nTo: b'))).toEqual([
      ['field', 'From', 'From: a\r\n', 1],
      ['field', 'To', 'To: b', 2],
      ['end', '', false],
    ]);
  });

  it('turns a 1 MB header line into a value, not a crash, and keeps going', () => {
    const big = Buffer.concat([Buffer.from('X-Big: '), Buffer.alloc(1024 * 1024, 0x61), Buffer.from('\r\nTo: b\r\n\r\nbody')]);
    for (const size of [Infinity, 4096]) {
      const ev = summary(decode(big, size, 64 * 1024));
      expect(ev.slice(0, 2)).toEqual([
        ['too-long', 'X-Big', 1],
        ['field', 'To', 'To: b\r\n', 2],
      ]);
      expect((ev[2] as unknown[])[0]).toBe('end');
    }
  });

  it('bounds a field that grows by folding', () => {
    const folded = 'X-Fold: a\r\n' + ' bbbbbbbbbb\r\n'.repeat(1000) + 'To: b\r\n\r\n';
    expect(summary(decode(folded, 100, 1024))).toEqual([
      ['too-long', 'X-Fold', 1],
      ['field', 'To', 'To: b\r\n', 1002],
      ['end', '', true],
    ]);
  });

  it('unfolds a value', () => {
    expect(fieldValue(Buffer.from('Subject: hello\r\n  world\r\n')).toString()).toBe('hello  world');
    expect(fieldValue(Buffer.from('X:\r\n')).toString()).toBe('');
  });
});
