import { describe, expect, it } from 'vitest';
import { chooseEnvelope, extractAddresses, readMessageHeader, messageChunks, type MessageHeader } from '../../src/smtp/index.ts';

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
    expect(h).toMatchObject({ ok: false, error: 'malformed', line: 2 });
  });
});

describe('chooseEnvelope', () => {
  const header = (o: Partial<MessageHeader>): MessageHeader => ({ header: Buffer.alloc(0), bodyStart: Buffer.alloc(0), from: [], sender: [], to: [], cc: [], bcc: [], noBody: false, ...o });
  it('takes the flags first, else From (Sender when From names several, RFC 5322 §3.6.2) and To+Cc+Bcc once each', () => {
    expect(chooseEnvelope({ sender: 's@x.example', recipients: ['r@y.example'] }, header({ from: ['f@x.example'], to: ['t@y.example'] }))).toEqual({
      ok: true,
      value: { from: 's@x.example', recipients: ['r@y.example'] },
    });
    expect(chooseEnvelope({ recipients: [] }, header({ from: ['a@x.example', 'b@x.example'], sender: ['s@x.example'], to: ['t@y.example'], cc: ['t@y.example', 'c@y.example'], bcc: ['b@z.example'] }))).toEqual({
      ok: true,
      value: { from: 's@x.example', recipients: ['t@y.example', 'c@y.example', 'b@z.example'] },
    });
    expect(chooseEnvelope({ sender: '', recipients: ['r@y.example'] }, header({}))).toEqual({ ok: true, value: { from: '', recipients: ['r@y.example'] } });
  });
  it('says what is missing or wrong, with a closed kind', () => {
    expect(chooseEnvelope({ recipients: ['r@y.example'] }, header({}))).toMatchObject({ ok: false, error: 'no-sender' });
    expect(chooseEnvelope({ recipients: [] }, header({ from: ['a@x.example'] }))).toMatchObject({ ok: false, error: 'no-recipient' });
    expect(chooseEnvelope({ recipients: ['<r@y.example>'] }, header({ from: ['a@x.example'] }))).toEqual({ ok: false, error: 'bad-address', message: 'bad address: "<r@y.example>"' });
    expect(chooseEnvelope({ recipients: ['nobody'] }, header({ from: ['a@x.example'] }))).toMatchObject({ ok: false, error: 'bad-address' });
  });
});
