// The POP3 client state machine, driven by scripted server bytes (no
// sockets): login methods, STLS, listings, streamed retrieval with
// byte-stuffing split anywhere, DELE only after `stored`, and the failure
// kinds. Expected commands come from RFC 1939/2449/2595/5034.
import { describe, expect, it } from 'vitest';
import { Pop3Client, type Pop3Action, type Pop3ClientOptions, type Pop3Result } from '../../src/pop3/client.ts';
import { apopDigest, apopTimestamp, parseStatus, parseUidlLine, parseCapabilities } from '../../src/pop3/codec.ts';
import { parsePop3Url } from '../../src/pop3/url.ts';
import { parseState } from '../../src/pop3/uid-state.ts';

const CAPA = '+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nUSER\r\nSASL PLAIN LOGIN\r\n.\r\n';

/** A session: server replies to each client command, in order; records commands and events. */
class Script {
  readonly sent: string[] = [];
  readonly messages: Array<{ uid: string; data: string }> = [];
  result: Pop3Result | undefined;
  private cur: { uid: string; parts: Buffer[] } | undefined;
  constructor(readonly c: Pop3Client) {}

  feed(text: string | Buffer, chunk = 0): Pop3Action[] {
    const b = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
    const actions: Pop3Action[] = [];
    if (chunk <= 0) actions.push(...this.c.push(b));
    else for (let i = 0; i < b.length; i += chunk) actions.push(...this.c.push(Buffer.from(b.subarray(i, i + chunk))));
    return this.take(actions);
  }

  take(actions: Pop3Action[]): Pop3Action[] {
    for (const a of actions) {
      if (a.type === 'write') this.sent.push(a.trace);
      else if (a.type === 'message-start') this.cur = { uid: a.message.uid, parts: [] };
      else if (a.type === 'message-data') this.cur!.parts.push(a.data);
      else if (a.type === 'message-end') {
        this.messages.push({ uid: this.cur!.uid, data: Buffer.concat(this.cur!.parts).toString('latin1') });
        this.cur = undefined;
      } else if (a.type === 'done') this.result = a.result;
    }
    return actions;
  }
}

function client(over: Partial<Pop3ClientOptions> = {}): Script {
  return new Script(new Pop3Client({ user: 'alice', password: 'secret', tls: 'implicit', wanted: () => true, delete: false, ...over }));
}

function login(s: Script, greeting = '+OK ready\r\n'): void {
  s.feed(greeting);
  s.feed(CAPA);
  s.feed('+OK Logged in.\r\n');
}

describe('codec', () => {
  it('APOP digest of RFC 1939 §7', () => {
    expect(apopTimestamp('+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>')).toBe('<1896.697170952@dbc.mtview.ca.us>');
    expect(apopDigest('<1896.697170952@dbc.mtview.ca.us>', 'tanstaaf')).toBe('c4c9334bac560ecc979e58001b3e22fb');
    expect(apopTimestamp('+OK Dovecot ready.')).toBeUndefined();
  });

  it('status lines with RFC 2449 response codes', () => {
    expect(parseStatus('-ERR [AUTH] Authentication failed.')).toEqual({ ok: false, code: 'AUTH', text: 'Authentication failed.' });
    expect(parseStatus('+OK')).toEqual({ ok: true, code: undefined, text: '' });
    expect(parseStatus('-ERR [sys/temp] later')).toMatchObject({ code: 'SYS/TEMP' });
    expect(parseStatus('* BYE')).toBeUndefined();
  });

  it('UIDL lines: 1 to 70 printable characters', () => {
    expect(parseUidlLine('1 000000016b167adc')).toEqual({ n: 1, uid: '000000016b167adc' });
    expect(parseUidlLine('2 ' + 'x'.repeat(71))).toBeUndefined();
    expect(parseUidlLine('x abc')).toBeUndefined();
    expect(parseCapabilities(['SASL PLAIN LOGIN', 'stls']).get('STLS')).toEqual([]);
  });

  it('URLs: the last @ ends the user, %-escapes decoded, default ports', () => {
    expect(parsePop3Url('pop3s://alice@example.org@mail.example.org')).toEqual({
      ok: true,
      url: { secure: true, user: 'alice@example.org', host: 'mail.example.org', port: 995 },
    });
    expect(parsePop3Url('pop3://bob%40x.org@[::1]:1110/')).toEqual({ ok: true, url: { secure: false, user: 'bob@x.org', host: '::1', port: 1110 } });
    expect(parsePop3Url('imap://x@y').ok).toBe(false);
    expect(parsePop3Url('pop3://x@y:99999').ok).toBe(false);
  });

  it('state files: complete lines only (a write cut by a crash is not trusted)', () => {
    expect([...parseState('# comment\nabc 100\ndef 200\nghi').keys()]).toEqual(['abc', 'def']);
    expect(parseState('abc\n').get('abc')).toBe(0);
  });
});

describe('login', () => {
  it('SASL PLAIN with an initial response when offered (over TLS)', () => {
    const s = client();
    s.feed('+OK ready\r\n');
    expect(s.sent).toEqual(['CAPA']);
    s.feed(CAPA);
    expect(s.sent.at(-1)).toBe('AUTH PLAIN <credentials>');
    const write = s.c.push(Buffer.from('+OK Logged in.\r\n'));
    expect(write).toEqual([{ type: 'write', data: 'UIDL\r\n', trace: 'UIDL' }]);
  });

  it('the PLAIN response sends \\0user\\0password in base64 (RFC 4616)', () => {
    const c = new Pop3Client({ user: 'alice', password: 'secret', tls: 'implicit', wanted: () => true, delete: false });
    c.push(Buffer.from('+OK\r\n'));
    const a = c.push(Buffer.from(CAPA));
    expect(a).toEqual([{ type: 'write', data: `AUTH PLAIN ${Buffer.from('\0alice\0secret').toString('base64')}\r\n`, trace: 'AUTH PLAIN <credentials>' }]);
  });

  it('USER/PASS when there is no SASL PLAIN; the password never in the trace', () => {
    const s = client();
    s.feed('+OK\r\n');
    s.feed('+OK\r\nUSER\r\n.\r\n');
    s.feed('+OK\r\n');
    expect(s.sent).toEqual(['CAPA', 'USER alice', 'PASS <password>']);
  });

  it('APOP first without TLS when the greeting has a timestamp; forced with --auth', () => {
    const s = client({ tls: 'none' });
    s.feed('+OK ready <1896.697170952@dbc.mtview.ca.us>\r\n');
    const a = s.feed(CAPA);
    expect(a).toEqual([{ type: 'write', data: 'APOP alice ' + apopDigest('<1896.697170952@dbc.mtview.ca.us>', 'secret') + '\r\n', trace: 'APOP alice <digest>' }]);
    const f = client({ auth: 'apop' });
    f.feed('+OK no timestamp\r\n');
    f.feed(CAPA);
    expect(f.sent.at(-1)).toBe('QUIT');
    f.feed('+OK\r\n');
    expect(f.result?.failure).toMatchObject({ kind: 'permanent', message: 'the server offers no APOP (no timestamp in its greeting)' });
  });

  it('a server without CAPA (RFC 1939 only) gets USER/PASS', () => {
    const s = client();
    s.feed('+OK\r\n');
    s.feed('-ERR unknown command\r\n');
    expect(s.sent).toEqual(['CAPA', 'USER alice']);
  });

  it('wrong password: an auth failure, then QUIT', () => {
    const s = client();
    s.feed('+OK\r\n');
    s.feed(CAPA);
    s.feed('-ERR [AUTH] Authentication failed.\r\n');
    expect(s.sent.at(-1)).toBe('QUIT');
    s.feed('+OK bye\r\n');
    expect(s.result).toMatchObject({ ok: false, failure: { kind: 'auth', message: 'login: -ERR [AUTH] Authentication failed.' } });
  });

  it('IN-USE and SYS/TEMP are temporary; SYS/PERM permanent', () => {
    for (const [code, kind] of [['IN-USE', 'temporary'], ['SYS/TEMP', 'temporary'], ['SYS/PERM', 'permanent']]) {
      const s = client();
      s.feed('+OK\r\n');
      s.feed(CAPA);
      s.feed(`-ERR [${code}] no\r\n`);
      s.take(s.c.closed());
      expect(s.result?.failure?.kind).toBe(kind);
    }
  });
});

describe('STLS', () => {
  it('upgrades before login, ignores bytes after +OK, asks CAPA again', () => {
    const s = client({ tls: 'starttls' });
    s.feed('+OK\r\n');
    s.feed('+OK\r\nSTLS\r\nUSER\r\n.\r\n');
    expect(s.sent.at(-1)).toBe('STLS');
    const a = s.feed('+OK Begin TLS\r\n+OK injected\r\n');
    expect(a.map((x) => x.type)).toEqual(['starttls']);
    expect(s.c.isSecure).toBe(false);
    s.take(s.c.tlsStarted());
    expect(s.c.isSecure).toBe(true);
    expect(s.sent.at(-1)).toBe('CAPA');
    s.feed(CAPA);
    expect(s.sent.at(-1)).toBe('AUTH PLAIN <credentials>');
  });

  it('refuses to log in when STLS is not offered', () => {
    const s = client({ tls: 'starttls' });
    s.feed('+OK\r\n');
    s.feed(CAPA);
    expect(s.sent).toEqual(['CAPA', 'QUIT']);
    s.feed('+OK\r\n');
    expect(s.result?.failure).toMatchObject({ kind: 'tls' });
  });
});

describe('retrieval', () => {
  const listing = '+OK\r\n1 uid-one\r\n2 uid-two\r\n3 uid-three\r\n.\r\n';
  const sizes = '+OK 3 messages\r\n1 30\r\n2 40\r\n3 50\r\n.\r\n';
  const m1 = 'Subject: one\r\n\r\n..dot stuffed\r\nFrom x\r\n';

  it('retrieves the wanted messages, unstuffed, one at a time, whatever the chunking', () => {
    for (const chunk of [0, 1, 2, 3, 5]) {
      const s = client({ wanted: (u) => u !== 'uid-two' });
      login(s);
      s.feed(listing);
      const listed = s.feed(sizes).find((a) => a.type === 'listed');
      expect(listed).toMatchObject({ messages: [{ n: 1, uid: 'uid-one', size: 30 }, { n: 2, uid: 'uid-two', size: 40 }, { n: 3, uid: 'uid-three', size: 50 }] });
      expect(s.sent.at(-1)).toBe('RETR 1');
      s.feed(`+OK 30 octets\r\n${m1}.\r\n`, chunk);
      expect(s.messages).toEqual([{ uid: 'uid-one', data: 'Subject: one\r\n\r\n.dot stuffed\r\nFrom x\r\n' }]);
      // Nothing more is asked until the message is stored.
      expect(s.sent.at(-1)).toBe('RETR 1');
      s.take(s.c.stored(true));
      expect(s.sent.at(-1)).toBe('RETR 3');
      s.feed('+OK\r\nSubject: three\r\n\r\nbody\r\n.\r\n', chunk);
      s.take(s.c.stored(true));
      expect(s.sent.at(-1)).toBe('QUIT');
      s.feed('+OK bye\r\n');
      expect(s.result).toMatchObject({ ok: true, retrieved: 2, deleted: 0 });
    }
  });

  it('--delete: DELE each message only after it is stored', () => {
    const s = client({ delete: true });
    login(s);
    s.feed('+OK\r\n1 a\r\n.\r\n');
    s.feed('+OK\r\n1 10\r\n.\r\n');
    s.feed('+OK\r\nX: 1\r\n\r\n.\r\n');
    expect(s.sent.at(-1)).toBe('RETR 1');
    s.take(s.c.stored(true));
    expect(s.sent.at(-1)).toBe('DELE 1');
    s.feed('+OK deleted\r\n');
    expect(s.sent.at(-1)).toBe('QUIT');
    s.feed('+OK\r\n');
    expect(s.result).toMatchObject({ ok: true, retrieved: 1, deleted: 1 });
  });

  it('a message that could not be stored is not deleted: QUIT, storage failure', () => {
    const s = client({ delete: true });
    login(s);
    s.feed('+OK\r\n1 a\r\n.\r\n');
    s.feed('+OK\r\n.\r\n');
    s.feed('+OK\r\nX: 1\r\n\r\n.\r\n');
    s.take(s.c.stored(false, 'no space left on device'));
    expect(s.sent.at(-1)).toBe('QUIT');
    expect(s.sent).not.toContain('DELE 1');
    s.feed('+OK\r\n');
    expect(s.result?.failure).toMatchObject({ kind: 'storage', message: 'message 1 (a): no space left on device' });
  });

  it('a connection lost in the middle of a message: no message-end, a temporary failure', () => {
    const s = client();
    login(s);
    s.feed('+OK\r\n1 a\r\n.\r\n');
    s.feed('+OK\r\n.\r\n');
    s.feed('+OK\r\nX: 1\r\n\r\nhalf a bo');
    s.take(s.c.closed());
    expect(s.messages).toEqual([]);
    expect(s.result?.failure).toMatchObject({ kind: 'temporary', stage: 'retr', message: 'connection closed by the server' });
  });

  it('no UIDL: a permanent failure (nothing to tell new from old)', () => {
    const s = client();
    login(s);
    s.feed('-ERR no UIDL here\r\n');
    expect(s.sent.at(-1)).toBe('QUIT');
    s.feed('+OK\r\n');
    expect(s.result?.failure).toMatchObject({ kind: 'permanent', stage: 'UIDL' });
  });

  it('hostile servers: an endless line, garbage, a bad listing', () => {
    const long = client();
    long.feed('+OK ' + 'x'.repeat(100_000));
    long.feed('\r\n');
    expect(long.result?.failure).toMatchObject({ kind: 'protocol', message: 'response line over 8192 bytes' });
    const junk = client();
    junk.feed('HELLO\r\n');
    expect(junk.result?.failure).toMatchObject({ kind: 'protocol' });
    const bad = client();
    login(bad);
    bad.feed('+OK\r\n1 a\r\n1 b\r\n.\r\n');
    expect(bad.result?.failure).toMatchObject({ kind: 'protocol', stage: 'UIDL' });
  });
});
