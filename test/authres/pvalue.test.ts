// RFC 8601 §2.2 pvalue: after `ptype.property=` comes a value (token or
// quoted-string) or `[local-part "@"] domain-name`, the local-part an RFC 5322
// dot-atom or quoted-string. atext allows '=', '+', '?', '/', so bounce
// addresses (VERP, SRS) are one value. Cases written from the grammar and
// from fields GitHub/SendGrid mail carries at Gmail.
import { describe, expect, it } from 'vitest';
import { parseAuthResults, parseAuthResultsLenient } from '../../src/authres/index.ts';

function prop(value: string, method = 'spf') {
  const r = parseAuthResults(value);
  if (!r.ok) throw new Error(`${r.message} at ${r.offset}`);
  return r.value.results.find((x) => x.method === method)!.properties;
}

describe('pvalue', () => {
  it('local-part with + and = before @ (a VERP bounce address)', () => {
    expect(prop('mx.google.com; spf=pass smtp.mailfrom=bounces+848413-e276-x=gmail.com@sgmail.github.com')).toEqual([
      { type: 'smtp', name: 'mailfrom', value: 'bounces+848413-e276-x=gmail.com@sgmail.github.com' },
    ]);
  });
  it('an SRS address, other atext (?, /, !, #, ~) and a trailing comment', () => {
    expect(prop('mx.example; spf=pass smtp.mailfrom=SRS0=HHH=TT=example.com=user@forward.example (via forwarder)')[0]).toEqual({
      type: 'smtp', name: 'mailfrom', value: 'SRS0=HHH=TT=example.com=user@forward.example', comment: 'via forwarder',
    });
    expect(prop('mx.example; spf=pass smtp.mailfrom=a/b?c!d#e~f@example.org')[0].value).toBe('a/b?c!d#e~f@example.org');
  });
  it('a quoted local-part keeps its quotes and its domain', () => {
    expect(prop('mx.example; auth=pass smtp.auth="john doe"@example.com', 'auth')[0].value).toBe('"john doe"@example.com');
  });
  it('@domain alone, a quoted value and a token are read as before', () => {
    expect(prop('mx.example; dkim=pass header.i=@example.org header.s="sel 1" header.d=example.org', 'dkim').map((p) => p.value)).toEqual(['@example.org', 'sel 1', 'example.org']);
  });
  it('a comment before the value (CFWS) is allowed', () => {
    expect(prop('mx.example; spf=pass smtp.mailfrom=(envelope) a=b@example.org')[0].value).toBe('a=b@example.org');
  });
  it('without an @ a value is a token: an = in it is still an error (no guessing)', () => {
    expect(parseAuthResults('mx.example; spf=pass smtp.mailfrom=a=b').ok).toBe(false);
  });
  it('the lenient reader no longer calls such a result unreadable', () => {
    const r = parseAuthResultsLenient('mx.google.com; dkim=pass header.i=@github.com; spf=pass smtp.mailfrom=bounces+848413-e276-x=gmail.com@sgmail.github.com; dmarc=pass header.from=github.com');
    expect(r.ok && r.value.skipped).toEqual([]);
    expect(r.ok && r.value.results.map((x) => x.method)).toEqual(['dkim', 'spf', 'dmarc']);
  });
});
