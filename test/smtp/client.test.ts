import { describe, expect, it } from 'vitest';
import {
  SmtpClient, SmtpServer, DotStuffer, type ClientAction, type ClientOptions, type ClientResult, type ServerOptions,
} from '../../src/smtp/index.ts';

const opts: ClientOptions = { hostname: 'me.test', tls: 'none', from: 'a@b.test', recipients: ['x@y.test', 'z@y.test'] };

/** A scripted server: each client write is answered by the next reply of the script. */
function scripted(client: SmtpClient, replies: string[], message = 'Subject: t\r\n\r\nhi\r\n'): { sent: string[]; result?: ClientResult; starttls: number } {
  const sent: string[] = [];
  let result: ClientResult | undefined;
  let starttls = 0;
  const queue = [...replies];
  const handle = (actions: ClientAction[]): void => {
    for (const a of actions) {
      if (a.type === 'write') sent.push(a.data);
      else if (a.type === 'starttls') {
        starttls++;
        handle(client.tlsStarted());
      } else if (a.type === 'send-data') {
        const s = new DotStuffer();
        sent.push(Buffer.concat([s.push(Buffer.from(message)), s.finish()]).toString());
        handle(client.dataSent());
      } else if (a.type === 'done') result = a.result;
    }
  };
  while (queue.length && !result) handle(client.push(Buffer.from(queue.shift()!)));
  return { sent, result, starttls };
}

describe('SmtpClient', () => {
  it('pipelines MAIL, RCPT and DATA when offered and reports per-recipient results', () => {
    const c = new SmtpClient({ ...opts, size: 20 });
    const r = scripted(c, [
      '220 mx ESMTP\r\n',
      '250-mx\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250-8BITMIME\r\n250 ENHANCEDSTATUSCODES\r\n',
      '250 2.1.0 ok\r\n250 2.1.5 ok\r\n550 5.1.1 no such user\r\n354 go\r\n',
      '250 2.0.0 Ok: queued as ABC\r\n',
      '221 bye\r\n',
    ]);
    expect(r.sent).toEqual([
      'EHLO me.test\r\n',
      'MAIL FROM:<a@b.test> SIZE=20 BODY=8BITMIME\r\nRCPT TO:<x@y.test>\r\nRCPT TO:<z@y.test>\r\nDATA\r\n',
      'Subject: t\r\n\r\nhi\r\n.\r\n',
      'QUIT\r\n',
    ]);
    expect(r.result?.ok).toBe(true);
    expect(r.result?.final?.lines[0]).toBe('Ok: queued as ABC');
    expect(r.result?.recipients.map((x) => [x.recipient, x.ok, x.reply.code])).toEqual([
      ['x@y.test', true, 250],
      ['z@y.test', false, 550],
    ]);
  });

  it('one command at a time without PIPELINING', () => {
    const c = new SmtpClient(opts);
    const r = scripted(c, ['220 mx\r\n', '250 mx\r\n', '250 ok\r\n', '250 ok\r\n', '250 ok\r\n', '354 go\r\n', '250 queued\r\n', '221 bye\r\n']);
    expect(r.sent.slice(0, 5)).toEqual(['EHLO me.test\r\n', 'MAIL FROM:<a@b.test>\r\n', 'RCPT TO:<x@y.test>\r\n', 'RCPT TO:<z@y.test>\r\n', 'DATA\r\n']);
    expect(r.result?.ok).toBe(true);
  });

  it('falls back to HELO when EHLO is refused', () => {
    const r = scripted(new SmtpClient({ ...opts, recipients: ['x@y'] }), ['220 mx\r\n', '502 no\r\n', '250 hi\r\n', '250 ok\r\n', '250 ok\r\n', '354 go\r\n', '250 ok\r\n', '221 bye\r\n']);
    expect(r.sent[1]).toBe('HELO me.test\r\n');
    expect(r.result?.ok).toBe(true);
  });

  it('STARTTLS then EHLO again; AUTH PLAIN after TLS', () => {
    const c = new SmtpClient({ ...opts, tls: 'starttls', auth: { user: 'joe', password: 'pw' }, recipients: ['x@y'] });
    const r = scripted(c, [
      '220 mx\r\n', '250-mx\r\n250 STARTTLS\r\n', '220 go ahead\r\n',
      '250-mx\r\n250-AUTH LOGIN PLAIN\r\n250 PIPELINING\r\n', '235 ok\r\n',
      '250 ok\r\n250 ok\r\n354 go\r\n', '250 queued\r\n', '221 bye\r\n',
    ]);
    expect(r.starttls).toBe(1);
    expect(r.sent.slice(0, 4)).toEqual(['EHLO me.test\r\n', 'STARTTLS\r\n', 'EHLO me.test\r\n', `AUTH PLAIN ${Buffer.from('\0joe\0pw').toString('base64')}\r\n`]);
    expect(r.result?.ok).toBe(true);
    expect(r.result?.secure).toBe(true);
  });

  it('ignores replies pipelined after the 220 to STARTTLS', () => {
    const c = new SmtpClient({ ...opts, tls: 'starttls' });
    c.push(Buffer.from('220 mx\r\n'));
    c.push(Buffer.from('250-mx\r\n250 STARTTLS\r\n'));
    const a = c.push(Buffer.from('220 go\r\n250 injected\r\n'));
    expect(a.map((x) => x.type)).toEqual(['starttls']);
  });

  it('refuses to go on in clear when STARTTLS is required but not offered', () => {
    const r = scripted(new SmtpClient({ ...opts, tls: 'starttls' }), ['220 mx\r\n', '250 mx\r\n', '221 bye\r\n']);
    expect(r.sent).toEqual(['EHLO me.test\r\n', 'QUIT\r\n']);
    expect(r.result?.failure?.kind).toBe('permanent');
    expect(r.result?.failure?.message).toMatch(/STARTTLS/);
  });

  it('opportunistic TLS goes on in clear when STARTTLS is absent', () => {
    const r = scripted(new SmtpClient({ ...opts, tls: 'opportunistic', recipients: ['x@y'] }), ['220 mx\r\n', '250 mx\r\n', '250 ok\r\n', '250 ok\r\n', '354 go\r\n', '250 ok\r\n', '221 bye\r\n']);
    expect(r.result?.ok).toBe(true);
    expect(r.result?.secure).toBe(false);
  });

  it('AUTH LOGIN with challenges, and an AUTH failure is permanent', () => {
    const c = new SmtpClient({ ...opts, auth: { user: 'joe', password: 'pw', mechanism: 'LOGIN' } });
    const r = scripted(c, ['220 mx\r\n', '250-mx\r\n250 AUTH PLAIN LOGIN\r\n', '334 VXNlcm5hbWU6\r\n', '334 UGFzc3dvcmQ6\r\n', '535 5.7.8 bad credentials\r\n', '221 bye\r\n']);
    expect(r.sent.slice(1)).toEqual(['AUTH LOGIN\r\n', 'am9l\r\n', 'cHc=\r\n', 'QUIT\r\n']);
    expect(r.result?.failure).toMatchObject({ kind: 'permanent', stage: 'AUTH' });
  });

  it('AUTH not offered (no TLS) fails before sending credentials', () => {
    const c = new SmtpClient({ ...opts, auth: { user: 'joe', password: 'pw' } });
    const r = scripted(c, ['220 mx\r\n', '250 mx\r\n', '221 bye\r\n']);
    expect(r.sent.join('')).not.toContain('AUTH');
    expect(r.result?.ok).toBe(false);
  });

  for (const [stage, script, kind] of [
    ['greeting', ['421 4.3.2 busy\r\n'], 'temporary'],
    ['greeting', ['554 go away\r\n'], 'permanent'],
    ['EHLO', ['220 mx\r\n', '421 closing\r\n'], 'temporary'],
    ['MAIL', ['220 mx\r\n', '250 mx\r\n', '451 4.3.0 try later\r\n', '221 bye\r\n'], 'temporary'],
    ['MAIL', ['220 mx\r\n', '250 mx\r\n', '553 5.1.8 bad sender\r\n', '221 bye\r\n'], 'permanent'],
    ['RCPT', ['220 mx\r\n', '250 mx\r\n', '250 ok\r\n', '450 4.2.1 busy\r\n', '221\r\n'], 'temporary'],
    ['RCPT', ['220 mx\r\n', '250 mx\r\n', '250 ok\r\n', '550 5.1.1 unknown\r\n', '221\r\n'], 'permanent'],
    ['DATA', ['220 mx\r\n', '250 mx\r\n', '250 ok\r\n', '250 ok\r\n', '451 4.3.0 no\r\n', '221\r\n'], 'temporary'],
    ['DATA', ['220 mx\r\n', '250 mx\r\n', '250 ok\r\n', '250 ok\r\n', '354 go\r\n', '554 5.7.1 spam\r\n', '221\r\n'], 'permanent'],
    ['DATA', ['220 mx\r\n', '250 mx\r\n', '250 ok\r\n', '250 ok\r\n', '354 go\r\n', '452 4.3.1 full\r\n', '221\r\n'], 'temporary'],
  ] as const) {
    it(`${kind} failure at ${stage}: ${script.at(-2)?.trim() ?? script[0].trim()}`, () => {
      const r = scripted(new SmtpClient({ ...opts, recipients: ['x@y'] }), [...script]);
      expect(r.result?.ok).toBe(false);
      expect(r.result?.failure).toMatchObject({ kind, stage });
      if (stage !== 'greeting' && !(script as readonly string[]).includes('421 closing\r\n')) expect(r.sent.at(-1)).toBe('QUIT\r\n');
    });
  }

  it('pipelined: all recipients refused but DATA got 354 -> sends only the terminator', () => {
    const r = scripted(new SmtpClient({ ...opts, recipients: ['x@y'] }), ['220 mx\r\n', '250-mx\r\n250 PIPELINING\r\n', '250 ok\r\n550 no\r\n354 go\r\n', '250 ok\r\n', '221\r\n']);
    expect(r.sent[2]).toBe('.\r\n');
    expect(r.result?.failure).toMatchObject({ kind: 'permanent', stage: 'RCPT' });
  });

  it('a server that hangs up after accepting the message instead of answering QUIT: delivered', () => {
    const c = new SmtpClient({ ...opts, recipients: ['x@y'] });
    const r = scripted(c, ['220 mx\r\n', '250 mx\r\n', '250 ok\r\n', '250 ok\r\n', '354 go\r\n', '250 queued\r\n']);
    expect(r.result).toBeUndefined();
    const done = c.closed();
    expect(done).toMatchObject([{ type: 'done', result: { ok: true } }]);
  });
  it('a hang-up before the final reply is a temporary failure', () => {
    const c = new SmtpClient({ ...opts, recipients: ['x@y'] });
    scripted(c, ['220 mx\r\n', '250 mx\r\n', '250 ok\r\n']);
    expect(c.closed()).toMatchObject([{ type: 'done', result: { ok: false, failure: { kind: 'temporary' } } }]);
  });

  it('a malformed reply is a protocol failure', () => {
    const r = scripted(new SmtpClient(opts), ['hello there\r\n']);
    expect(r.result?.failure?.kind).toBe('protocol');
  });
});

describe('SmtpClient against SmtpServer (in memory)', () => {
  function converse(client: SmtpClient, server: SmtpServer, message: Buffer, chunk = 7): { result?: ClientResult; stored: Buffer[] } {
    const stored: Buffer[] = [];
    let current: Buffer[] = [];
    let result: ClientResult | undefined;
    const toServer = (data: Buffer): void => {
      for (let i = 0; i < data.length; i += chunk) serverActions(server.push(data.subarray(i, i + chunk)));
    };
    const serverActions = (actions: ReturnType<SmtpServer['push']>): void => {
      for (const a of actions) {
        if (a.type === 'write') clientActions(client.push(Buffer.from(a.data)));
        else if (a.type === 'starttls') {
          // The handshake itself is the client's move below (synchronous here).
        } else if (a.type === 'message-start') current = [];
        else if (a.type === 'message-data') current.push(Buffer.from(a.data));
        else if (a.type === 'message-end') {
          stored.push(Buffer.concat(current));
          serverActions(server.messageStored(true, 'queued'));
        }
      }
    };
    const clientActions = (actions: ClientAction[]): void => {
      for (const a of actions) {
        if (a.type === 'write') toServer(Buffer.from(a.data));
        else if (a.type === 'starttls') {
          server.tlsStarted();
          clientActions(client.tlsStarted());
        } else if (a.type === 'send-data') {
          const s = new DotStuffer();
          for (let i = 0; i < message.length; i += 5) toServer(s.push(message.subarray(i, i + 5)));
          const fin = s.finish();
          clientActions(client.dataSent());
          toServer(fin);
        } else if (a.type === 'done') result = a.result;
      }
    };
    serverActions(server.greeting());
    return { result, stored };
  }

  const serverOpts: ServerOptions = { hostname: 'mx', maxSize: 10000, tlsAvailable: true, authenticate: (u, p) => u === 'u' && p === 'p' };
  const message = Buffer.from('From: a@b\r\nSubject: dots\r\n\r\n.\r\n..\r\n.x\r\nlast line without CRLF? no\r\n');

  it('STARTTLS, AUTH, pipelined envelope, dot-stuffed data: the stored bytes are the message', () => {
    for (const mechanism of ['PLAIN', 'LOGIN'] as const) {
      const client = new SmtpClient({ hostname: 'c', tls: 'starttls', auth: { user: 'u', password: 'p', mechanism }, from: 'a@b', recipients: ['x@y', 'z@y'] });
      const { result, stored } = converse(client, new SmtpServer(serverOpts), message);
      expect(result?.ok).toBe(true);
      expect(result?.secure).toBe(true);
      expect(stored).toEqual([message]);
    }
  });

  it('wrong password: nothing stored, permanent failure', () => {
    const client = new SmtpClient({ hostname: 'c', tls: 'starttls', auth: { user: 'u', password: 'no' }, from: 'a@b', recipients: ['x@y'] });
    const { result, stored } = converse(client, new SmtpServer(serverOpts), message);
    expect(result?.failure).toMatchObject({ kind: 'permanent', stage: 'AUTH' });
    expect(stored).toEqual([]);
  });

  it('a message over the server SIZE is refused before sending (SIZE parameter)', () => {
    const client = new SmtpClient({ hostname: 'c', tls: 'none', from: 'a@b', recipients: ['x@y'], size: 20000 });
    const { result } = converse(client, new SmtpServer({ ...serverOpts, authenticate: undefined }), message);
    expect(result?.failure).toMatchObject({ kind: 'permanent', stage: 'MAIL' });
  });
});
