import { describe, expect, it } from 'vitest';
import { LineReader, ReplyReader, formatReply, parsePathArgument, parseExtensions, replyText } from '../../src/smtp/index.ts';

function lines(reader: LineReader, chunks: string[]): Array<string | number> {
  const out: Array<string | number> = [];
  for (const c of chunks) {
    const b = Buffer.from(c);
    let off = 0;
    while (off < b.length) {
      const r = reader.next(b, off);
      off = r.offset;
      if (!r.event) break;
      out.push(r.event.type === 'line' ? r.event.line.toString() : r.event.size);
    }
  }
  return out;
}

describe('LineReader', () => {
  it('splits across chunks and strips CRLF or LF', () => {
    expect(lines(new LineReader(100), ['EH', 'LO a\r', '\nNOOP\nQ', 'UIT\r\n'])).toEqual(['EHLO a', 'NOOP', 'QUIT']);
  });
  it('drops an over-long line without holding it and reports its size once', () => {
    const r = new LineReader(16);
    const big = 'x'.repeat(1000);
    expect(lines(r, [big, big, 'y\r\nNOOP\r\n'])).toEqual([2003, 'NOOP']);
    expect(r.pending).toBe(0);
  });
  it('a line of exactly the bound (CRLF included) passes', () => {
    expect(lines(new LineReader(8), ['123456\r\n1234567\r\n'])).toEqual(['123456', 9]);
  });
});

describe('ReplyReader', () => {
  it('joins multi-line replies and extracts the enhanced code', () => {
    const r = new ReplyReader();
    expect(r.push('250-mx.example greets you')).toBeUndefined();
    expect(r.push('250-PIPELINING')).toBeUndefined();
    const rep = r.push('250 SIZE 1000');
    expect(rep).toEqual({ code: 250, enhanced: undefined, lines: ['mx.example greets you', 'PIPELINING', 'SIZE 1000'] });
    expect(parseExtensions(rep as never).get('SIZE')).toEqual(['1000']);
    const e = r.push('550 5.1.1 <x@y>: no such user');
    expect(e).toEqual({ code: 550, enhanced: '5.1.1', lines: ['<x@y>: no such user'] });
    expect(replyText(e as never)).toBe('550 5.1.1 <x@y>: no such user');
  });
  it('rejects malformed lines as a value', () => {
    expect(new ReplyReader().push('hello')).toHaveProperty('error');
    const r = new ReplyReader();
    r.push('250-a');
    expect(r.push('251 b')).toHaveProperty('error');
  });
});

describe('formatReply', () => {
  it('puts the enhanced code on each line', () => {
    expect(formatReply(250, '2.0.0', ['a', 'b'])).toBe('250-2.0.0 a\r\n250 2.0.0 b\r\n');
    expect(formatReply(334, undefined, '')).toBe('334 \r\n');
  });
});

describe('parsePathArgument', () => {
  it('parses paths and parameters', () => {
    const p = parsePathArgument('FROM:<a@b.c> SIZE=100 BODY=8BITMIME', 'FROM');
    expect(p).toEqual({ address: 'a@b.c', params: new Map([['SIZE', '100'], ['BODY', '8BITMIME']]) });
    expect(parsePathArgument('from: <>', 'FROM')).toEqual({ address: '', params: new Map() });
    expect(parsePathArgument('TO:<@relay.example:u@d.example>', 'TO')).toMatchObject({ address: 'u@d.example' });
    expect(parsePathArgument('TO:<Postmaster>', 'TO')).toMatchObject({ address: 'Postmaster' });
  });
  it('rejects bad syntax', () => {
    expect(parsePathArgument('FROM:a@b', 'FROM')).toHaveProperty('error');
    expect(parsePathArgument('TO:<a b@c>', 'TO')).toHaveProperty('error');
    expect(parsePathArgument('TO:<noat>', 'TO')).toHaveProperty('error');
    expect(parsePathArgument('TO:<a@b>X=1', 'TO')).toHaveProperty('error');
  });
});
