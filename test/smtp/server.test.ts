import { describe, expect, it } from 'vitest';
import { SmtpServer, type ServerAction, type ServerOptions } from '../../src/smtp/index.ts';

const base: ServerOptions = { hostname: 'mx.test', maxSize: 1000, tlsAvailable: true };

/** Feeds bytes and collects what the server writes plus the message events; stores succeed at once. */
class Harness {
  written = '';
  messages: Array<{ from: string; rcpts: string[]; data: string }> = [];
  events: string[] = [];
  private current = '';
  constructor(readonly s: SmtpServer) {
    this.apply(s.greeting());
  }
  send(text: string | Buffer): string {
    const before = this.written.length;
    this.apply(this.s.push(Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8')));
    return this.written.slice(before);
  }
  private apply(actions: ServerAction[]): void {
    for (const a of actions) {
      this.events.push(a.type);
      if (a.type === 'write') this.written += a.data;
      else if (a.type === 'message-start') this.current = '';
      else if (a.type === 'message-data') this.current += a.data.toString('latin1');
      else if (a.type === 'message-end') {
        this.messages.push({ from: a.envelope.from, rcpts: a.envelope.recipients, data: this.current });
        this.apply(this.s.messageStored(true, 'queued as Q1'));
      }
    }
  }
}

const codes = (out: string): number[] => out.split('\r\n').filter((l) => /^\d{3} /.test(l)).map((l) => Number(l.slice(0, 3)));

describe('SmtpServer dialogue', () => {
  it('a plain transaction, one command at a time', () => {
    const h = new Harness(new SmtpServer(base));
    expect(h.written).toBe('220 mx.test ESMTP blaze\r\n');
    const ehlo = h.send('EHLO client.test\r\n');
    expect(ehlo).toContain('250-PIPELINING\r\n');
    expect(ehlo).toContain('250-SIZE 1000\r\n');
    expect(ehlo).toContain('250-STARTTLS\r\n');
    expect(ehlo).not.toContain('AUTH');
    expect(h.send('MAIL FROM:<a@b.test> BODY=8BITMIME\r\n')).toBe('250 2.1.0 Ok\r\n');
    expect(h.send('RCPT TO:<c@d.test>\r\n')).toBe('250 2.1.5 Ok\r\n');
    expect(h.send('DATA\r\n')).toBe('354 End data with <CR><LF>.<CR><LF>\r\n');
    expect(h.send('Subject: x\r\n\r\n..hi\r\n.\r\n')).toBe('250 2.0.0 Ok: queued as Q1\r\n');
    expect(h.messages).toEqual([{ from: 'a@b.test', rcpts: ['c@d.test'], data: 'Subject: x\r\n\r\n.hi\r\n' }]);
    expect(h.send('QUIT\r\n')).toBe('221 2.0.0 mx.test closing connection\r\n');
    expect(h.events.at(-1)).toBe('close');
  });

  it('answers a pipelined batch in order, in one go, including commands after the data', () => {
    const h = new Harness(new SmtpServer(base));
    const out = h.send('EHLO c\r\nMAIL FROM:<a@b>\r\nRCPT TO:<x@y>\r\nRCPT TO:<bad>\r\nRCPT TO:<z@y>\r\nDATA\r\nhello\r\n.\r\nMAIL FROM:<>\r\nRCPT TO:<p@q>\r\nDATA\r\n.\r\nQUIT\r\n');
    expect(codes(out)).toEqual([250, 250, 250, 501, 250, 354, 250, 250, 250, 354, 250, 221]);
    expect(h.messages.map((m) => [m.from, m.rcpts, m.data])).toEqual([
      ['a@b', ['x@y', 'z@y'], 'hello\r\n'],
      ['', ['p@q'], ''],
    ]);
  });

  it('holds pipelined input while the message is being stored', () => {
    const s = new SmtpServer(base);
    s.greeting();
    s.push(Buffer.from('EHLO c\r\nMAIL FROM:<a@b>\r\nRCPT TO:<x@y>\r\n'));
    const a = s.push(Buffer.from('DATA\r\nbody\r\n.\r\nNOOP\r\n'));
    expect(a.map((x) => x.type)).toEqual(['message-start', 'write', 'message-data', 'message-end']);
    expect(s.push(Buffer.from('QUIT\r\n'))).toEqual([]);
    const b = s.messageStored(false, 'disk full');
    expect(b.filter((x) => x.type === 'write').map((x) => (x as { data: string }).data)).toEqual([
      '451 4.3.0 Error storing the message: disk full\r\n',
      '250 2.0.0 Ok\r\n',
      '221 2.0.0 mx.test closing connection\r\n',
    ]);
  });

  it('rejects bad sequences with 503 and unknown commands with 500', () => {
    const h = new Harness(new SmtpServer(base));
    expect(codes(h.send('MAIL FROM:<a@b>\r\n'))).toEqual([503]);
    expect(codes(h.send('EHLO\r\n'))).toEqual([501]);
    expect(codes(h.send('HELO c\r\nRCPT TO:<x@y>\r\nDATA\r\n'))).toEqual([250, 503, 503]);
    expect(codes(h.send('MAIL FROM:<a@b>\r\nMAIL FROM:<a@b>\r\nDATA\r\n'))).toEqual([250, 503, 554]);
    expect(codes(h.send('FROB\r\nVRFY x\r\nEXPN x\r\nNOOP\r\nRSET\r\nRCPT TO:<x@y>\r\n'))).toEqual([500, 252, 502, 250, 250, 503]);
  });

  it('5xx for bad parameters, SIZE over the limit, non-ASCII without SMTPUTF8', () => {
    const h = new Harness(new SmtpServer(base));
    h.send('EHLO c\r\n');
    expect(h.send('MAIL FROM:<a@b> SIZE=5000\r\n')).toBe('552 5.3.4 Message size exceeds fixed maximum message size (1000)\r\n');
    expect(codes(h.send('MAIL FROM:<a@b> FOO=1\r\n'))).toEqual([555]);
    expect(codes(h.send('MAIL FROM:<a@b> BODY=9BIT\r\n'))).toEqual([501]);
    expect(codes(h.send('MAIL FROM:<jös@b>\r\n'))).toEqual([553]);
    expect(codes(h.send('MAIL FROM:<jös@b> SMTPUTF8\r\nRCPT TO:<ü@x>\r\n'))).toEqual([250, 250]);
  });

  it('552 for DATA beyond the maximum, counted while streaming; the connection survives', () => {
    const h = new Harness(new SmtpServer(base));
    h.send('EHLO c\r\nMAIL FROM:<a@b>\r\nRCPT TO:<x@y>\r\nDATA\r\n');
    for (let i = 0; i < 30; i++) expect(h.send('x'.repeat(98) + '\r\n')).toBe('');
    expect(h.events).toContain('message-abort');
    expect(h.send('.\r\n')).toBe('552 5.3.4 Message size exceeds fixed maximum message size (1000)\r\n');
    expect(h.messages).toEqual([]);
    expect(codes(h.send('MAIL FROM:<a@b>\r\nRCPT TO:<x@y>\r\nDATA\r\nsmall\r\n.\r\n'))).toEqual([250, 250, 354, 250]);
  });

  it('500 for a command line over 512 bytes, without holding it', () => {
    const h = new Harness(new SmtpServer(base));
    expect(codes(h.send('NOOP ' + 'x'.repeat(600) + '\r\n'))).toEqual([500]);
    expect(codes(h.send('x'.repeat(5_000_000)))).toEqual([]);
    expect(codes(h.send('y\r\nNOOP\r\n'))).toEqual([500, 250]);
  });

  it('closes with 421 after too many errors', () => {
    const h = new Harness(new SmtpServer({ ...base, maxErrors: 3 }));
    const out = h.send('A\r\nB\r\nC\r\nD\r\n');
    expect(codes(out)).toEqual([500, 500, 500, 421]);
    expect(h.events.at(-1)).toBe('close');
  });
});

describe('SmtpServer STARTTLS', () => {
  it('discards plaintext pipelined after STARTTLS and forgets the session (CVE-2011-0411)', () => {
    const s = new SmtpServer(base);
    const h = new Harness(s);
    h.send('EHLO c\r\n');
    const out = h.send('STARTTLS\r\nMAIL FROM:<evil@x>\r\nRCPT TO:<v@y>\r\n');
    expect(out).toBe('220 2.0.0 Ready to start TLS\r\n');
    expect(h.events.at(-1)).toBe('starttls');
    expect(h.send('RSET\r\n')).toBe(''); // still waiting for the handshake
    s.tlsStarted();
    // The injected MAIL is gone, and so is the EHLO: MAIL needs a new greeting.
    expect(codes(h.send('MAIL FROM:<a@b>\r\n'))).toEqual([503]);
    const ehlo = h.send('EHLO c\r\n');
    expect(ehlo).not.toContain('STARTTLS');
    expect(codes(h.send('STARTTLS\r\n'))).toEqual([503]);
  });
  it('502 when no certificate is configured', () => {
    const h = new Harness(new SmtpServer({ ...base, tlsAvailable: false }));
    expect(h.send('EHLO c\r\n')).not.toContain('STARTTLS');
    expect(codes(h.send('STARTTLS\r\n'))).toEqual([502]);
  });
});

describe('SmtpServer AUTH', () => {
  const authOpts = { ...base, authenticate: (u: string, p: string) => u === 'joe' && p === 's3cret' };
  const plain = (u: string, p: string) => Buffer.from(`\0${u}\0${p}`).toString('base64');

  it('refuses AUTH before TLS (538), and does not advertise it', () => {
    const h = new Harness(new SmtpServer(authOpts));
    expect(h.send('EHLO c\r\n')).not.toContain('AUTH');
    expect(codes(h.send(`AUTH PLAIN ${plain('joe', 's3cret')}\r\n`))).toEqual([538]);
    expect(codes(h.send('MAIL FROM:<a@b>\r\n'))).toEqual([530]);
  });
  it('PLAIN with an initial response, after TLS', () => {
    const s = new SmtpServer(authOpts);
    const h = new Harness(s);
    h.send('EHLO c\r\nSTARTTLS\r\n');
    s.tlsStarted();
    expect(h.send('EHLO c\r\n')).toContain('250-AUTH PLAIN LOGIN\r\n');
    expect(h.send(`AUTH PLAIN ${plain('joe', 'wrong')}\r\n`)).toBe('535 5.7.8 Authentication credentials invalid\r\n');
    expect(h.send(`AUTH PLAIN ${plain('joe', 's3cret')}\r\n`)).toBe('235 2.7.0 Authentication successful\r\n');
    expect(codes(h.send(`AUTH PLAIN ${plain('joe', 's3cret')}\r\n`))).toEqual([503]);
    expect(codes(h.send('MAIL FROM:<a@b>\r\n'))).toEqual([250]);
  });
  it('PLAIN: an authzid other than the user is refused, a malformed response gets 501', () => {
    const h = new Harness(new SmtpServer({ ...authOpts, allowInsecureAuth: true }));
    h.send('EHLO c\r\n');
    expect(codes(h.send(`AUTH PLAIN ${Buffer.from('admin\0joe\0s3cret').toString('base64')}\r\n`))).toEqual([535]);
    expect(codes(h.send(`AUTH PLAIN ${Buffer.from('joe:s3cret').toString('base64')}\r\n`))).toEqual([501]);
    expect(codes(h.send(`AUTH PLAIN ${Buffer.from('joe\0joe\0s3cret').toString('base64')}\r\n`))).toEqual([235]);
  });
  it('PLAIN and LOGIN with challenges, cancellation and bad base64', () => {
    const h = new Harness(new SmtpServer({ ...authOpts, allowInsecureAuth: true }));
    h.send('EHLO c\r\n');
    expect(h.send('AUTH PLAIN\r\n')).toBe('334 \r\n');
    expect(h.send('*\r\n')).toBe('501 5.0.0 Authentication cancelled\r\n');
    expect(h.send('AUTH LOGIN\r\n')).toBe('334 VXNlcm5hbWU6\r\n');
    expect(h.send('!!!\r\n')).toBe('501 5.5.2 Cannot decode response\r\n');
    expect(codes(h.send('AUTH CRAM-MD5\r\n'))).toEqual([504]);
    expect(h.send('AUTH LOGIN\r\n')).toBe('334 VXNlcm5hbWU6\r\n');
    expect(h.send(Buffer.from('joe').toString('base64') + '\r\n')).toBe('334 UGFzc3dvcmQ6\r\n');
    expect(h.send(Buffer.from('s3cret').toString('base64') + '\r\n')).toBe('235 2.7.0 Authentication successful\r\n');
  });
});

describe('SmtpServer and SmtpClient on random input (property)', () => {
  it('never throw, whatever the bytes, in any state', async () => {
    const fc = (await import('fast-check')).default;
    const { SmtpClient } = await import('../../src/smtp/index.ts');
    const prefix = fc.constantFrom('', 'EHLO x\r\n', 'EHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n', 'EHLO x\r\nAUTH LOGIN\r\n', 'EHLO x\r\nSTARTTLS\r\n');
    const bytes = fc.uint8Array({ maxLength: 2000 });
    fc.assert(
      fc.property(prefix, fc.array(bytes, { maxLength: 5 }), (p, chunks) => {
        const s = new SmtpServer({ ...base, authenticate: () => false, allowInsecureAuth: true });
        s.greeting();
        const acts = s.push(Buffer.from(p));
        for (const c of chunks) {
          const a = s.push(Buffer.from(c));
          if (a.some((x) => x.type === 'message-end') || acts.some((x) => x.type === 'message-end')) s.messageStored(true);
        }
        const c = new SmtpClient({ hostname: 'h', tls: 'starttls', from: 'a@b', recipients: ['c@d'] });
        for (const ch of chunks) c.push(Buffer.from(ch));
        c.closed();
      }),
      { numRuns: 300 },
    );
  });
});
