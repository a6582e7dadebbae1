// The search language: parsing (fields, negation, quotes, dates, errors) and
// matching, with expectations written by hand from the documented grammar.
import { describe, expect, it } from 'vitest';
import { parseQuery, matchHeaders, TextFinder, type Searchable } from '../../src/web/query.ts';

const q = (s: string) => {
  const r = parseQuery(s);
  if (!r.ok) throw new Error(r.error);
  return r.query;
};

const msg: Searchable = {
  from: 'alice example alice@example.org',
  to: 'bob bob@example.net carol@example.com',
  subject: 'your invoice #42',
  unread: true,
  attachments: 1,
  epochMs: Date.UTC(2026, 10, 5, 12),
};

describe('parseQuery', () => {
  it('reads fields, flags, negation, quoted phrases and dates', () => {
    expect(q('from:Alice subject:"Invoice #42" -is:read has:attachment !to:dave "two words" after:2026-11-04').terms).toEqual([
      { kind: 'from', value: 'alice', negate: false },
      { kind: 'subject', value: 'invoice #42', negate: false },
      { kind: 'unread', negate: false }, // -is:read
      { kind: 'attachment', negate: false },
      { kind: 'to', value: 'dave', negate: true },
      { kind: 'text', value: 'two words', negate: false },
      { kind: 'after', epochMs: Date.UTC(2026, 10, 5), negate: false },
    ]);
  });
  it('keeps unknown prefixes and URLs as free text', () => {
    expect(q('https://example.org/x').terms).toEqual([{ kind: 'text', value: 'https://example.org/x', negate: false }]);
    expect(q('"from:alice"').terms).toEqual([{ kind: 'text', value: 'from:alice', negate: false }]);
  });
  it('refuses what it cannot mean', () => {
    expect(parseQuery('is:starred')).toMatchObject({ ok: false, error: expect.stringContaining('is:unread') });
    expect(parseQuery('has:pdf')).toMatchObject({ ok: false });
    expect(parseQuery('before:2026-02-30')).toMatchObject({ ok: false, error: expect.stringContaining('YYYY-MM-DD') });
    expect(parseQuery('subject:"open')).toMatchObject({ ok: false, error: 'unterminated quoted string' });
    expect(parseQuery('x'.repeat(2000))).toMatchObject({ ok: false });
    expect(parseQuery('from:')).toMatchObject({ ok: false });
  });
  it('an empty query has no term', () => {
    expect(q('   ').terms).toEqual([]);
  });
});

describe('matchHeaders', () => {
  it('decides on the header fields when it can', () => {
    expect(matchHeaders(q('from:alice subject:invoice is:unread has:attachment'), msg)).toEqual([]);
    expect(matchHeaders(q('from:bob'), msg)).toBe(false);
    expect(matchHeaders(q('to:carol'), msg)).toEqual([]);
    expect(matchHeaders(q('-has:attachment'), msg)).toBe(false);
    expect(matchHeaders(q('is:read'), msg)).toBe(false);
    expect(matchHeaders(q('after:2026-11-04 before:2026-11-06'), msg)).toEqual([]);
    expect(matchHeaders(q('after:2026-11-05'), msg)).toBe(false);
  });
  it('leaves free text the headers do not contain to the body', () => {
    expect(matchHeaders(q('invoice'), msg)).toEqual([]);
    expect(matchHeaders(q('invoice refund -spam'), msg)).toEqual([
      { value: 'refund', negate: false },
      { value: 'spam', negate: true },
    ]);
    expect(matchHeaders(q('-invoice'), msg)).toBe(false);
  });
});

describe('TextFinder', () => {
  it('finds words that straddle pieces, and decides with negations', () => {
    const f = new TextFinder(['refund', 'spam']);
    for (const piece of ['please re', 'fu', 'nd me', ' now']) f.push(piece);
    expect([...f.found]).toEqual(['refund']);
    expect(f.verdict([{ value: 'refund', negate: false }, { value: 'spam', negate: true }])).toBe(true);
    f.push('sp');
    f.push('am');
    expect(f.complete).toBe(true);
    expect(f.verdict([{ value: 'spam', negate: true }])).toBe(false);
  });
});
