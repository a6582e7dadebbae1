// src/smtp/dry-run.ts: the client against a played agreeable server, no
// socket (what `submit -` and `send --mx -` print). The expected dialogues
// follow RFC 5321 §3.3 (MAIL, RCPT, DATA), RFC 3207 (STARTTLS, then EHLO
// again), RFC 4954 (AUTH PLAIN with the secret hidden) and RFC 5321 §4.5.2
// (dot-stuffing), RFC 6152 (BODY=8BITMIME, as the server offers 8BITMIME).
import { describe, expect, it } from 'vitest';
import { dryRunDialogue } from '../../src/smtp/index.ts';

async function* body(): AsyncGenerator<Buffer> {
  yield Buffer.from('Subject: x\r\n\r\n.leading dot\r\n');
}

describe('dryRunDialogue', () => {
  it('plain: EHLO, MAIL, RCPT, DATA, the dot-stuffed message, QUIT', async () => {
    const r = await dryRunDialogue({ hostname: 'client.example', tls: 'none', from: 'a@x.example', recipients: ['b@y.example'] }, body);
    expect(Buffer.concat(r.transcript).toString()).toBe(
      'EHLO client.example\r\nMAIL FROM:<a@x.example> BODY=8BITMIME\r\nRCPT TO:<b@y.example>\r\nDATA\r\nSubject: x\r\n\r\n..leading dot\r\n.\r\nQUIT\r\n',
    );
    expect(r.result?.ok).toBe(true);
  });
  it('STARTTLS then EHLO again; AUTH PLAIN shown without the secret', async () => {
    const r = await dryRunDialogue(
      { hostname: 'client.example', tls: 'starttls', from: 'a@x.example', recipients: ['b@y.example'], auth: { user: 'a@x.example', password: 'secret', mechanism: 'PLAIN' } },
      body,
    );
    const text = Buffer.concat(r.transcript).toString();
    expect(text.split('\r\n').slice(0, 4)).toEqual(['EHLO client.example', 'STARTTLS', 'EHLO client.example', expect.stringMatching(/^AUTH PLAIN/)]);
    expect(text).not.toContain(Buffer.from('\0a@x.example\0secret').toString('base64'));
    expect(r.result?.ok).toBe(true);
  });
});
