// blaze hdr, run as built (./bin/blaze), output compared byte for byte.
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { mkdtemp, readFile, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BLAZE = fileURLToPath(new URL('../../bin/blaze', import.meta.url));
const MIXED = fileURLToPath(new URL('../../fixtures/fields/mixed.eml', import.meta.url));
const REPORT = fileURLToPath(new URL('../../fixtures/messages/report.eml', import.meta.url));

const blaze = (args: string[], opts: Record<string, unknown> = {}) =>
  execa(BLAZE, args, { reject: false, stripFinalNewline: false, encoding: 'buffer', ...opts });
const text = (b: unknown) => Buffer.from(b as Uint8Array).toString('utf8');

// The fixture as bytes, to write the expected 8-bit output exactly.
const RAW_EXPECTED = Buffer.concat([
  Buffer.from(
    'Received: from a by b; Thu, 30 Mar 2017 13:00:00 +0000\n' +
      'From: =?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>\n' +
      'To: "Doe, John" <jdoe@example.org>,\n' +
      '    Friends: jane@example.com, =?UTF-8?Q?John_Sm=C3=AEth?= <john@example.com>;,\n' +
      '    undisclosed:;\n' +
      'Cc: Mary Smith <@node.test:mary@example.net>,\n' +
      '    John <jdoe@test.example>\n' +
      'Subject: =?utf-8?B?4oKs?= =?utf-8?Q?_rates?= and =?koi8-r?B?8NLJ18XU?=\n' +
      'Date: 1997-11-21 09:55:06 -05:00\n' +
      'X-Latin1: caf',
  ),
  Buffer.from([0xe9]),
  Buffer.from('\nX-Utf8: caf'),
  Buffer.from([0xc3, 0xa9]),
  Buffer.from('\nContent-Type: text/plain; charset="utf-8"; format=flowed\nReply-To: J'),
  Buffer.from([0xf6]),
  Buffer.from(
    'rg <jorg@example.de>\n' +
      'Resent-From: Resent Person <r@example.net>\n' +
      'Resent-Date: 1997-11-24 14:22:01 -08:00\n' +
      'Comments: two\n' +
      'Comments: occurrences\n',
  ),
]);

const DECODED_EXPECTED =
  'Received: from a by b; Thu, 30 Mar 2017 13:00:00 +0000\n' +
  'From: Andr\u00e9 Pirard <PIRARD@vm1.ulg.ac.be>\n' +
  'To: "Doe, John" <jdoe@example.org>,\n' +
  '    Friends: jane@example.com, John Sm\u00eeth <john@example.com>;,\n' +
  '    undisclosed:;\n' +
  'Cc: Mary Smith <@node.test:mary@example.net>,\n' +
  '    John <jdoe@test.example>\n' +
  'Subject: \u20ac rates and \u041f\u0440\u0438\u0432\u0435\u0442\n' +
  'Date: 1997-11-21 09:55:06 -05:00\n' +
  'X-Latin1: caf\u00e9\n' +
  'X-Utf8: caf\u00e9\n' +
  'Content-Type: text/plain; charset="utf-8"; format=flowed\n' +
  'Reply-To: J\u00f6rg <jorg@example.de>\n' +
  'Resent-From: Resent Person <r@example.net>\n' +
  'Resent-Date: 1997-11-24 14:22:01 -08:00\n' +
  'Comments: two\n' +
  'Comments: occurrences\n';

describe('blaze hdr', () => {
  it('prints every field unfolded, addresses one per line, dates in the original layout, bytes kept', async () => {
    const r = await blaze(['hdr', MIXED]);
    expect(r.exitCode).toBe(0);
    expect(Buffer.from(r.stdout as Uint8Array).equals(RAW_EXPECTED)).toBe(true);
    expect(text(r.stderr)).toBe('');
  });

  it('-d decodes encoded-words and 8-bit charsets to UTF-8', async () => {
    const r = await blaze(['hdr', '-d', MIXED]);
    expect(r.exitCode).toBe(0);
    expect(text(r.stdout)).toBe(DECODED_EXPECTED);
  });

  it('-d reads 8-bit bytes inside an encoded-word in the word charset', async () => {
    const input = Buffer.concat([Buffer.from('Subject: =?iso-8859-1?Q?Die_Hasen_und_die_Fr'), Buffer.from([0xf6]), Buffer.from('sche?=\n\n')]);
    expect(text((await blaze(['hdr', '-d'], { input })).stdout)).toBe('Subject: Die Hasen und die Fr\u00f6sche\n');
  });

  it('-d converts multibyte charsets inside the bundle (iconv-lite tables, ISO-2022-JP)', async () => {
    const input = 'Subject: =?iso-2022-jp?B?GyRCJCIbKEI=?= =?shift_jis?B?gqA=?=\n =?euc-kr?B?x9Gx2w==?= =?gb2312?B?xOO6ww==?= !\n\n';
    expect(text((await blaze(['hdr', '-d'], { input })).stdout)).toBe('Subject: \u3042\u3042\ud55c\uae00\u4f60\u597d !\n');
  });

  it('gives the same bytes from stdin, LF or CRLF, and with --newline', async () => {
    const lf = await readFile(MIXED);
    const crlf = Buffer.from(lf.toString('latin1').replace(/\n/g, '\r\n'), 'latin1');
    for (const [input, args] of [
      [lf, ['hdr']],
      [crlf, ['hdr']],
      [crlf, ['hdr', '-']],
      [lf, ['hdr', '--newline', 'lf']],
    ] as const) {
      const r = await blaze([...args], { input });
      expect(r.exitCode).toBe(0);
      expect(Buffer.from(r.stdout as Uint8Array).equals(RAW_EXPECTED)).toBe(true);
    }
  });

  it('prints the report fixture as the original tool does', async () => {
    const r = await blaze(['hdr', REPORT]);
    expect(text(r.stdout)).toBe(
      'From: Romain Calascibetta <romain@example.org>\n' +
        'To: "Hannes M." <hannes@example.net>,\n' +
        '    team: alice@example.com, bob@example.com;\n' +
        'Subject: =?UTF-8?Q?Voil=C3=A0_le_rapport?=\n' +
        'Date: 2017-03-30 15:00:00 +02:00\n' +
        'Message-ID: <report.1@example.org>\n' +
        'MIME-Version: 1.0\n' +
        'Content-Type: multipart/mixed; boundary="outer"\n',
    );
  });

  it('-h selects fields: one occurrence per name, A:A two, in the order asked', async () => {
    expect(text((await blaze(['hdr', '-h', 'Comments', MIXED])).stdout)).toBe('Comments: two\n');
    expect(text((await blaze(['hdr', '-h', 'comments:COMMENTS', MIXED])).stdout)).toBe('Comments: two\nComments: occurrences\n');
    expect(text((await blaze(['hdr', '-d', '-h', 'Subject:From', MIXED])).stdout)).toBe(
      'Subject: \u20ac rates and \u041f\u0440\u0438\u0432\u0435\u0442\nFrom: Andr\u00e9 Pirard <PIRARD@vm1.ulg.ac.be>\n',
    );
    expect(text((await blaze(['hdr', '-h', 'Date', '-h', 'Resent-Date', MIXED])).stdout)).toBe(
      'Date: 1997-11-21 09:55:06 -05:00\nResent-Date: 1997-11-24 14:22:01 -08:00\n',
    );
  });

  it('exits 1 when no selected field is present', async () => {
    const r = await blaze(['hdr', '-h', 'X-Missing', MIXED]);
    expect(r.exitCode).toBe(1);
    expect(text(r.stdout)).toBe('');
  });

  it('reports a malformed line with its number on stderr only with -v', async () => {
    expect(text((await blaze(['hdr', '-h', 'Date', MIXED])).stderr)).toBe('');
    const r = await blaze(['hdr', '-v', '-h', 'Date', MIXED]);
    expect(r.exitCode).toBe(0);
    expect(text(r.stderr)).toBe(`blaze: hdr: ${MIXED}: line 11: header field without a colon\n`);
  });

  it('--json prints one document with values, raw bytes, addresses and dates', async () => {
    const r = await blaze(['hdr', '--json', '-h', 'To:Date:Subject', MIXED]);
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(text(r.stdout));
    expect(doc.input).toBe(MIXED);
    expect(doc.fields.map((f: { name: string }) => f.name)).toEqual(['To', 'Date', 'Subject']);
    expect(doc.fields[0].addresses).toEqual([
      { name: 'Doe, John', address: 'jdoe@example.org', local: 'jdoe', domain: 'example.org' },
      {
        group: 'Friends',
        mailboxes: [
          { address: 'jane@example.com', local: 'jane', domain: 'example.com' },
          { name: 'John Sm\u00eeth', address: 'john@example.com', local: 'john', domain: 'example.com' },
        ],
      },
      { group: 'undisclosed', mailboxes: [] },
    ]);
    expect(doc.fields[1]).toMatchObject({ line: 8, value: '21 Nov 97 09:55:06 EST', raw: 'Date: 21 Nov 97 09:55:06 EST\r\n' });
    expect(doc.fields[1].date).toEqual({ iso: '1997-11-21T09:55:06-05:00', epoch: 880124106, offsetMinutes: -300 });
    expect(doc.fields[2].value).toBe('\u20ac rates and \u041f\u0440\u0438\u0432\u0435\u0442');
    expect(doc.fields[2].raw).toBe('Subject: =?utf-8?B?4oKs?= =?utf-8?Q?_rates?= and\r\n\t=?koi8-r?B?8NLJ18XU?=\r\n');
  });

  it('--json lists message ids', async () => {
    const r = await blaze(['hdr', '--json', '-h', 'Message-ID:References'], { input: 'Message-ID: <a@b>\nReferences: <x@y>\n <z@w> (c)\n\n' });
    const doc = JSON.parse(text(r.stdout));
    expect(doc.fields.map((f: { ids: string[] }) => f.ids)).toEqual([['a@b'], ['x@y', 'z@w']]);
  });

  it('-q prints nothing and keeps the status', async () => {
    const r = await blaze(['hdr', '-q', MIXED]);
    expect(r.exitCode).toBe(0);
    expect(text(r.stdout)).toBe('');
    expect((await blaze(['hdr', '-q', '-h', 'X-None', MIXED])).exitCode).toBe(1);
  });

  it('warns about a field over the bound and goes on', async () => {
    const big = `Subject: before\nX-Huge: ${'a'.repeat(200 * 1024)}\nSubject: after\n\nbody\n`;
    const r = await blaze(['hdr'], { input: big });
    expect(r.exitCode).toBe(0);
    expect(text(r.stdout)).toBe('Subject: before\nSubject: after\n');
    expect(text(r.stderr)).toMatch(/^blaze: hdr: stdin: line 2: field X-Huge is too long \(\d+ bytes\), skipped\n$/);
  });

  it('stops reading at the end of the header (the body is never read)', async () => {
    const p = execa(BLAZE, ['hdr'], { reject: false, stripFinalNewline: false });
    p.stdin!.write('Subject: streaming\n\n' + 'body line\n'.repeat(1000));
    // stdin is left open: hdr must finish without waiting for the end of the body.
    const timer = setTimeout(() => p.kill(), 10_000);
    const r = await p;
    clearTimeout(timer);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('Subject: streaming\n');
  });

  it('rejects input that is not a message: exit 2, one line', async () => {
    const garbage = Buffer.alloc(4096);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 131 + 7) & 0xff;
    for (let i = 0; i < garbage.length; i++) if (garbage[i] === 0x3a) garbage[i] = 0x3b; // no colon anywhere
    const r = await blaze(['hdr'], { input: garbage });
    expect(r.exitCode).toBe(2);
    expect(text(r.stdout)).toBe('');
    expect(text(r.stderr)).toBe('blaze: hdr: stdin: no header field (not a message?)\n');
    const empty = await blaze(['hdr'], { input: '' });
    expect(empty.exitCode).toBe(2);
    expect(text(empty.stderr)).toBe('blaze: hdr: stdin: no header field (not a message?)\n');
  });

  it('reads random bytes without a crash or a stack trace', async () => {
    const junk = Buffer.alloc(20000);
    let x = 12345;
    for (let i = 0; i < junk.length; i++) {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      junk[i] = x >> 16;
    }
    const r = await blaze(['hdr', '-d'], { input: Buffer.concat([Buffer.from('Subject: x\n'), junk]) });
    expect([0, 2]).toContain(r.exitCode);
    expect(text(r.stderr)).not.toMatch(/internal error|at .*\.js/);
  });

  it('-p prints a Content-Type parameter, RFC 2231 continuations decoded', async () => {
    const msg =
      'From: a@example.org\r\n' +
      'Content-Type: multipart/mixed;\r\n boundary="=-b 1"\r\n' +
      "Content-Disposition: attachment;\r\n filename*0*=utf-8''%C5%BElu;\r\n filename*1*=%C5%A5ou%C4%8Dk%C3%BD.txt\r\n" +
      '\r\nbody\r\n';
    const b = await blaze(['hdr', '-h', 'Content-Type', '-p', 'boundary'], { input: msg });
    expect(b.exitCode).toBe(0);
    expect(text(b.stdout)).toBe('=-b 1\n');
    const f = await blaze(['hdr', '-h', 'Content-Disposition', '-p', 'FILENAME'], { input: msg });
    expect(text(f.stdout)).toBe('žluťoučký.txt\n');
    const j = await blaze(['hdr', '-h', 'Content-Disposition', '-p', 'filename', '--json'], { input: msg });
    expect(JSON.parse(text(j.stdout)).fields).toEqual([{ name: 'Content-Disposition', line: 4, param: 'filename', value: 'žluťoučký.txt' }]);
    const none = await blaze(['hdr', '-h', 'Content-Type', '-p', 'charset'], { input: msg });
    expect(none.exitCode).toBe(1);
    expect(text(none.stdout)).toBe('');
  });

  it('names a missing file, an unreadable one, and a bad -h', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'blaze-hdr-'));
    const missing = await blaze(['hdr', join(dir, 'nope.eml')]);
    expect(missing.exitCode).toBe(2);
    expect(text(missing.stderr)).toBe(`blaze: hdr: ${join(dir, 'nope.eml')}: no such file or directory\n`);
    const sub = join(dir, 'a-directory');
    await mkdir(sub);
    const unreadable = await blaze(['hdr', sub]);
    expect(unreadable.exitCode).toBe(2);
    expect(text(unreadable.stderr)).toBe(`blaze: hdr: ${sub}: is a directory\n`);
    const bad = await blaze(['hdr', '-h', 'A::B', MIXED]);
    expect(bad.exitCode).toBe(2);
    expect(text(bad.stderr)).toMatch(/^blaze: hdr: -h: /);
  });

  it('-H prefixes every line with the file name and a tab (continuation lines too), as mblaze\'s mhdr -H; several inputs in order', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'blaze-hdr-H-'));
    const a = join(dir, 'a.eml');
    const b = join(dir, 'b.eml');
    await writeFile(a, 'From: x@example.org\nTo: one@example.net,\n two@example.net\nSubject: first\n\nbody\n');
    await writeFile(b, 'Subject: second\r\nFrom: y@example.org\r\n\r\nbody\r\n');
    const r = await blaze(['hdr', '-H', a, b]);
    expect(r.exitCode).toBe(0);
    expect(text(r.stdout)).toBe(
      `${a}\tFrom: x@example.org\n${a}\tTo: one@example.net,\n${a}\t    two@example.net\n${a}\tSubject: first\n` +
        `${b}\tSubject: second\n${b}\tFrom: y@example.org\n`,
    );
    // the prefix is mhdr's: the path, a tab
    const m = await execa('mhdr', ['-H', '-h', 'subject', a], { reject: false });
    expect(m.stdout).toBe(`${a}\tfirst`);
    const sel = await blaze(['hdr', '-H', '-h', 'Subject', a, b]);
    expect(text(sel.stdout)).toBe(`${a}\tSubject: first\n${b}\tSubject: second\n`);
    // without -H, one after the other
    const plain = await blaze(['hdr', '-h', 'Subject', a, b]);
    expect(text(plain.stdout)).toBe('Subject: first\nSubject: second\n');
    // --files-from, as every batch-reading command
    const list = await blaze(['hdr', '-H', '-h', 'Subject', '--files-from', '-'], { input: `${b}\n${a}\n` });
    expect(text(list.stdout)).toBe(`${b}\tSubject: second\n${a}\tSubject: first\n`);
    // a one-input -H too, and stdin
    const one = await blaze(['hdr', '-H', '-h', 'Subject', '-'], { input: 'Subject: piped\n\n' });
    expect(text(one.stdout)).toBe('stdin\tSubject: piped\n');
  });

  it('several inputs: a missing one is named (exit 2) and the others are printed; exit 1 only when nothing selected was found anywhere; --json lists files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'blaze-hdr-many-'));
    const a = join(dir, 'a.eml');
    await writeFile(a, 'Subject: first\n\nbody\n');
    const r = await blaze(['hdr', '-H', a, join(dir, 'nope.eml'), a]);
    expect(r.exitCode).toBe(2);
    expect(text(r.stdout)).toBe(`${a}\tSubject: first\n${a}\tSubject: first\n`);
    expect(text(r.stderr)).toBe(`blaze: hdr: ${join(dir, 'nope.eml')}: no such file or directory\n`);
    expect((await blaze(['hdr', '-h', 'To', a, a])).exitCode).toBe(1);
    expect((await blaze(['hdr', '-h', 'To', a, MIXED])).exitCode).toBe(0);
    const j = JSON.parse(text((await blaze(['hdr', '--json', a, MIXED])).stdout));
    expect(j.files.map((f: { input: string }) => f.input)).toEqual([a, MIXED]);
    expect(j.files[0]).toEqual({ input: a, fields: [expect.objectContaining({ name: 'Subject', value: 'first', line: 1 })], warnings: [] });
  });
});
