import { describe, expect, it } from 'vitest';
import {
  addrSpec,
  flattenAddresses,
  formatAddress,
  parseAddressList,
  parseMailbox,
  type Address,
} from '../../src/mime/address.ts';

function ok(value: string, decode = false): Address[] {
  const r = parseAddressList(value, { decode });
  expect(r, JSON.stringify(r)).toMatchObject({ ok: true });
  return r.addresses;
}

describe('parseAddressList', () => {
  it('reads RFC 5322 A.1 examples', () => {
    expect(ok('John Doe <jdoe@machine.example>')).toEqual([{ name: 'John Doe', local: 'jdoe', domain: 'machine.example' }]);
    expect(ok('"Joe Q. Public" <john.q.public@example.com>')).toEqual([
      { name: 'Joe Q. Public', local: 'john.q.public', domain: 'example.com' },
    ]);
    expect(ok('Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>')).toEqual([
      { name: 'Mary Smith', local: 'mary', domain: 'x.test' },
      { local: 'jdoe', domain: 'example.org' },
      { name: 'Who?', local: 'one', domain: 'y.test' },
    ]);
    expect(ok('<boss@nil.test>, "Giant; \\"Big\\" Box" <sysservices@example.net>')).toEqual([
      { local: 'boss', domain: 'nil.test' },
      { name: 'Giant; "Big" Box', local: 'sysservices', domain: 'example.net' },
    ]);
  });

  it('reads groups, empty groups and groups next to mailboxes', () => {
    expect(ok('A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;')).toEqual([
      {
        group: 'A Group',
        mailboxes: [
          { name: 'Ed Jones', local: 'c', domain: 'a.test' },
          { local: 'joe', domain: 'where.test' },
          { name: 'John', local: 'jdoe', domain: 'one.test' },
        ],
      },
    ]);
    expect(ok('Undisclosed recipients:;')).toEqual([{ group: 'Undisclosed recipients', mailboxes: [] }]);
    expect(ok('a@b, G: c@d; e@f')).toEqual([
      { local: 'a', domain: 'b' },
      { group: 'G', mailboxes: [{ local: 'c', domain: 'd' }] },
      { local: 'e', domain: 'f' },
    ]);
  });

  it('reads obsolete syntax (RFC 5322 A.6): routes, empty elements, CFWS around dots', () => {
    expect(ok('Mary Smith <@node.test,@other.test:mary@example.net>, , jdoe@test  . example')).toEqual([
      { name: 'Mary Smith', local: 'mary', domain: 'example.net', route: ['node.test', 'other.test'] },
      { local: 'jdoe', domain: 'test.example' },
    ]);
    expect(ok('Joe Q. Public <john.q.public@example.com>')[0]).toMatchObject({ name: 'Joe Q. Public' });
    expect(ok('"old"."style"@x')[0]).toEqual({ local: 'old.style', domain: 'x' });
  });

  it('keeps comments apart from names', () => {
    expect(ok('Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>')).toEqual([
      { name: 'Pete', local: 'pete', domain: 'silly.test', comment: 'A nice ) chap his account his host' },
    ]);
    expect(ok('jdoe@example.org (John Doe)')).toEqual([{ local: 'jdoe', domain: 'example.org', comment: 'John Doe' }]);
  });

  it('reads quoted local parts and domain literals', () => {
    const [a, b] = ok('"john doe"@example.org, x@[192.0.2.1]') as Array<{ local: string; domain: string }>;
    expect(a).toEqual({ local: 'john doe', domain: 'example.org' });
    expect(b).toEqual({ local: 'x', domain: '[192.0.2.1]' });
    expect(addrSpec(a)).toBe('"john doe"@example.org');
  });

  it('reads UTF-8 addresses and keeps IDNs as written (RFC 6532)', () => {
    expect(ok('J\u00f6rg <j\u00f6rg@b\u00fccher.example>, xn--bcher-kva.example@x')).toEqual([
      { name: 'J\u00f6rg', local: 'j\u00f6rg', domain: 'b\u00fccher.example' },
      { local: 'xn--bcher-kva.example', domain: 'x' },
    ]);
  });

  it('decodes encoded-words in names only when asked', () => {
    const v = '=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>, =?utf-8?q?L=C3=A9a?=: a@b;';
    expect(ok(v)[0]).toMatchObject({ name: '=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?=' });
    expect(ok(v, true)).toEqual([
      { name: 'Keld J\u00f8rn Simonsen', local: 'keld', domain: 'dkuug.dk' },
      { group: 'L\u00e9a', mailboxes: [{ local: 'a', domain: 'b' }] },
    ]);
  });

  it('reads raw header bytes in binary mode', () => {
    const latin = (b: number[]) => Buffer.from(b).toString('latin1');
    // 8-bit inside an encoded-word (Stalwart legacy mails), UTF-8 and Latin-1 outside
    const v = '=?iso-8859-1?Q?J' + latin([0xfc]) + 'rgen?= <j@x>, J' + latin([0xc3, 0xb6]) + 'rg <j' + latin([0xc3, 0xb6]) + '@b' + latin([0xfc]) + 'cher.example>';
    expect(parseAddressList(v, { decode: true, binary: true }).addresses).toEqual([
      { name: 'J\u00fcrgen', local: 'j', domain: 'x' },
      { name: 'J\u00f6rg', local: 'j\u00f6', domain: 'b\u00fccher.example' },
    ]);
  });

  it('accepts an unquoted @ in a display name', () => {
    expect(ok('phil@example.com <phil@example.com>')).toEqual([{ name: 'phil@example.com', local: 'phil', domain: 'example.com' }]);
  });

  it('returns errors as values with what parsed', () => {
    const r = parseAddressList('good@x.test, <broken, also@y.test');
    expect(r.ok).toBe(false);
    expect(r.addresses).toContainEqual({ local: 'good', domain: 'x.test' });
    expect(r.addresses).toContainEqual({ local: 'also', domain: 'y.test' });
    const noDomain = parseAddressList('undisclosed-recipients');
    expect(noDomain).toMatchObject({ ok: false, addresses: [{ local: 'undisclosed-recipients', domain: '' }] });
    expect(parseAddressList('G: a@b').ok).toBe(false);
    expect(parseAddressList('').ok).toBe(true);
  });

  it('reads the null path', () => {
    expect(ok('<>')).toEqual([{ local: '', domain: '' }]);
  });
});

describe('parseMailbox', () => {
  it('wants exactly one mailbox', () => {
    expect(parseMailbox('A <a@b>')).toEqual({ ok: true, mailbox: { name: 'A', local: 'a', domain: 'b' } });
    expect(parseMailbox('a@b, c@d').ok).toBe(false);
    expect(parseMailbox('G: a@b;').ok).toBe(false);
  });
});

describe('formatAddress', () => {
  it('writes Name <addr>, bare addresses, quoted names and groups', () => {
    expect(formatAddress({ name: 'John Doe', local: 'jdoe', domain: 'x' })).toBe('John Doe <jdoe@x>');
    expect(formatAddress({ local: 'jdoe', domain: 'x' })).toBe('jdoe@x');
    expect(formatAddress({ name: 'Doe, John', local: 'jdoe', domain: 'x' })).toBe('"Doe, John" <jdoe@x>');
    expect(formatAddress({ group: 'G', mailboxes: [{ local: 'a', domain: 'b' }, { local: 'c', domain: 'd' }] })).toBe('G: a@b, c@d;');
    expect(formatAddress({ group: 'Empty', mailboxes: [] })).toBe('Empty:;');
    expect(formatAddress({ local: '', domain: '' })).toBe('<>');
    expect(formatAddress({ local: 'm', domain: 'x', route: ['a', 'b'] })).toBe('<@a,@b:m@x>');
  });
  it('keeps encoded-words unquoted', () => {
    expect(formatAddress({ name: '=?utf-8?Q?J._Doe?= Jr', local: 'j', domain: 'x' })).toBe('=?utf-8?Q?J._Doe?= Jr <j@x>');
    expect(formatAddress({ name: 'J. =?x', local: 'j', domain: 'x' })).toBe('"J. =?x" <j@x>');
  });
  it('decodes names when asked', () => {
    expect(formatAddress({ name: '=?utf-8?q?L=C3=A9a?=', local: 'l', domain: 'x' }, { decode: true })).toBe('L\u00e9a <l@x>');
  });
  it('round-trips through the parser', () => {
    for (const s of ['"Doe, John" <jdoe@x>', 'a@b', 'G: a@b, c@d;', '"john doe"@example.org', 'Ann <a@[1.2.3.4]>']) {
      expect(ok(s).map((a) => formatAddress(a)).join(', ')).toBe(s);
    }
  });
  it('flattens groups', () => {
    expect(flattenAddresses(ok('a@b, G: c@d, e@f;'))).toHaveLength(3);
  });
});
