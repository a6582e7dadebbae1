// src/spf units: macro expansion (the RFC 7208 §7.4 examples), addresses, record
// syntax, evaluator edge cases (timeouts, limits, recursion, oversized records,
// the trace), and Received-SPF formatting/parsing.
import { describe, expect, it } from 'vitest';
import { answerFromZone, runSync, type MemoryZone } from '../../src/dns/index.ts';
import {
  dottedIp, evaluateSpf, expandMacros, formatIp, formatReceivedSpf, parseDomainSpec, parseIp, parseMacroString, parseReceivedSpf,
  parseSpfRecord, reverseName, unmapIpv4, type MacroValues, type SpfRequest,
} from '../../src/spf/index.ts';

function values(ip: string): MacroValues {
  const a = unmapIpv4(parseIp(ip)!);
  return {
    s: 'strong-bad@email.example.com', l: 'strong-bad', o: 'email.example.com', d: 'email.example.com', i: dottedIp(a),
    p: 'unknown', v: a.version === 4 ? 'in-addr' : 'ip6', h: 'mx.example.org', c: formatIp(a), r: 'example.net', t: '1000',
  };
}

function expand(text: string, ip = '192.0.2.3'): string {
  const p = parseMacroString(text);
  if (!p.ok) throw new Error(p.message);
  return expandMacros(p.value, values(ip));
}

describe('macro expansion (RFC 7208 §7.4 examples)', () => {
  const cases: [string, string][] = [
    ['%{s}', 'strong-bad@email.example.com'],
    ['%{o}', 'email.example.com'],
    ['%{d}', 'email.example.com'],
    ['%{d4}', 'email.example.com'],
    ['%{d3}', 'email.example.com'],
    ['%{d2}', 'example.com'],
    ['%{d1}', 'com'],
    ['%{dr}', 'com.example.email'],
    ['%{d2r}', 'example.email'],
    ['%{l}', 'strong-bad'],
    ['%{l-}', 'strong.bad'],
    ['%{lr}', 'strong-bad'],
    ['%{lr-}', 'bad.strong'],
    ['%{l1r-}', 'strong'],
    ['%{ir}.%{v}._spf.%{d2}', '3.2.0.192.in-addr._spf.example.com'],
    ['%{lr-}.lp._spf.%{d2}', 'bad.strong.lp._spf.example.com'],
    ['%{lr-}.lp.%{ir}.%{v}._spf.%{d2}', 'bad.strong.lp.3.2.0.192.in-addr._spf.example.com'],
    ['%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}', '3.2.0.192.in-addr.strong.lp._spf.example.com'],
    ['%{d2}.trusted-domains.example.net', 'example.com.trusted-domains.example.net'],
    ['%%%_%-', '% %20'],
    ['%{c}.%{r}.%{t}', '192.0.2.3.example.net.1000'],
  ];
  for (const [m, want] of cases) it(m, () => expect(expand(m)).toBe(want));

  it('IPv6 %{ir}.%{v} (nibbles; DNS names are case-insensitive)', () => {
    expect(expand('%{ir}.%{v}._spf.%{d2}', '2001:db8::cb01').toLowerCase()).toBe(
      '1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com',
    );
    expect(expand('%{c}', '2001:DB8::CB01')).toBe('2001:db8::cb01');
  });

  it('upper-case letters are URL-escaped', () => {
    const v = { ...values('192.0.2.3'), l: '~jack&jill=up-a_b3.c' };
    const p = parseMacroString('%{L}');
    expect(p.ok && expandMacros(p.value, v)).toBe('~jack%26jill%3Dup-a_b3.c');
  });

  it('multiple delimiters split on each', () => {
    const v = { ...values('192.0.2.3'), l: 'foo-bar+zip+quux' };
    const p = parseMacroString('%{l2r+-}');
    expect(p.ok && expandMacros(p.value, v)).toBe('bar.foo');
  });

  it('syntax errors', () => {
    for (const bad of ['%(ir)', 'foo%', '%{x}', '%{d0}', '%{d', 'a b']) expect(parseMacroString(bad).ok, bad).toBe(false);
    expect(parseDomainSpec('%{r}.example.com').ok).toBe(false); // c, r, t only in explanations
    expect(parseDomainSpec('museum').ok).toBe(false);
    expect(parseDomainSpec('abc.123').ok).toBe(false);
    expect(parseDomainSpec('example.-com').ok).toBe(false);
    expect(parseDomainSpec('foo.example.xn--zckzah').ok).toBe(true);
    expect(parseDomainSpec('%{d}').ok).toBe(true);
    expect(parseDomainSpec('example.com.').ok).toBe(true);
  });
});

describe('addresses', () => {
  it('parses strictly', () => {
    for (const bad of ['1.2.3', '1.2.3.256', '01.2.3.4', '1::2::3', '12345::', 'g::1', '1.2.3.4.5', '']) expect(parseIp(bad), bad).toBeUndefined();
    expect(formatIp(parseIp('::FFFF:1.2.3.4')!)).toBe('::ffff:102:304');
    expect(unmapIpv4(parseIp('::ffff:1.2.3.4')!).version).toBe(4);
    expect(formatIp(parseIp('2001:db8:0:0:1:0:0:1')!)).toBe('2001:db8::1:0:0:1');
    expect(reverseName(parseIp('192.0.2.3')!)).toBe('3.2.0.192.in-addr.arpa');
    expect(reverseName(parseIp('2001:db8::1')!)).toBe('1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa');
  });
});

describe('record syntax', () => {
  it('reads terms, qualifiers, CIDR lengths and modifiers', () => {
    const r = parseSpfRecord('v=spf1 +a:example.com/24//64 -mx ~ip4:192.0.2.0/24 ?ip6:2001:db8::/32 ptr exists:%{i}.x.example include:i.example redirect=r.example exp=e.example foo=bar');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.directives.map((d) => [d.qualifier, d.mechanism.kind])).toEqual([
      ['+', 'a'], ['-', 'mx'], ['~', 'ip4'], ['?', 'ip6'], ['+', 'ptr'], ['+', 'exists'], ['+', 'include'],
    ]);
    const a = r.value.directives[0].mechanism;
    expect(a.kind === 'a' && [a.cidr4, a.cidr6, a.domain?.text]).toEqual([24, 64, 'example.com']);
    expect(r.value.redirect?.text).toBe('r.example');
    expect(r.value.exp?.text).toBe('e.example');
    expect(r.value.modifiers).toEqual([{ name: 'foo', value: 'bar' }]);
  });
  it('rejects malformed records', () => {
    for (const bad of [
      'v=spf1 -all.', 'v=spf1 a/33', 'v=spf1 a//129', 'v=spf1 ip4:1.2.3.4/032', 'v=spf1 ip4', 'v=spf1 include:', 'v=spf1 redirect=a.example redirect=b.example',
      'v=spf1 exp=', 'v=spf1 1up=foo', 'v=spf1 =all', 'v=spf1 moo', 'v=spf1 a:foo.example.com\0', 'v=spf1 a\rptr', 'v=spf1 ptr/0', 'v=spf1 foo=%abc',
    ]) expect(parseSpfRecord(bad).ok, bad).toBe(false);
  });
});

function check(zone: MemoryZone, req: Partial<SpfRequest> & { ip: string }) {
  const asked: string[] = [];
  const r = runSync(evaluateSpf({ sender: 'user@example.com', helo: 'mail.example.com', ...req }), (q) => {
    asked.push(`${q.type} ${q.name}`);
    return answerFromZone(zone, q);
  });
  return { ...r, asked };
}

describe('evaluator', () => {
  it('pass through ip4 with the deciding term and a trace', () => {
    const r = check({ 'example.com': { TXT: ['v=spf1 ip4:192.0.2.0/24 -all'] } }, { ip: '192.0.2.7' });
    expect([r.status, r.mechanism, r.domain, r.identity]).toEqual(['pass', 'ip4:192.0.2.0/24', 'example.com', 'mailfrom']);
    expect(r.trace[0]).toMatchObject({ step: 'query', name: 'example.com', type: 'TXT' });
    expect(r.trace.some((t) => t.step === 'term' && t.term === 'ip4:192.0.2.0/24' && t.outcome === 'match')).toBe(true);
  });

  it('a timeout is temperror, at the top and inside an include', () => {
    expect(check({ 'example.com': 'TIMEOUT' }, { ip: '192.0.2.7' }).status).toBe('temperror');
    expect(check({ 'example.com': { TXT: ['v=spf1 include:slow.example -all'] }, 'slow.example': 'SERVFAIL' }, { ip: '192.0.2.7' }).status).toBe('temperror');
    expect(check({ 'example.com': { TXT: ['v=spf1 a:slow.example -all'] }, 'slow.example': 'TIMEOUT' }, { ip: '192.0.2.7' }).status).toBe('temperror');
  });

  it('recursion through include and redirect ends at the 10-lookup limit', () => {
    const loop = check({ 'example.com': { TXT: ['v=spf1 include:example.com -all'] } }, { ip: '192.0.2.7' });
    expect(loop.status).toBe('permerror');
    expect(loop.lookups).toBe(11);
    expect(loop.asked.length).toBeLessThanOrEqual(12);
    expect(check({ 'example.com': { TXT: ['v=spf1 redirect=example.com'] } }, { ip: '192.0.2.7' }).status).toBe('permerror');
  });

  it('void lookups: two are fine, the third is permerror', () => {
    const zone: MemoryZone = { 'example.com': { TXT: ['v=spf1 a:n1.example a:n2.example a:n3.example ?all'] } };
    expect(check(zone, { ip: '192.0.2.7' })).toMatchObject({ status: 'permerror', voidLookups: 3 });
    expect(check({ 'example.com': { TXT: ['v=spf1 a:n1.example a:n2.example ?all'] } }, { ip: '192.0.2.7' }).status).toBe('neutral');
  });

  it('oversized records (many strings joined) and huge records evaluate without trouble', () => {
    const ips = Array.from({ length: 200 }, (_, i) => `ip4:10.0.${i}.0/24`).join(' ');
    const text = `v=spf1 ${ips} ip4:192.0.2.7 -all`;
    const strings: string[] = [];
    for (let i = 0; i < text.length; i += 255) strings.push(text.slice(i, i + 255));
    const r = check({ 'example.com': { TXT: [strings] } }, { ip: '192.0.2.7' });
    expect([r.status, r.mechanism]).toEqual(['pass', 'ip4:192.0.2.7']);
  });

  it('HELO identity and postmaster for an empty local part', () => {
    const zone: MemoryZone = { 'mail.example.com': { TXT: ['v=spf1 exists:%{l}.%{d}.check.example -all'] }, 'postmaster.mail.example.com.check.example': { A: ['127.0.0.2'] } };
    const r = check(zone, { ip: '192.0.2.7', sender: '' });
    expect([r.status, r.identity, r.sender]).toEqual(['pass', 'helo', 'postmaster@mail.example.com']);
    const zone2: MemoryZone = { 'example.com': { TXT: ['v=spf1 exists:%{l}.check.example -all'] }, 'postmaster.check.example': { A: ['127.0.0.2'] } };
    expect(check(zone2, { ip: '192.0.2.7', sender: '@example.com' }).status).toBe('pass');
  });

  it('MX: more than 10 records is permerror; no implicit MX from the A record', () => {
    const mx = Array.from({ length: 11 }, (_, i) => ({ preference: i, exchange: `mx${i}.example.com` }));
    expect(check({ 'example.com': { TXT: ['v=spf1 mx -all'], MX: mx } }, { ip: '192.0.2.7' }).status).toBe('permerror');
    expect(check({ 'example.com': { TXT: ['v=spf1 mx -all'], A: ['192.0.2.7'] } }, { ip: '192.0.2.7' }).status).toBe('fail');
  });

  it('explanation: exp= text macro-expanded, failures fall back to the default', () => {
    const zone: MemoryZone = { 'example.com': { TXT: ['v=spf1 -all exp=why.example.com'] }, 'why.example.com': { TXT: ['%{c} is not one of %{d}\'s'] } };
    expect(check(zone, { ip: '192.0.2.7' }).explanation).toBe("192.0.2.7 is not one of example.com's");
    const broken: MemoryZone = { 'example.com': { TXT: ['v=spf1 -all exp=why.example.com'] }, 'why.example.com': 'TIMEOUT' };
    expect(check(broken, { ip: '192.0.2.7', defaultExplanation: 'D' })).toMatchObject({ status: 'fail', explanation: 'D' });
  });

  it('an invalid client address is a permerror value, not an exception', () => {
    expect(check({}, { ip: '1.2.3' }).status).toBe('permerror');
  });
});

describe('Received-SPF', () => {
  it('formats RFC 7208 §9.1 fields and reads them back', () => {
    const field = formatReceivedSpf({
      status: 'pass', ip: '192.0.2.1', sender: 'myname@example.com', envelopeFrom: 'myname@example.com', helo: 'foo.example.com',
      receiver: 'mybox.example.org', identity: 'mailfrom', mechanism: 'ip4:192.0.2.0/24',
    });
    expect(field).toMatch(/^Received-SPF: pass \(mybox\.example\.org: domain of myname@example\.com designates\r\n 192\.0\.2\.1 as permitted sender\)/);
    for (const line of field.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
    const p = parseReceivedSpf(field.slice(13).replace(/\r\n/g, ''));
    expect(p.ok && p.value).toMatchObject({
      status: 'pass', clientIp: '192.0.2.1', envelopeFrom: 'myname@example.com', helo: 'foo.example.com', receiver: 'mybox.example.org',
      identity: 'mailfrom', mechanism: 'ip4:192.0.2.0/24',
    });
  });
  it('reads the RFC example and rejects garbage', () => {
    const v = parseReceivedSpf(' pass (mybox.example.org: domain of myname@example.com designates 192.0.2.1 as permitted sender) receiver=mybox.example.org; client-ip=192.0.2.1; envelope-from="myname@example.com"; helo=foo.example.com;');
    expect(v.ok && [v.value.status, v.value.clientIp, v.value.comment?.startsWith('mybox')]).toEqual(['pass', '192.0.2.1', true]);
    expect(parseReceivedSpf('Pass').ok).toBe(true);
    expect(parseReceivedSpf('maybe (x)').ok).toBe(false);
    expect(parseReceivedSpf('pass (unterminated').ok).toBe(false);
    expect(parseReceivedSpf('pass client-ip="1.2.3.4').ok).toBe(false);
  });
  it('quotes values that are not dot-atoms', () => {
    const f = formatReceivedSpf({ status: 'permerror', ip: '2001:db8::1', sender: 'a@b.example', envelopeFrom: 'a@b.example', problem: 'two records', identity: 'mailfrom' });
    expect(f).toContain('client-ip="2001:db8::1";');
    expect(f).toContain('problem="two records";');
  });
});

describe('internationalized domains', () => {
  it('the MAIL FROM domain is asked in A-label form (RFC 7208 §4.3)', () => {
    const r = check({ 'xn--bcher-kva.example': { TXT: ['v=spf1 ip4:192.0.2.7 -all'] } }, { ip: '192.0.2.7', sender: 'a@bücher.example' });
    expect([r.status, r.asked[0]]).toEqual(['pass', 'TXT xn--bcher-kva.example']);
  });
});
