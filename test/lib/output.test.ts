// commands/_lib/io.ts Output: back-pressure without leaking listeners.
import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { Output, BrokenPipe } from '../../commands/_lib/io.ts';

function slowSink(received: Buffer[]): Writable {
  return new Writable({
    highWaterMark: 16,
    write(chunk: Buffer, _enc, cb) {
      received.push(chunk);
      setImmediate(cb);
    },
  });
}

describe('Output.write', () => {
  it('waits for drain on every full buffer and leaves no listener behind', async () => {
    const received: Buffer[] = [];
    const sink = slowSink(received);
    const base = { error: sink.listenerCount('error'), drain: sink.listenerCount('drain'), close: sink.listenerCount('close') };
    const out = new Output('sink', sink);
    const afterCtor = sink.listenerCount('error');
    for (let i = 0; i < 200; i++) await out.write(Buffer.alloc(64, i));
    expect(sink.listenerCount('error')).toBe(afterCtor);
    expect(sink.listenerCount('drain')).toBe(base.drain);
    expect(sink.listenerCount('close')).toBe(base.close);
    expect(afterCtor).toBe(base.error + 1);
    await new Promise((r) => sink.end(r));
    const all = Buffer.concat(received);
    expect(all.length).toBe(200 * 64);
    expect(all[64 * 199]).toBe(199);
  });

  it('turns EPIPE into a quiet BrokenPipe', async () => {
    const sink = new Writable({
      highWaterMark: 1,
      write(_chunk, _enc, cb) {
        const err = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
        cb(err);
      },
    });
    const out = new Output('sink', sink);
    let caught: unknown;
    try {
      for (let i = 0; i < 10; i++) await out.write('xx');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(BrokenPipe);
  });
});
