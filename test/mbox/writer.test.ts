// mboxrd writing: the quoting rule by hand, then write-then-read gives every
// message back exactly (fast-check), whatever the chunking, in mboxrd and
// auto; mboxo reading loses only what mboxo cannot keep.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MboxrdMessageWriter, mboxrdEntry } from '../../src/mbox/writer.ts';
import { MboxDecoder } from '../../src/mbox/reader.ts';
import { formatAsctime, formatFromLine, parseFromLine, isCredibleFromLine, parseAsctime } from '../../src/mbox/from-line.ts';
import type { MboxReadFormat } from '../../src/mbox/format.ts';

const T0 = Date.UTC(2026, 0, 1, 0, 0, 0);

function writeChunked(message: Buffer, cuts: number[]): Buffer {
  const w = new MboxrdMessageWriter();
  const out: Buffer[] = [MboxrdMessageWriter.fromLine('a@example.org', T0)];
  let prev = 0;
  for (const c of [...cuts.filter((x) => x > 0 && x < message.length)].sort((a, b) => a - b).concat(message.length)) {
    out.push(w.push(message.subarray(prev, c)));
    prev = c;
  }
  out.push(w.finish());
  return Buffer.concat(out);
}

function readAll(mbox: Buffer, format: MboxReadFormat, chunk: number): Buffer[] {
  const d = new MboxDecoder(format);
  const msgs: Buffer[] = [];
  let parts: Buffer[] = [];
  const take = (evs: ReturnType<MboxDecoder['push']>) => {
    for (const e of evs) {
      if (e.type === 'message') parts = [];
      else if (e.type === 'data') parts.push(e.data);
      else if (e.type === 'end') msgs.push(Buffer.concat(parts));
      else if (e.type === 'error') throw new Error(e.message);
    }
  };
  for (let i = 0; i < mbox.length; i += chunk) take(d.push(Buffer.from(mbox.subarray(i, i + chunk))));
  take(d.finish());
  return msgs;
}

describe('mboxrd writing', () => {
  it('quotes every /^>*From / line with one more > and turns CRLF into LF', () => {
    const msg = 'Subject: q\r\n\r\nFrom here\r\n>From there\r\n>>From far\r\nFrom\r\n>Fro\r\nnot From here\r\n';
    expect(mboxrdEntry('a@example.org', T0, msg).toString()).toBe(
      'From a@example.org Thu Jan  1 00:00:00 2026\n' +
        'Subject: q\n\n>From here\n>>From there\n>>>From far\nFrom\n>Fro\nnot From here\n' +
        '\n',
    );
  });

  it('adds the missing final line end, then the blank line', () => {
    expect(mboxrdEntry('a@x', T0, 'X: 1\n\nno end').toString()).toBe('From a@x Thu Jan  1 00:00:00 2026\nX: 1\n\nno end\n\n');
    expect(mboxrdEntry('a@x', T0, '').toString()).toBe('From a@x Thu Jan  1 00:00:00 2026\n\n');
  });

  it('quotes the same across any chunking (a From split between chunks)', () => {
    const msg = Buffer.from('X: 1\n\nFrom a\n>>>From b\n>>>>\nFr\nFrom');
    const whole = writeChunked(msg, []);
    for (let cut = 1; cut < msg.length; cut++) expect(writeChunked(msg, [cut])).toEqual(whole);
    for (let cut = 1; cut < msg.length - 2; cut++) expect(writeChunked(msg, [cut, cut + 1, cut + 2])).toEqual(whole);
  });
});

describe('From_ lines', () => {
  it('asctime in UTC with a space-padded day (as C asctime and Python time.asctime)', () => {
    expect(formatAsctime(Date.UTC(1996, 5, 3, 12, 50, 27))).toBe('Mon Jun  3 12:50:27 1996');
    expect(formatAsctime(Date.UTC(2025, 11, 24, 23, 5, 9))).toBe('Wed Dec 24 23:05:09 2025');
  });

  it('a sender with white space (or none) becomes MAILER-DAEMON', () => {
    expect(formatFromLine('', T0)).toBe('From MAILER-DAEMON Thu Jan  1 00:00:00 2026\n');
    expect(formatFromLine('a b@x', T0)).toBe('From MAILER-DAEMON Thu Jan  1 00:00:00 2026\n');
  });

  it('parses sender and date, with or without zone and seconds', () => {
    expect(parseFromLine('From alice@example.org Mon Jun  3 12:50:27 1996')).toEqual({
      sender: 'alice@example.org',
      rest: 'Mon Jun  3 12:50:27 1996',
      epochMs: Date.UTC(1996, 5, 3, 12, 50, 27),
    });
    expect(parseFromLine('From "john smith"@x.org Mon Jun  3 12:50 1996')?.sender).toBe('"john smith"@x.org');
    expect(parseAsctime('Mon Jun  3 12:50:27 +0200 1996')).toBe(Date.UTC(1996, 5, 3, 10, 50, 27));
    expect(parseAsctime('Mon Jun  3 12:50:27 1996 -0100')).toBe(Date.UTC(1996, 5, 3, 13, 50, 27));
    expect(parseFromLine('From -')).toEqual({ sender: '-', rest: '' });
    expect(parseFromLine('Fromage')).toBeUndefined();
  });

  it('credible: a sender then nothing or a date; not a sentence', () => {
    expect(isCredibleFromLine('From -')).toBe(true);
    expect(isCredibleFromLine('From - ')).toBe(true);
    expect(isCredibleFromLine('From - Mon Jun  3 12:50:27 1996')).toBe(true);
    expect(isCredibleFromLine('From 3f2a Mon Sep 17 00:00:00 2001')).toBe(true);
    expect(isCredibleFromLine('From Russia with love')).toBe(false);
    expect(isCredibleFromLine('From here to eternity, 1953')).toBe(false);
    expect(isCredibleFromLine('From ')).toBe(false);
  });
});

// Lines that stress the quoting: From lines, > runs, blank lines, CR.
const line = fc.oneof(
  fc.constantFrom('From x', '>From x', '>>From x', '>>>From', 'From', '>', '', 'Fr', '>Fro', 'From Russia with love', 'From a@b Mon Jun  3 12:50:27 1996'),
  fc.string({ maxLength: 12 }).map((s) => s.replace(/[\r\n]/g, '')),
);
const message = fc
  .tuple(fc.array(line, { maxLength: 12 }), fc.constantFrom('\n', '\r\n'))
  .map(([lines, eol]) => 'Subject: t' + eol + eol + lines.map((l) => l + eol).join(''));

describe('write then read gives the messages back', () => {
  it('mboxrd and auto, any chunking (LF form; CRLF messages come back LF)', () => {
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 40 }), fc.array(fc.integer({ min: 1, max: 200 }), { maxLength: 3 }), (msgs, chunk, cuts) => {
        const mbox = Buffer.concat(msgs.map((m) => writeChunked(Buffer.from(m, 'latin1'), cuts)));
        const want = msgs.map((m) => Buffer.from(m.replace(/\r\n/g, '\n'), 'latin1'));
        expect(readAll(mbox, 'mboxrd', chunk)).toEqual(want);
        expect(readAll(mbox, 'auto', chunk)).toEqual(want);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 300) },
    );
  });

  it('an mboxo reader of an mboxrd file unquotes >From only (deeper quotes keep their extra >)', () => {
    const m = 'Subject: t\n\nFrom a\n>From b\n>>From c\n';
    const [got] = readAll(writeChunked(Buffer.from(m), []), 'mboxo', 7);
    expect(got.toString()).toBe('Subject: t\n\nFrom a\n>>From b\n>>>From c\n');
  });
});
