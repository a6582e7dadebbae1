import { describe, expect, it } from 'vitest';
import { parseAuthResults, formatAuthResultsField, formatAuthResults } from '../../src/authres/index.ts';

describe('parseAuthResults', () => {
  it('keeps comments, versions and unknown methods', () => {
    const r = parseAuthResults(' mx.example.org 1; (c0) x-new/2=odd (why) reason="because; yes" header.x=@a.example (pc); spf=pass smtp.mailfrom=a@b.example;');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.authservId).toBe('mx.example.org');
    expect(r.value.version).toBe(1);
    expect(r.value.results[0]).toEqual({
      method: 'x-new',
      version: 2,
      result: 'odd',
      comment: 'why',
      reason: 'because; yes',
      properties: [{ type: 'header', name: 'x', value: '@a.example', comment: 'pc' }],
    });
    expect(r.value.results[1].properties[0].value).toBe('a@b.example');
  });

  it('reads folded vendor fields (Google style)', () => {
    const v = ' mx.google.com;\r\n       dkim=pass header.i=@github.com header.s=pf2023 header.b=Qgi/FoC0;\r\n       spf=pass (google.com: domain of x@y.com designates 1.2.3.4 as permitted sender) smtp.mailfrom=x@y.com;\r\n       dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=github.com';
    const r = parseAuthResults(v);
    expect(r.ok && r.value.results.map((x) => `${x.method}=${x.result}`)).toEqual(['dkim=pass', 'spf=pass', 'dmarc=pass']);
    expect(r.ok && r.value.results[2].comment).toBe('p=REJECT sp=REJECT dis=NONE');
  });

  it('none with a comment', () => {
    const r = parseAuthResults('example.org; none (nothing)');
    expect(r).toEqual({ ok: true, value: { authservId: 'example.org', results: [], comment: 'nothing' } });
  });

  it('malformed input is an error value with an offset, never an exception', () => {
    for (const bad of ['', ';', 'x; spf', 'x; spf=', 'x; =pass', 'x; spf=pass (open', 'x; spf="a', 'x; spf=pass smtp.mailfrom', 'x y; spf=pass']) {
      const r = parseAuthResults(bad);
      expect(r.ok, bad).toBe(false);
      if (!r.ok) expect(r.offset).toBeGreaterThanOrEqual(0);
    }
  });
});

describe('formatAuthResultsField', () => {
  it('stays on one line when it fits', () => {
    const r = parseAuthResults('a.example; spf=pass smtp.mailfrom=x@a.example');
    expect(r.ok && formatAuthResultsField(r.value)).toBe('Authentication-Results: a.example; spf=pass smtp.mailfrom=x@a.example\r\n');
  });

  it('folds at 78 columns, one result per line, and reads back the same', () => {
    const v = 'omelet; spf=pass smtp.mailfrom=bounces@sgmail.github.com; dkim=pass header.d=github.com header.s=s20150108 header.b=SuEKjwfk; dmarc=pass (p=none) header.from=github.com';
    const r = parseAuthResults(v);
    if (!r.ok) throw new Error(r.message);
    const field = formatAuthResultsField(r.value);
    for (const line of field.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
    expect(field.split('\r\n').length).toBeGreaterThan(2);
    const back = parseAuthResults(field.slice(field.indexOf(':') + 1, -2));
    expect(back.ok && formatAuthResults(back.value)).toBe(v);
  });

  it('quotes values that are not tokens', () => {
    const r = parseAuthResults('a; iprev=pass policy.iprev="2001:db8::1"');
    expect(r.ok && formatAuthResults(r.value)).toBe('a; iprev=pass policy.iprev="2001:db8::1"');
  });

  it('writes the ARC i= prefix', () => {
    const r = parseAuthResults('a.example; arc=none');
    expect(r.ok && formatAuthResultsField(r.value, { name: 'ARC-Authentication-Results', prefix: 'i=1;' })).toBe('ARC-Authentication-Results: i=1; a.example; arc=none\r\n');
  });
});

describe('parseAuthResultsLenient', () => {
  it('keeps the readable results of a malformed field and lists the rest', async () => {
    const { parseAuthResultsLenient } = await import('../../src/authres/index.ts');
    const r = parseAuthResultsLenient(' thehesiod.com; dkim=none (message not signed) header.d=none;thehesiod.com; dmarc=none action=none header.from=hotmail.com;');
    expect(r.ok && r.value.results.map((x) => x.method)).toEqual(['dkim', 'dmarc']);
    expect(r.ok && r.value.skipped).toEqual(['thehesiod.com']);
    expect(parseAuthResultsLenient('').ok).toBe(false);
  });

  it("recovers per result when the part before the first ';' is malformed (Yahoo's legacy from=)", async () => {
    const { parseAuthResultsLenient } = await import('../../src/authres/index.ts');
    const r = parseAuthResultsLenient(' mta1010.mail.bf1.yahoo.com  from=example.com; domainkeys=neutral (no sig);  from=example.com; dkim=pass (ok) header.i=@example.com');
    expect(r).toEqual({
      ok: true,
      value: {
        authservId: 'mta1010.mail.bf1.yahoo.com',
        results: [
          { method: 'domainkeys', result: 'neutral', comment: 'no sig', properties: [] },
          { method: 'dkim', result: 'pass', comment: 'ok', properties: [{ type: 'header', name: 'i', value: '@example.com' }] },
        ],
        // `from=example.com` is no result: example.com is not a Keyword (RFC 8601 §2.2, RFC 5321 Ldh-str).
        skipped: ['from=example.com', 'from=example.com'],
      },
    });
  });

  it("a missing ';' after the authserv-id (and its version) loses nothing", async () => {
    const { parseAuthResultsLenient } = await import('../../src/authres/index.ts');
    const r = parseAuthResultsLenient('mx.example.net 1 spf=pass smtp.mailfrom=a@b.example; dkim=fail header.d=b.example');
    expect(r.ok && r.value).toMatchObject({ authservId: 'mx.example.net', version: 1 });
    expect(r.ok && r.value.results.map((x) => `${x.method}=${x.result}`)).toEqual(['spf=pass', 'dkim=fail']);
    expect(r.ok && r.value.skipped).toEqual([]);
    // Nothing that could be an authserv-id: still an error.
    expect(parseAuthResultsLenient('(no id); spf=pass').ok).toBe(false);
  });
});
