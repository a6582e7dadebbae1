import { describe, expect, it } from 'vitest';
import { extractAddresses, readMessageHeader, messageChunks } from '../../src/smtp/index.ts';

async function* chunks(s: string, size = 3): AsyncGenerator<Buffer> {
  for (let i = 0; i < s.length; i += size) yield Buffer.from(s.slice(i, i + size));
}

describe('extractAddresses', () => {
  it('handles display names, quotes with commas, comments, groups and routes', () => {
    expect(extractAddresses('Alice <alice@example.org>, bob@example.net')).toEqual(['alice@example.org', 'bob@example.net']);
    expect(extractAddresses('"Doe, John" <j@example.net> (work, mostly), x@y.example (X)')).toEqual(['j@example.net', 'x@y.example']);
    expect(extractAddresses('team: a@b.example, "C" <c@d.example>; e@f.example')).toEqual(['a@b.example', 'c@d.example', 'e@f.example']);
    expect(extractAddresses('undisclosed-recipients:;')).toEqual([]);
    expect(extractAddresses('<@relay.example:u@d.example>')).toEqual(['u@d.example']);
    expect(extractAddresses('"odd <name>" <q@r.example>')).toEqual(['q@r.example']);
    expect(extractAddresses('Jörg <jörg@exämple.org>')).toEqual(['jörg@exämple.org']);
  });
});

describe('readMessageHeader', () => {
  it('reads the header from any chunking, strips Bcc, keeps everything else byte for byte', async () => {
    const msg = 'From: A <a@b.example>\r\nBcc: hidden@x.example,\r\n other@x.example\r\nTo: c@d.example\r\nX-Folded: one\r\n two\r\n\r\nbody\r\n.\r\n';
    for (const size of [1, 2, 7, 1000]) {
      const it = chunks(msg, size);
      const h = await readMessageHeader(it);
      expect(h.ok).toBe(true);
      if (!h.ok) return;
      expect(h.value.from).toEqual(['a@b.example']);
      expect(h.value.to).toEqual(['c@d.example']);
      expect(h.value.bcc).toEqual(['hidden@x.example', 'other@x.example']);
      const out: Buffer[] = [];
      for await (const c of messageChunks(h.value, it)) out.push(c);
      expect(Buffer.concat(out).toString()).toBe(msg.replace('Bcc: hidden@x.example,\r\n other@x.example\r\n', ''));
    }
  });
  it('a malformed header line is an error value naming the line', async () => {
    const h = await readMessageHeader(chunks('From: a@b.example\r\nnot a field\r\n\r\nbody\r\n'));
    expect(h).toMatchObject({ ok: false, error: expect.stringMatching(/^line 2: /) });
  });
});
