import { describe, expect, it } from 'vitest';
import { SinkDriver, traceClientLines, type Envelope, type MessageSink } from '../../src/smtp/index.ts';

const env: Envelope = { helo: 'h', esmtp: true, from: 'a@b', recipients: ['c@d'], params: {}, secure: false };

function sink(fail: Partial<Record<'start' | 'write' | 'end', boolean>> = {}): MessageSink & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    async start() {
      log.push('start');
      if (fail.start) throw new Error('no dir');
    },
    async write(d) {
      log.push('write ' + d.toString());
      if (fail.write) throw new Error('disk full');
    },
    async end() {
      log.push('end');
      if (fail.end) throw new Error('fsync failed');
      return 'queued as X';
    },
    async abort(reason) {
      log.push('abort ' + reason);
    },
  };
}

describe('SinkDriver', () => {
  it('passes a message through and commits it', async () => {
    const s = sink();
    const d = new SinkDriver(s);
    await d.start(env);
    await d.write(Buffer.from('a'));
    expect(await d.end(env, 1)).toEqual({ ok: true, detail: 'queued as X' });
    await d.abort('shutdown'); // nothing open any more
    expect(s.log).toEqual(['start', 'write a', 'end']);
  });
  it('a failing start or write: the rest is dropped, the end is a failure (451), errors reported', async () => {
    for (const fail of [{ start: true }, { write: true }, { end: true }]) {
      const errors: unknown[] = [];
      const s = sink(fail);
      const d = new SinkDriver(s, (e) => errors.push(e));
      await d.start(env);
      await d.write(Buffer.from('a'));
      await d.write(Buffer.from('b'));
      expect(await d.end(env, 2)).toEqual({ ok: false, detail: '' });
      expect(errors.length).toBe(1);
      if (fail.write) expect(s.log).toEqual(['start', 'write a', 'abort storage error']);
    }
  });
  it('abort drops an open message once', async () => {
    const s = sink();
    const d = new SinkDriver(s);
    await d.start(env);
    await d.abort('too large');
    await d.abort('shutdown');
    await d.write(Buffer.from('late'));
    expect(s.log).toEqual(['start', 'abort too large']);
  });
});

describe('traceClientLines', () => {
  it('hides AUTH secrets and cuts long lines', () => {
    expect(traceClientLines(Buffer.from('AUTH PLAIN AGpvZQBwdw==\r\nNOOP\r\n'), false)).toEqual(['AUTH PLAIN <initial response>', 'NOOP']);
    expect(traceClientLines(Buffer.from('am9l\r\n'), true)).toEqual(['<auth data>']);
    expect(traceClientLines(Buffer.from('x'.repeat(300) + '\r\n'), false)[0]).toMatch(/^x{200}\.\.\. \(300 bytes\)$/);
  });
});
