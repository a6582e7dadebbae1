// The streaming mbox reader: separators, quoting of each variant, the
// Content-Length check, and the same result whatever the chunking.
// Expectations are written by hand from RFC 4155 and the variants' definitions
// (src/mbox/format.ts), not from the implementation.
import { describe, expect, it } from 'vitest';
import { MboxDecoder, MAX_LOOKAHEAD, type MboxEvent } from '../../src/mbox/reader.ts';
import type { MboxReadFormat } from '../../src/mbox/format.ts';

interface Msg {
  fromLine: string;
  text: string;
  offset: number;
  headerOffset: number;
  bodyOffset?: number;
  end: number;
  size: number;
}

function decode(input: string | Buffer, format: MboxReadFormat = 'auto', chunk = 0): { msgs: Msg[]; errors: string[] } {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
  const dec = new MboxDecoder(format);
  const events: MboxEvent[] = [];
  if (chunk <= 0) events.push(...dec.push(bytes));
  else for (let i = 0; i < bytes.length; i += chunk) events.push(...dec.push(Buffer.from(bytes.subarray(i, i + chunk))));
  events.push(...dec.finish());
  const msgs: Msg[] = [];
  const errors: string[] = [];
  let cur: { m: Partial<Msg>; parts: Buffer[] } | undefined;
  for (const e of events) {
    if (e.type === 'message') cur = { m: { fromLine: e.fromLine, offset: e.offset, headerOffset: e.headerOffset }, parts: [] };
    else if (e.type === 'data') cur!.parts.push(e.data);
    else if (e.type === 'body') cur!.m.bodyOffset = e.offset;
    else if (e.type === 'end') {
      const text = Buffer.concat(cur!.parts).toString('latin1');
      expect(e.size).toBe(Buffer.byteLength(text, 'latin1'));
      msgs.push({ ...(cur!.m as Msg), text, end: e.end, size: e.size });
      cur = undefined;
    } else errors.push(e.message);
  }
  return { msgs, errors };
}

/** Every chunking gives the same messages. */
function decodeAll(input: string | Buffer, format: MboxReadFormat = 'auto'): Msg[] {
  const whole = decode(input, format);
  for (const size of [1, 2, 3, 5, 7, 64]) expect(decode(input, format, size)).toEqual(whole);
  return whole.msgs;
}

const texts = (input: string, format: MboxReadFormat = 'auto') => decodeAll(input, format).map((m) => m.text);

describe('separators and offsets', () => {
  const box = 'From alice@example.org Thu Jan  1 00:00:00 2026\nSubject: one\n\nbody one\n\nFrom bob@example.org Fri Jan  2 10:00:00 2026\nSubject: two\n\nbody two\n\n';

  it('splits at From_ lines, the blank line before each belongs to the separator', () => {
    for (const f of ['auto', 'mboxo', 'mboxrd', 'mboxcl', 'mboxcl2'] as const) {
      expect(texts(box, f)).toEqual(['Subject: one\n\nbody one\n', 'Subject: two\n\nbody two\n']);
    }
  });

  it('gives the raw offsets of the From_ line, the header, the body and the end', () => {
    const [a, b] = decodeAll(box);
    const second = box.indexOf('From bob');
    expect(a).toMatchObject({ offset: 0, headerOffset: box.indexOf('Subject: one'), bodyOffset: box.indexOf('body one'), end: second - 1 });
    expect(a.fromLine).toBe('From alice@example.org Thu Jan  1 00:00:00 2026');
    expect(b).toMatchObject({ offset: second, headerOffset: box.indexOf('Subject: two'), bodyOffset: box.indexOf('body two'), end: box.length - 1 });
  });

  it('keeps a message that has no final line end, and one without a blank line before the next From_', () => {
    expect(texts('From a\nX: 1\n\nno newline', 'mboxrd')).toEqual(['X: 1\n\nno newline']);
    expect(texts('From a\nX: 1\n\nbody\nFrom b\nX: 2\n\nb2\n', 'mboxrd')).toEqual(['X: 1\n\nbody\n', 'X: 2\n\nb2\n']);
  });

  it('a message that ends with a blank line keeps it (only the separator line goes)', () => {
    expect(texts('From a\nX: 1\n\nbody\n\n\nFrom b\nX: 2\n\nb2\n\n\n', 'mboxrd')).toEqual(['X: 1\n\nbody\n\n', 'X: 2\n\nb2\n\n']);
  });

  it('a header-only message: the blank line before the next From_ is the separator', () => {
    const [a, b] = decodeAll('From a\nX: 1\n\nFrom b\nX: 2\n', 'mboxrd');
    expect(a.text).toBe('X: 1\n');
    expect(a.bodyOffset).toBeUndefined();
    expect(b.text).toBe('X: 2\n');
  });

  it('skips a UTF-8 byte order mark and blank lines before the first message', () => {
    expect(texts('\xef\xbb\xbf\n\nFrom -\nX: 1\n\nb\n')).toEqual(['X: 1\n\nb\n']);
  });

  it('reads CRLF mboxes: CRLF blank lines separate', () => {
    expect(texts('From a Thu Jan  1 00:00:00 2026\r\nX: 1\r\n\r\nb\r\n\r\nFrom b Thu Jan  1 00:00:00 2026\r\nX: 2\r\n\r\nc\r\n')).toEqual([
      'X: 1\r\n\r\nb\r\n',
      'X: 2\r\n\r\nc\r\n',
    ]);
  });

  it('says when the input is not an mbox, and reads nothing more', () => {
    expect(decode('Subject: hi\n\nFrom a\n').errors).toEqual(['not an mbox: offset 0 is not a From_ line']);
    expect(decode('Subject: hi\n\nFrom a\n').msgs).toEqual([]);
    expect(decode('').msgs).toEqual([]);
    expect(decode('\n\n').errors).toEqual([]);
  });

  it('an over-long From_ line is cut in the event, its bytes are not message data', () => {
    const line = 'From ' + 'x'.repeat(10_000);
    const [m] = decodeAll(`${line}\nX: 1\n\nb\n`, 'mboxrd');
    expect(m.fromLine).toBe(line.slice(0, 4096));
    expect(m.text).toBe('X: 1\n\nb\n');
    expect(m.headerOffset).toBe(line.length + 1);
  });
});

describe('quoting of each variant', () => {
  const body = 'From a\nX: 1\n\n>From one\n>>From two\n>>>From three\nFrom here\n>not from\n>From\n';

  it('mboxrd removes one > from every /^>+From /', () => {
    expect(texts(body, 'mboxrd')[0]).toBe('X: 1\n\nFrom one\n>From two\n>>From three\n');
  });

  it('mboxo and mboxcl remove it from /^>From / only', () => {
    for (const f of ['mboxo', 'mboxcl'] as const) {
      expect(texts(body.replace('From here\n', ''), f)[0]).toBe('X: 1\n\nFrom one\n>>From two\n>>>From three\n>not from\n>From\n');
    }
  });

  it('mboxcl2 removes nothing', () => {
    const msg = 'X: 1\nContent-Length: 26\n\n>From one\n>>From two\nEND\n';
    expect(texts(`From a\n${msg}\n`, 'mboxcl2')).toEqual([msg]);
  });

  it('a > run longer than any chunk loses exactly one >', () => {
    const run = '>'.repeat(20_000);
    expect(texts(`From a\nX: 1\n\n${run}From x\n${run}Fro\n`, 'mboxrd')[0]).toBe(`X: 1\n\n${run.slice(1)}From x\n${run}Fro\n`);
  });

  it('a line of > at the very end is kept', () => {
    expect(texts('From a\nX: 1\n\n>>', 'mboxrd')[0]).toBe('X: 1\n\n>>');
    expect(texts('From a\nX: 1\n\n>Fro', 'mboxrd')[0]).toBe('X: 1\n\n>Fro');
  });
});

describe('auto: only credible From_ lines separate', () => {
  it('From Russia with love after a blank line is body text', () => {
    const box = 'From -\nSubject: Bond\n\nfavourite:\n\nFrom Russia with love\n\nend\n';
    expect(texts(box)).toEqual(['Subject: Bond\n\nfavourite:\n\nFrom Russia with love\n\nend\n']);
    // mboxo takes the format at its word: any From line separates.
    expect(texts(box, 'mboxo')).toHaveLength(2);
  });

  it('a From_ line needs a header field after it, not a blank line before it (Netscape mboxes have none)', () => {
    const noBlank = 'From a@x Thu Jan  1 00:00:00 2026\nX: 1\n\ntext\nFrom - \nX: 2\n';
    expect(texts(noBlank)).toEqual(['X: 1\n\ntext\n', 'X: 2\n']);
    const noField = 'From a@x Thu Jan  1 00:00:00 2026\nX: 1\n\ntext\n\nFrom b@x Thu Jan  1 00:00:00 2026\nnot a field\n';
    expect(texts(noField)).toHaveLength(1);
    const quotedNext = 'From a@x\nX: 1\n\ntext\n\nFrom b@x Thu Jan  1 00:00:00 2026\n>From b@y Thu Jan  1 00:00:00 2026\nX: 2\n';
    expect(texts(quotedNext)).toEqual(['X: 1\n\ntext\n', 'From b@y Thu Jan  1 00:00:00 2026\nX: 2\n']);
  });

  it('a From_ line at the very end with nothing after it still separates', () => {
    expect(texts('From a@x\nX: 1\n\nt\n\nFrom b@x Thu Jan  1 00:00:00 2026')).toEqual(['X: 1\n\nt\n', '']);
  });
});

describe('Content-Length', () => {
  // A git patch pasted into a body, unquoted (mboxcl2 never quotes).
  const patch = 'look:\n\nFrom 3f2a Mon Sep 17 00:00:00 2001\nFrom: Dev <dev@example.org>\n\nfix\n';
  const clMsg = (body: string, cl = Buffer.byteLength(body)) => `X: 1\nContent-Length: ${cl}\n\n${body}`;

  it('a From_ line inside a body that the Content-Length covers does not split (mboxcl2 and auto)', () => {
    const box = `From a Thu Jan  1 00:00:00 2026\n${clMsg(patch)}\nFrom b Thu Jan  1 00:00:00 2026\nX: 2\n\nz\n`;
    for (const f of ['mboxcl2', 'auto'] as const) expect(texts(box, f)).toEqual([clMsg(patch), 'X: 2\n\nz\n']);
    // Without Content-Length, mboxrd splits there: the body should have been quoted.
    expect(texts(box, 'mboxrd')).toHaveLength(3);
  });

  it('a count that ends exactly at the end of the input holds', () => {
    const box = `From a Thu Jan  1 00:00:00 2026\n${clMsg(patch)}`;
    expect(texts(box)).toEqual([clMsg(patch)]);
  });

  it('a wrong count is ignored: the From_ line splits (mutt and MimeKit do the same)', () => {
    for (const cl of [patch.length + 30, patch.length + 60, patch.length - 3]) {
      const box = `From a Thu Jan  1 00:00:00 2026\n${clMsg(patch, cl)}\nFrom b Thu Jan  1 00:00:00 2026\nX: 2\n\nz\n`;
      const got = texts(box, 'auto');
      expect(got).toHaveLength(3);
      expect(got[0]).toBe(`X: 1\nContent-Length: ${cl}\n\nlook:\n`);
      expect(got[1]).toBe('From: Dev <dev@example.org>\n\nfix\n');
    }
  });

  it('a count with no From_ line inside its body changes nothing', () => {
    const box = `From a\nX: 1\nContent-Length: 999\n\nshort\n\nFrom b\nX: 2\n\nz\n`;
    expect(texts(box, 'mboxcl2')).toEqual(['X: 1\nContent-Length: 999\n\nshort\n', 'X: 2\n\nz\n']);
  });

  it('past the lookahead bound mboxcl2 trusts the count and auto the From_ line', () => {
    const filler = ('y'.repeat(99) + '\n').repeat(Math.ceil(MAX_LOOKAHEAD / 100) + 10);
    const body = patch + filler;
    const box = `From a Thu Jan  1 00:00:00 2026\n${clMsg(body)}\nFrom b Thu Jan  1 00:00:00 2026\nX: 2\n\nz\n`;
    expect(decode(box, 'mboxcl2', 1 << 16).msgs.map((m) => m.size)).toEqual([Buffer.byteLength(clMsg(body)), 8]);
    expect(decode(box, 'auto', 1 << 16).msgs).toHaveLength(3);
  });
});

describe('bounded memory', () => {
  it('a 20 MB line goes out as it arrives (nothing waits for its end)', () => {
    const dec = new MboxDecoder('auto');
    dec.push(Buffer.from('From a\nX: 1\n\n'));
    const piece = Buffer.alloc(1 << 20, 'a');
    let out = 0;
    for (let i = 0; i < 20; i++) {
      for (const e of dec.push(Buffer.from(piece))) if (e.type === 'data') out += e.data.length;
      expect(out).toBeGreaterThanOrEqual((i + 1) * piece.length - 8);
    }
  });
});
