import { describe, expect, it } from 'vitest';
import { runSync, type Answer, type Question } from '../../src/dns/index.ts';
import { evaluateDmarc, authorDomain, treeWalkNames, parseDmarcRecord, type DmarcInput } from '../../src/dmarc/index.ts';

type Zone = Record<string, string[] | 'TIMEOUT'>;
function answers(zone: Zone, asked: string[] = []) {
  return (q: Question): Answer => {
    asked.push(`${q.type} ${q.name}`);
    const z = q.type === 'TXT' ? zone[q.name] : zone[`${q.type} ${q.name}`];
    if (z === 'TIMEOUT') return { ok: false, type: q.type, error: 'timeout' };
    if (!z) return { ok: false, type: q.type, error: 'nxdomain' };
    return { ok: true, type: q.type, records: z.map((t) => (q.type === 'TXT' ? [t] : t)) } as Answer;
  };
}
const run = (input: DmarcInput, zone: Zone, asked?: string[]) => runSync(evaluateDmarc(input), answers(zone, asked));

describe('evaluateDmarc', () => {
  const zone: Zone = {
    '_dmarc.example.com': ['v=DMARC1; p=reject; sp=quarantine; adkim=s'],
    '_dmarc.relaxed.org': ['v=DMARC1; p=quarantine; pct=50'],
  };

  it('passes on an aligned DKIM signature (strict) and an aligned SPF (relaxed)', () => {
    expect(run({ fromDomain: 'example.com', dkim: [{ status: 'pass', domain: 'example.com' }] }, zone)).toMatchObject({ status: 'pass', dkimAligned: true, disposition: 'none' });
    expect(run({ fromDomain: 'a.relaxed.org', spf: { result: 'pass', domain: 'bounce.relaxed.org' }, dkim: [] }, zone)).toMatchObject({ status: 'pass', spfAligned: true, policyDomain: 'relaxed.org' });
  });

  it('strict DKIM alignment refuses a subdomain; a failing signature does not count', () => {
    const r = run({ fromDomain: 'example.com', dkim: [{ status: 'pass', domain: 'mail.example.com' }, { status: 'fail', domain: 'example.com' }] }, zone);
    expect(r).toMatchObject({ status: 'fail', policy: 'reject', disposition: 'reject', dkimAligned: false });
  });

  it('falls back to the organisational domain and applies sp=', () => {
    const asked: string[] = [];
    const r = run({ fromDomain: 'news.example.com', dkim: [] }, zone, asked);
    expect(asked).toEqual(['TXT _dmarc.news.example.com', 'TXT _dmarc.example.com']);
    expect(r).toMatchObject({ status: 'fail', policyDomain: 'example.com', orgDomain: 'example.com', policy: 'quarantine' });
  });

  it('pct sampling is reported and deterministic', () => {
    const inSample = run({ fromDomain: 'relaxed.org', dkim: [], sample: 49 }, zone);
    expect(inSample).toMatchObject({ status: 'fail', policy: 'quarantine', disposition: 'quarantine' });
    expect(inSample.sampledOut).toBeUndefined();
    expect(run({ fromDomain: 'relaxed.org', dkim: [], sample: 50 }, zone)).toMatchObject({ status: 'fail', policy: 'quarantine', disposition: 'none', sampledOut: true });
  });

  it('none, temperror, permerror, and invalid p with a usable rua', () => {
    expect(run({ fromDomain: 'nothing.net', dkim: [] }, zone).status).toBe('none');
    expect(run({ fromDomain: 'slow.net', dkim: [] }, { '_dmarc.slow.net': 'TIMEOUT' }).status).toBe('temperror');
    expect(run({ fromDomain: 'bad.net', dkim: [] }, { '_dmarc.bad.net': ['v=DMARC1; p=bogus'] }).status).toBe('permerror');
    const lenient = run({ fromDomain: 'l.net', dkim: [] }, { '_dmarc.l.net': ['v=DMARC1; p=bogus; rua=mailto:d@l.net'] });
    expect(lenient).toMatchObject({ status: 'fail', policy: 'none' });
    expect(run({ fromDomain: 'two.net', dkim: [] }, { '_dmarc.two.net': ['v=DMARC1; p=reject', 'v=DMARC1; p=none'] }).status).toBe('none');
    expect(run({ fromDomain: 'spf1.net', dkim: [] }, { '_dmarc.spf1.net': ['v=spf1 -all'] }).status).toBe('none');
  });

  it('np= applies to a non-existent subdomain', () => {
    const z: Zone = { '_dmarc.org.example': ['v=DMARC1; p=none; sp=quarantine; np=reject'], 'A real.org.example': ['192.0.2.1'] };
    expect(run({ fromDomain: 'ghost.org.example', dkim: [] }, z)).toMatchObject({ policy: 'reject' });
    expect(run({ fromDomain: 'real.org.example', dkim: [] }, z)).toMatchObject({ policy: 'quarantine' });
  });

  it('RFC 9989 tree walk: names, psd=y, the shortest record as organisational domain', () => {
    expect(treeWalkNames('a.b.c.d.e.f.g.h.i.j')).toEqual(['a.b.c.d.e.f.g.h.i.j', 'd.e.f.g.h.i.j', 'e.f.g.h.i.j', 'f.g.h.i.j', 'g.h.i.j', 'h.i.j', 'i.j', 'j']);
    const z: Zone = { '_dmarc.example': ['v=DMARC1; p=reject; psd=y'], '_dmarc.b.example': ['v=DMARC1; p=none'] };
    const asked: string[] = [];
    const r = runSync(evaluateDmarc({ fromDomain: 'x.a.b.example', dkim: [], treeWalk: true }), answers(z, asked));
    expect(asked).toEqual(['TXT _dmarc.x.a.b.example', 'TXT _dmarc.a.b.example', 'TXT _dmarc.b.example', 'TXT _dmarc.example']);
    expect(r).toMatchObject({ policyDomain: 'b.example', orgDomain: 'b.example', policy: 'none' });
  });
});

describe('authorDomain', () => {
  it('exactly one author domain, else a clear result', () => {
    expect(authorDomain(['Joe <joe@Example.COM>'])).toEqual({ ok: true, value: 'example.com' });
    expect(authorDomain(['a@x.example, b@x.example'])).toEqual({ ok: true, value: 'x.example' });
    expect(authorDomain(['a@x.example, b@y.example'])).toMatchObject({ ok: false, error: 'multiple-domains' });
    expect(authorDomain([])).toMatchObject({ ok: false, error: 'no-from' });
    expect(authorDomain(['a@x.example', 'b@x.example'])).toMatchObject({ ok: false, error: 'multiple-from' });
    expect(authorDomain(['undisclosed-recipients:;'])).toMatchObject({ ok: false, error: 'no-domain' });
  });
});

describe('parseDmarcRecord', () => {
  it('reads every tag with its default', () => {
    const r = parseDmarcRecord('v=DMARC1; p=Reject; sp=none; np=quarantine; adkim=s; aspf=r; pct=20; fo=1:d; rua=mailto:a@x.example, mailto:b@x.example; ruf=mailto:f@x.example; rf=afrf; ri=3600; t=y; psd=n');
    expect(r).toEqual({
      ok: true,
      record: { p: 'reject', sp: 'none', np: 'quarantine', adkim: 's', aspf: 'r', pct: 20, fo: ['1', 'd'], rua: ['mailto:a@x.example', 'mailto:b@x.example'], ruf: ['mailto:f@x.example'], rf: ['afrf'], ri: 3600, testing: true, psd: 'n' },
      warnings: [],
    });
    expect(parseDmarcRecord('v=DMARC1; p=none')).toMatchObject({ ok: true, record: { adkim: 'r', aspf: 'r', pct: 100, ri: 86400, psd: 'u', testing: false } });
    expect(parseDmarcRecord('p=none; v=DMARC1')).toMatchObject({ ok: false, error: 'bad-version' });
  });
});
