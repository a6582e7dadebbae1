// blaze addr, run as built (./bin/blaze), output compared byte for byte.
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BLAZE = fileURLToPath(new URL('../../bin/blaze', import.meta.url));
const MIXED = fileURLToPath(new URL('../../fixtures/fields/mixed.eml', import.meta.url));
const REPORT = fileURLToPath(new URL('../../fixtures/messages/report.eml', import.meta.url));

const blaze = (args: string[], opts: Record<string, unknown> = {}) =>
  execa(BLAZE, args, { reject: false, stripFinalNewline: false, encoding: 'buffer', ...opts });
const text = (b: unknown) => Buffer.from(b as Uint8Array).toString('utf8');

// From, Sender, Reply-To, To, Cc, Bcc order (not message order); a comment names a mailbox without a name.
const RAW_EXPECTED = Buffer.concat([
  Buffer.from('=?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>\nJ'),
  Buffer.from([0xf6]),
  Buffer.from(
    'rg <jorg@example.de>\n' +
      '"Doe, John" <jdoe@example.org>\n' +
      'jane@example.com\n' +
      '=?UTF-8?Q?John_Sm=C3=AEth?= <john@example.com>\n' +
      'Mary Smith <@node.test:mary@example.net>\n' +
      'John <jdoe@test.example>\n',
  ),
]);

const DECODED =
  'Andr\u00e9 Pirard <PIRARD@vm1.ulg.ac.be>\n' +
  'J\u00f6rg <jorg@example.de>\n' +
  '"Doe, John" <jdoe@example.org>\n' +
  'jane@example.com\n' +
  'John Sm\u00eeth <john@example.com>\n' +
  'Mary Smith <@node.test:mary@example.net>\n' +
  'John <jdoe@test.example>\n';

describe('blaze addr', () => {
  it('prints every mailbox of From, Sender, Reply-To, To, Cc, Bcc, groups expanded, bytes kept', async () => {
    const r = await blaze(['addr', MIXED]);
    expect(r.exitCode).toBe(0);
    expect(Buffer.from(r.stdout as Uint8Array).equals(RAW_EXPECTED)).toBe(true);
    expect(text(r.stderr)).toBe('');
  });

  it('-d decodes display names', async () => {
    expect(text((await blaze(['addr', '-d', MIXED])).stdout)).toBe(DECODED);
  });

  it('-d reads 8-bit bytes inside an encoded-word in the word charset', async () => {
    const input = Buffer.concat([Buffer.from('To: =?iso-8859-1?Q?J'), Buffer.from([0xfc]), Buffer.from('rgen?= <j@example.com>\n\n')]);
    expect(text((await blaze(['addr', '-d'], { input })).stdout)).toBe('J\u00fcrgen <j@example.com>\n');
  });

  it('--without-name prints only addr-specs', async () => {
    expect(text((await blaze(['addr', '--without-name', MIXED])).stdout)).toBe(
      'PIRARD@vm1.ulg.ac.be\njorg@example.de\njdoe@example.org\njane@example.com\njohn@example.com\nmary@example.net\njdoe@test.example\n',
    );
  });

  it('-f adds fields after the default ones', async () => {
    expect(text((await blaze(['addr', '-d', '-f', 'Resent-From', '-f', 'received', MIXED])).stdout)).toBe(
      DECODED + 'Resent Person <r@example.net>\n',
    );
    expect(text((await blaze(['addr', '-f', 'Resent-From'], { input: 'Resent-From: r@x\nCc: c@x\nTo: t@x\nFrom: f@x\n\n' })).stdout)).toBe(
      'f@x\nt@x\nc@x\nr@x\n',
    );
    expect(text((await blaze(['addr'], { input: 'From: bbb@ddd.com (John X. Doe)\nTo: a@b\nTo: c@d\n\n' })).stdout)).toBe(
      '"John X. Doe" <bbb@ddd.com>\na@b\nc@d\n',
    );
  });

  it('reads stdin, LF or CRLF', async () => {
    const lf = await readFile(MIXED);
    const crlf = Buffer.from(lf.toString('latin1').replace(/\n/g, '\r\n'), 'latin1');
    for (const input of [lf, crlf]) {
      const r = await blaze(['addr', '-d'], { input });
      expect(text(r.stdout)).toBe(DECODED);
    }
  });

  it('reads the report fixture', async () => {
    expect(text((await blaze(['addr', REPORT])).stdout)).toBe(
      'Romain Calascibetta <romain@example.org>\n"Hannes M." <hannes@example.net>\nalice@example.com\nbob@example.com\n',
    );
  });

  it('--json gives each address with its field', async () => {
    const doc = JSON.parse(text((await blaze(['addr', '--json', REPORT])).stdout));
    expect(doc).toEqual({
      input: REPORT,
      addresses: [
        { field: 'From', name: 'Romain Calascibetta', address: 'romain@example.org', local: 'romain', domain: 'example.org' },
        { field: 'To', name: 'Hannes M.', address: 'hannes@example.net', local: 'hannes', domain: 'example.net' },
        {
          field: 'To',
          group: 'team',
          mailboxes: [
            { address: 'alice@example.com', local: 'alice', domain: 'example.com' },
            { address: 'bob@example.com', local: 'bob', domain: 'example.com' },
          ],
        },
      ],
    });
  });

  it('prints what parsed of a bad list, and says why with -v', async () => {
    const input = 'To: good@example.org, <broken, also@example.net\n\n';
    const r = await blaze(['addr'], { input });
    expect(r.exitCode).toBe(0);
    expect(text(r.stdout)).toBe('good@example.org\nalso@example.net\n');
    expect(text(r.stderr)).toBe('');
    const v = await blaze(['addr', '-v'], { input });
    expect(text(v.stderr)).toMatch(/^blaze: addr: stdin: line 1: To: .+\n$/);
  });

  it('bad input: not a message, a missing file, a directory', async () => {
    const g = await blaze(['addr'], { input: Buffer.from([0, 1, 2, 0xff, 0xfe, 10, 0x80, 10]) });
    expect(g.exitCode).toBe(2);
    expect(text(g.stderr)).toBe('blaze: addr: stdin: no header field (not a message?)\n');
    const dir = await mkdtemp(join(tmpdir(), 'blaze-addr-'));
    const missing = await blaze(['addr', join(dir, 'nope')]);
    expect(missing.exitCode).toBe(2);
    expect(text(missing.stderr)).toBe(`blaze: addr: ${join(dir, 'nope')}: no such file or directory\n`);
    const d = await blaze(['addr', dir]);
    expect(d.exitCode).toBe(2);
    expect(text(d.stderr)).toBe(`blaze: addr: ${dir}: is a directory\n`);
  });
});
