import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { readFile, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BLAZE = fileURLToPath(new URL('../../bin/blaze', import.meta.url));
const TWO = fileURLToPath(new URL('../../fixtures/received/two-hops.eml', import.meta.url));
const ODD = fileURLToPath(new URL('../../fixtures/received/odd.eml', import.meta.url));

const blaze = (args: string[], opts: Record<string, unknown> = {}) => execa(BLAZE, args, { reject: false, stripFinalNewline: false, ...opts });

describe('blaze recv extract', () => {
  it('prints the original tool\'s lines, one hop per field, in route order: from the origin to the last receiver', async () => {
    const r = await blaze(['recv', 'extract', TWO]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      'from:[10.0.0.5] -> by:mail.example.net -> for:<bob@example.org>\n' +
        '\twith ESMTPSA\n' +
        'from:mail.example.net -> by:mx.example.org -> for:<bob@example.org>\n' +
        '\twith ESMTPS\n',
    );
  });

  it('--reverse: header order (the last receiver first)', async () => {
    const r = await blaze(['recv', 'extract', '--reverse', TWO]);
    expect(r.stdout).toBe(
      'from:mail.example.net -> by:mx.example.org -> for:<bob@example.org>\n' +
        '\twith ESMTPS\n' +
        'from:[10.0.0.5] -> by:mail.example.net -> for:<bob@example.org>\n' +
        '\twith ESMTPSA\n',
    );
  });

  it('route order is by date, as the original: a field stacked out of order moves; a tie keeps the lower field first; an undated hop stays after the one below it', async () => {
    const msg = [
      'Received: from d.example by e.example; Thu, 30 Mar 2017 15:00:09 +0200',
      // stacked after c->d, but its clock says earlier
      'Received: from c.example by d.example; Thu, 30 Mar 2017 15:00:02 +0200',
      'Received: from x.example by y.example with LMTP',
      'Received: from b.example by c.example; Thu, 30 Mar 2017 13:00:05 +0000',
      'Received: from a.example by b.example; Thu, 30 Mar 2017 15:00:05 +0200',
      'Subject: s',
      '',
      'b',
      '',
    ].join('\n');
    const r = await blaze(['recv', 'extract', '--delays'], { input: msg });
    expect(r.stdout).toBe(
      [
        'from:c.example -> by:d.example', '\tdelay unknown',
        'from:a.example -> by:b.example', '\tdelay 3s',
        'from:b.example -> by:c.example', '\tdelay 0s',
        'from:x.example -> by:y.example', '\twith LMTP', '\tdelay unknown',
        'from:d.example -> by:e.example', '\tdelay 4s',
        '',
      ].join('\n'),
    );
    const reversed = await blaze(['recv', 'extract', '--reverse', '--json'], { input: msg });
    expect(JSON.parse(reversed.stdout).hops.map((h: { line: number }) => h.line)).toEqual([1, 2, 3, 4, 5]);
  });

  it('reads stdin, LF or CRLF', async () => {
    const crlf = (await readFile(TWO, 'utf8')).replace(/\n/g, '\r\n');
    const a = await blaze(['recv', 'extract'], { input: crlf });
    const b = await blaze(['recv', 'extract', '-'], { inputFile: TWO });
    expect(a.stdout).toBe((await blaze(['recv', 'extract', TWO])).stdout);
    expect(b.stdout).toBe(a.stdout);
  });

  it('--delays adds the delay of each hop (the first against Date:)', async () => {
    const r = await blaze(['recv', 'extract', '--delays', TWO]);
    expect(r.stdout).toBe(
      'from:[10.0.0.5] -> by:mail.example.net -> for:<bob@example.org>\n\twith ESMTPSA\n\tdelay 3s\n' +
        'from:mail.example.net -> by:mx.example.org -> for:<bob@example.org>\n\twith ESMTPS\n\tdelay 4s\n',
    );
  });

  it('--json keeps unparseable fields with the reason, and dates and delays', async () => {
    const r = await blaze(['recv', 'extract', '--json', ODD]);
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.hops).toHaveLength(3);
    // route order: the bottom field (the oldest) first
    expect(doc.hops[2]).toMatchObject({ line: 1, by: { name: 'mx.example.org' }, id: 'DABBD1BED3', date: '2003-02-13T13:02:21.000Z', zoneOffsetMinutes: 60 });
    expect(doc.hops[1]).toEqual({ line: 2, raw: 'this is not a trace field at all', error: expect.stringContaining('no from/by/with/id/for clause') });
    expect(doc.hops[0]).toMatchObject({ line: 3, from: { name: 'old.example.com' }, date: '2003-02-07T18:18:12.000Z', delaySeconds: null });
    expect(doc.hops[2].delaySeconds).toBe((Date.UTC(2003, 1, 13, 13, 2, 21) - Date.UTC(2003, 1, 7, 18, 18, 12)) / 1000);
    const two = JSON.parse((await blaze(['recv', 'extract', '--json', TWO])).stdout);
    expect(two.hops.map((h: { delaySeconds: number }) => h.delaySeconds)).toEqual([3, 4]);
    expect(two.hops[1]).toMatchObject({ from: { name: 'mail.example.net', ip: '192.0.2.7', rdns: 'mail.example.net' }, protocol: 'ESMTPS', for: 'bob@example.org' });
  });

  it('skips unparseable fields in text, and names them on stderr with -v', async () => {
    const quiet = await blaze(['recv', 'extract', ODD]);
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout).toBe('from:old.example.com -> by:relay.example.com\nby:mx.example.org\n');
    const v = await blaze(['recv', 'extract', '-v', ODD]);
    expect(v.stdout).toBe(quiet.stdout);
    expect(v.stderr).toBe(`blaze: recv: ${ODD}: line 2: unparseable Received field (no from/by/with/id/for clause and no date in 'this is not a trace field at all')\n`);
  });

  it('--dot prints a digraph that dot -Tsvg accepts', async () => {
    const r = await blaze(['recv', 'extract', '--dot', TWO]);
    expect(r.stdout).toBe(
      'digraph route {\n  rankdir=LR;\n  node [shape=box];\n' +
        '  "[10.0.0.5]" -> "mail.example.net" [label="ESMTPSA 3s"];\n' +
        '  "mail.example.net" -> "mx.example.org" [label="ESMTPS 4s"];\n}\n',
    );
    for (const file of [TWO, ODD]) {
      const d = await blaze(['recv', 'extract', '--dot', file]);
      const svg = await execa('dot', ['-Tsvg'], { input: d.stdout, reject: false });
      expect(svg.exitCode).toBe(0);
      expect(svg.stderr).toBe('');
      expect(svg.stdout).toContain('<svg');
    }
  });

  it('prints nothing for a message without Received fields', async () => {
    const r = await blaze(['recv', 'extract'], { input: 'Subject: x\r\n\r\nbody\r\n' });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('');
    expect(JSON.parse((await blaze(['recv', 'extract', '--json'], { input: 'Subject: x\n\nb\n' })).stdout)).toEqual({ input: 'stdin', hops: [] });
  });

  it('fails with exit 2 and one line on a missing file or bad flags', async () => {
    const r = await blaze(['recv', 'extract', '/nonexistent/x.eml']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe('blaze: recv: /nonexistent/x.eml: no such file or directory\n');
    const m = await blaze(['recv']);
    expect(m.exitCode).toBe(2);
    expect(m.stderr).toBe('blaze: recv: missing command: extract or stamp (see blaze recv --help)\n');
    const b = await blaze(['recv', 'extract', '--dot', '--json', TWO]);
    expect(b.exitCode).toBe(2);
    expect(b.stderr).toBe('blaze: recv: --dot and --json cannot be used together\n');
  });
});

describe('blaze recv stamp', () => {
  it('prepends a folded Received field and copies the message byte for byte', async () => {
    const r = await blaze(['recv', 'stamp', 'bob@example.org', '-f', 'client.example', '--ip', '192.0.2.9', '--rdns', 'rdns.example',
      '-h', 'mx.test', '--with', 'ESMTPS', '--id', 'Q1', '--now', '2026-11-22T14:00:00Z', '--zone', '+0100', TWO], { encoding: 'buffer' });
    expect(r.exitCode).toBe(0);
    const out = Buffer.from(r.stdout as unknown as Uint8Array).toString('utf8');
    const field =
      'Received: from client.example (rdns.example [192.0.2.9]) by mx.test\r\n' +
      '\twith ESMTPS id Q1 for <bob@example.org>; Sun, 22 Nov 2026 15:00:00 +0100\r\n';
    expect(out).toBe(field + (await readFile(TWO, 'utf8')).replace(/\n/g, '\r\n'));
  });

  it('a stamped message extracts back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'blaze-recv-'));
    const stamped = join(dir, 'stamped.eml');
    const s = await blaze(['recv', 'stamp', '<carol@example.com>', '-f', 'mx.example.org', '-h', 'final.example.com', '--with', 'LMTP',
      '--now', '2017-03-30T13:00:15Z', '-o', stamped, TWO]);
    expect(s.exitCode).toBe(0);
    expect(s.stdout).toBe('');
    const r = await blaze(['recv', 'extract', '--delays', stamped]);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.slice(-3)).toEqual(['from:mx.example.org -> by:final.example.com -> for:<carol@example.com>', '\twith LMTP', '\tdelay 10s']);
    expect(`${lines.slice(0, -3).join('\n')}\n`).toBe((await blaze(['recv', 'extract', '--delays', TWO])).stdout);
  });

  it('--via LINK writes the via clause (RFC 5321 §4.4), read back by extract', async () => {
    const r = await blaze(['recv', 'stamp', 'x@y', '-f', 'a.example', '-h', 'b.example', '--via', 'TCP', '--with', 'ESMTP', '--now', '2026-01-01T00:00:00Z'], { input: 'Subject: a\r\n\r\nb\r\n' });
    expect(r.stdout).toBe('Received: from a.example by b.example via TCP with ESMTP for <x@y>;\r\n\tThu, 1 Jan 2026 00:00:00 +0000\r\nSubject: a\r\n\r\nb\r\n');
    const j = await blaze(['recv', 'extract', '--json'], { input: r.stdout });
    expect(JSON.parse(j.stdout).hops[0]).toMatchObject({ via: 'TCP', with: 'ESMTP' });
    const bad = await blaze(['recv', 'stamp', 'x@y', '--via', 'a b'], { input: '' });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toBe("blaze: recv: --via: 'a b' is not a single word\n");
  });

  it('--newline lf writes LF', async () => {
    const r = await blaze(['recv', 'stamp', 'x@y', '-h', 'h', '--now', '2026-01-01T00:00:00Z', '--newline', 'lf'], { input: 'Subject: a\r\n\r\nb\r\n' });
    expect(r.stdout).toBe('Received: by h for <x@y>; Thu, 1 Jan 2026 00:00:00 +0000\nSubject: a\n\nb\n');
  });

  it('rejects bad values with exit 2', async () => {
    const cases: Array<[string[], string]> = [
      [['recv', 'stamp', 'x@y', '--now', 'yesterday'], "blaze: recv: --now: expected an RFC 3339 date like 2026-11-22T14:00:00Z (or @EPOCH, or now), got 'yesterday'\n"],
      [['recv', 'stamp', 'x@y', '--zone', '0100'], "blaze: recv: --zone: expected +HHMM or -HHMM, got '0100'\n"],
      [['recv', 'stamp', 'x@y', '--id', 'a;b'], "blaze: recv: --id: 'a;b' is not a single word\n"],
      [['recv', 'stamp', 'x@y', '--rdns', 'r.example'], 'blaze: recv: --rdns needs --ip\n'],
    ];
    for (const [args, err] of cases) {
      const r = await blaze(args, { input: '' });
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stderr).toBe(err);
    }
  });
});
