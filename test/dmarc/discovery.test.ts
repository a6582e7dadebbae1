// Issue 24: DMARC record tags, discovery and alignment to the letter of RFC
// 7489 and RFC 9989, run through the generator evaluator against in-memory
// zones (src/dns/memory.ts). Expected values are read off the RFC text (the
// sections are named in each test), not off the implementation.
import { describe, expect, it } from 'vitest';
import { runSync, answerFromZone, type MemoryZone, type Question } from '../../src/dns/index.ts';
import { evaluateDmarc, parseDmarcRecord, looksLikeDmarcRecord, treeWalkOrgDomain, type DmarcInput } from '../../src/dmarc/index.ts';

function evaluate(input: DmarcInput, zone: MemoryZone, asked: string[] = []) {
  return runSync(evaluateDmarc(input), (q: Question) => {
    asked.push(`${q.type} ${q.name}`);
    return answerFromZone(zone, q);
  });
}

describe('tag names are case-insensitive (RFC 7489 §6.4, RFC 5234 §2.3)', () => {
  it('reads V=, P=, ADKIM=, Pct= as v, p, adkim, pct; the v= value stays DMARC1 exactly', () => {
    expect(looksLikeDmarcRecord('V=DMARC1; P=reject')).toBe(true);
    expect(parseDmarcRecord('V=DMARC1; P=reject; ADKIM=s; Pct=50; SP=None')).toEqual({
      ok: true,
      record: { p: 'reject', sp: 'none', np: undefined, adkim: 's', aspf: 'r', pct: 50, fo: ['0'], rua: [], ruf: [], rf: ['afrf'], ri: 86400, testing: false, psd: 'u' },
      warnings: [],
    });
    // %x44.4d.41.52.43.31: the version value is case-sensitive.
    expect(looksLikeDmarcRecord('v=dmarc1; p=reject')).toBe(false);
    expect(parseDmarcRecord('v=dmarc1; p=reject')).toMatchObject({ ok: false, error: 'bad-version' });
  });

  it('a V=DMARC1; P=reject record is found and applied', () => {
    const zone: MemoryZone = { '_dmarc.example.com': { TXT: ['V=DMARC1; P=reject'] } };
    expect(evaluate({ fromDomain: 'example.com', dkim: [], sample: 0 }, zone)).toMatchObject({ status: 'fail', policyDomain: 'example.com', policy: 'reject', disposition: 'reject' });
  });

  it('ADKIM=s makes DKIM alignment strict', () => {
    const zone: MemoryZone = { '_dmarc.example.com': { TXT: ['v=DMARC1; p=reject; ADKIM=s'] } };
    const r = evaluate({ fromDomain: 'example.com', dkim: [{ status: 'pass', domain: 'mail.example.com' }], sample: 0 }, zone);
    expect(r).toMatchObject({ status: 'fail', dkimAligned: false, policy: 'reject' });
    expect(r.record?.adkim).toBe('s');
  });

  it('two p tags that differ only in case are two p tags: no valid p', () => {
    expect(parseDmarcRecord('v=DMARC1; p=none; P=reject')).toMatchObject({ ok: false, error: 'bad-value' });
  });
});

describe('several records at a discovery point end discovery (RFC 7489 §6.6.3 steps 3 and 5)', () => {
  const zone: MemoryZone = {
    '_dmarc.mail.example.com': { TXT: ['v=DMARC1; p=none', 'v=DMARC1; p=quarantine'] },
    '_dmarc.example.com': { TXT: ['v=DMARC1; p=reject'] },
  };

  for (const treeWalk of [false, true]) {
    it(`at the author domain: none, and the organisational record is not asked${treeWalk ? ' (tree walk)' : ''}`, () => {
      const asked: string[] = [];
      const r = evaluate({ fromDomain: 'mail.example.com', dkim: [{ status: 'fail', domain: 'mail.example.com' }], sample: 0, treeWalk }, zone, asked);
      expect(r.status).toBe('none');
      expect(r.disposition).toBe('none');
      expect(r.policyDomain).toBeUndefined();
      expect(r.reason).toMatch(/^2 DMARC records at _dmarc\.mail\.example\.com: /);
      expect(asked).toEqual(['TXT _dmarc.mail.example.com']);
    });
  }

  it('at the organisational domain (step 5): none', () => {
    const z: MemoryZone = { '_dmarc.example.net': { TXT: ['v=DMARC1; p=reject', 'v=spf1 -all', 'v=DMARC1; p=reject'] } };
    const r = evaluate({ fromDomain: 'news.example.net', dkim: [], sample: 0 }, z);
    expect(r).toMatchObject({ status: 'none', disposition: 'none' });
    expect(r.reason).toMatch(/^2 DMARC records at _dmarc\.example\.net: /);
  });

  it('one DMARC record among other TXT records is one record', () => {
    const z: MemoryZone = { '_dmarc.example.net': { TXT: ['v=spf1 -all', 'V=DMARC1; p=reject', 'v=DMARC2; p=none'] } };
    expect(evaluate({ fromDomain: 'example.net', dkim: [], sample: 0 }, z)).toMatchObject({ status: 'fail', policy: 'reject' });
  });
});

describe('an invalid optional tag falls back to its default (RFC 7489 §6.3)', () => {
  it('v=DMARC1; p=reject; pct=invalid keeps p=reject with pct=100 and a warning', () => {
    const p = parseDmarcRecord('v=DMARC1; p=reject; pct=invalid');
    expect(p.ok && p.record).toMatchObject({ p: 'reject', pct: 100 });
    expect(p.ok && p.warnings).toEqual([expect.stringContaining('pct=invalid')]);
    const zone: MemoryZone = { '_dmarc.example.com': { TXT: ['v=DMARC1; p=reject; pct=invalid'] } };
    // pct=100: every draw is inside the sample, the last one too.
    const r = evaluate({ fromDomain: 'example.com', dkim: [], sample: 99 }, zone);
    expect(r).toMatchObject({ status: 'fail', policy: 'reject', disposition: 'reject' });
    expect(r.sampledOut).toBeUndefined();
    expect(r.warnings).toEqual([expect.stringContaining('pct=invalid')]);
  });

  // Each tag with a bad value, and the default RFC 7489 §6.3 / RFC 9989 gives it.
  const defaults: [string, Record<string, unknown>][] = [
    ['sp=bogus', { sp: undefined }],
    ['np=bogus', { np: undefined }],
    ['adkim=x', { adkim: 'r' }],
    ['aspf=strict', { aspf: 'r' }],
    ['pct=500', { pct: 100 }],
    ['pct=-5', { pct: 100 }],
    ['ri=bob', { ri: 86400 }],
    ['ri=4294967296', { ri: 86400 }],
    ['fo=9', { fo: ['0'] }],
    ['rf=000000000000000000000000000000000', { rf: ['afrf'] }],
    ['t=maybe', { testing: false }],
    ['psd=x', { psd: 'u' }],
  ];
  for (const [tag, want] of defaults) {
    it(`${tag}: ignored with one warning, the default applies`, () => {
      const p = parseDmarcRecord(`v=DMARC1; p=quarantine; ${tag}; rua=mailto:d@example.com`);
      expect(p.ok).toBe(true);
      if (!p.ok) return;
      expect(p.record).toMatchObject({ p: 'quarantine', rua: ['mailto:d@example.com'], ...want });
      expect(p.warnings).toHaveLength(1);
      expect(p.warnings[0]).toContain(tag.slice(0, tag.indexOf('=') + 1));
    });
  }

  it('a piece that is not tag=value is ignored with a warning; unknown tags silently', () => {
    const p = parseDmarcRecord('v=DMARC1; p=reject; garbage; foo=bar');
    expect(p).toMatchObject({ ok: true, record: { p: 'reject' }, warnings: [expect.stringContaining('garbage')] });
  });

  it('only v and p invalidate the record', () => {
    expect(parseDmarcRecord('v=DMARC1; p=bogus; pct=50')).toMatchObject({ ok: false, error: 'bad-value' });
    expect(parseDmarcRecord('v=DMARC1; pct=100')).toMatchObject({ ok: false, error: 'no-p' });
    expect(parseDmarcRecord('pct=100; v=DMARC1; p=reject')).toMatchObject({ ok: false, error: 'bad-version' });
  });

  it('sp=bogus: a subdomain gets p (RFC 7489 §6.3 sp: absent means p applies)', () => {
    const zone: MemoryZone = { '_dmarc.example.com': { TXT: ['v=DMARC1; p=reject; sp=bogus'] } };
    expect(evaluate({ fromDomain: 'news.example.com', dkim: [], sample: 0 }, zone)).toMatchObject({ status: 'fail', policyDomain: 'example.com', policy: 'reject' });
  });
});

describe('--tree-walk aligns with each identifier’s tree-walk organisational domain (RFC 9989 §4.10.2, Appendix B.4.3)', () => {
  const zone: MemoryZone = {
    '_dmarc.bank.example': { TXT: ['v=DMARC1; p=reject; psd=y'] },
    '_dmarc.giant.bank.example': { TXT: ['v=DMARC1; p=quarantine'] },
  };

  it('the organisational domains: mega.bank.example and giant.bank.example', () => {
    const org = (d: string) => runSync(treeWalkOrgDomain(d), (q) => answerFromZone(zone, q));
    expect(org('mail.mega.bank.example')).toEqual({ ok: true, orgDomain: 'mega.bank.example' });
    expect(org('giant.bank.example')).toEqual({ ok: true, orgDomain: 'giant.bank.example' });
    expect(org('x.y.giant.bank.example')).toEqual({ ok: true, orgDomain: 'giant.bank.example' });
    // A jump in the walk (more than 8 labels) does not change "one label below the PSD".
    expect(org('a.b.c.d.e.f.g.mega.bank.example')).toEqual({ ok: true, orgDomain: 'mega.bank.example' });
  });

  it('an SPF pass for mail.mega.bank.example does not align with giant.bank.example', () => {
    const asked: string[] = [];
    const r = evaluate({ fromDomain: 'giant.bank.example', spf: { result: 'pass', domain: 'mail.mega.bank.example' }, dkim: [], sample: 0, treeWalk: true }, zone, asked);
    expect(r).toMatchObject({ status: 'fail', spfAligned: false, orgDomain: 'giant.bank.example', policyDomain: 'giant.bank.example', policy: 'quarantine' });
    // _dmarc.bank.example is asked once for both walks.
    expect(asked.filter((q) => q === 'TXT _dmarc.bank.example')).toHaveLength(1);
  });

  it('a DKIM pass for d=mega.bank.example does not align either', () => {
    const r = evaluate({ fromDomain: 'giant.bank.example', dkim: [{ status: 'pass', domain: 'mega.bank.example' }], sample: 0, treeWalk: true }, zone);
    expect(r).toMatchObject({ status: 'fail', dkimAligned: false });
  });

  it('identifiers under the same organisational domain align (SPF and DKIM)', () => {
    const spf = evaluate({ fromDomain: 'giant.bank.example', spf: { result: 'pass', domain: 'bounce.giant.bank.example' }, dkim: [], treeWalk: true }, zone);
    expect(spf).toMatchObject({ status: 'pass', spfAligned: true });
    const dkim = evaluate({ fromDomain: 'mail.giant.bank.example', dkim: [{ status: 'pass', domain: 'news.giant.bank.example' }], treeWalk: true }, zone);
    expect(dkim).toMatchObject({ status: 'pass', dkimAligned: true, dkimDomain: 'news.giant.bank.example', orgDomain: 'giant.bank.example' });
  });

  it('with the PSL instead, .example has the implicit * rule: both are bank.example and align', () => {
    const r = evaluate({ fromDomain: 'giant.bank.example', spf: { result: 'pass', domain: 'mail.mega.bank.example' }, dkim: [], sample: 0 }, zone);
    expect(r).toMatchObject({ status: 'pass', spfAligned: true });
  });

  it('strict alignment asks nothing more than discovery', () => {
    const z: MemoryZone = { ...zone, '_dmarc.giant.bank.example': { TXT: ['v=DMARC1; p=quarantine; aspf=s; adkim=s'] } };
    const asked: string[] = [];
    evaluate({ fromDomain: 'giant.bank.example', spf: { result: 'pass', domain: 'mail.mega.bank.example' }, dkim: [{ status: 'pass', domain: 'x.giant.bank.example' }], sample: 0, treeWalk: true }, z, asked);
    expect(asked).toEqual(['TXT _dmarc.giant.bank.example', 'TXT _dmarc.bank.example']);
  });

  it('a DNS failure while walking an identifier: temperror unless something else aligned', () => {
    const z: MemoryZone = { ...zone, '_dmarc.slow.bank.example': 'TIMEOUT' };
    const r = evaluate({ fromDomain: 'giant.bank.example', spf: { result: 'pass', domain: 'mail.slow.bank.example' }, dkim: [], sample: 0, treeWalk: true }, z);
    expect(r.status).toBe('temperror');
    const ok = evaluate({ fromDomain: 'giant.bank.example', spf: { result: 'pass', domain: 'mail.slow.bank.example' }, dkim: [{ status: 'pass', domain: 'giant.bank.example' }], treeWalk: true }, z);
    expect(ok).toMatchObject({ status: 'pass', dkimAligned: true, spfAligned: false });
  });
});
