// Git's binary delta: what createDelta writes, applyDelta (and git itself, in
// test/interop/git-pack.test.ts) turns back into the target; instructions
// decoded from hand-written deltas per gitformat-pack(5); hostile deltas are
// errors, never out-of-range reads.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { applyDelta, createDelta, createDeltaIndex } from '../../src/pack/delta.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

describe('delta', () => {
  it('applies a hand-written delta: copy with offset1/size1, insert, copy of 0x10000 with no size bytes', () => {
    const base = Buffer.alloc(0x10010, 0x61);
    base.write('HELLO', 3);
    // base size 0x10010 = 0x90 0x80 0x04; target size 5 + 2 + 0x10000 = 0x10007 = 0x87 0x80 0x04
    const delta = Buffer.from([0x90, 0x80, 0x04, 0x87, 0x80, 0x04, 0x91, 0x03, 0x05, 0x02, 0x21, 0x21, 0x80]);
    const r = applyDelta(base, delta);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.data.subarray(0, 7).toString()).toBe('HELLO!!');
    expect(r.data.length).toBe(0x10007);
    expect(r.data.subarray(7).equals(base.subarray(0, 0x10000))).toBe(true);
  });

  it('rejects hostile deltas with a reason', () => {
    const base = Buffer.from('0123456789');
    expect(applyDelta(base, Buffer.from([0x0b, 0x01, 0x90, 0x01]))).toMatchObject({ ok: false, error: expect.stringMatching(/base/) });
    expect(applyDelta(base, Buffer.from([0x0a, 0x05, 0x91, 0x08, 0x05]))).toMatchObject({ ok: false, error: expect.stringMatching(/outside/) });
    expect(applyDelta(base, Buffer.from([0x0a, 0x02, 0x05, 0x41]))).toMatchObject({ ok: false, error: expect.stringMatching(/past the end/) });
    expect(applyDelta(base, Buffer.from([0x0a, 0x02, 0x00]))).toMatchObject({ ok: false, error: expect.stringMatching(/reserved/) });
    expect(applyDelta(base, Buffer.from([0x0a, 0x03, 0x01, 0x41]))).toMatchObject({ ok: false, error: expect.stringMatching(/header says 3/) });
    expect(applyDelta(base, Buffer.from([0x8a]))).toMatchObject({ ok: false });
  });

  it('a target sharing most of its base gives a small delta that rebuilds it', () => {
    const base = Buffer.from(Array.from({ length: 200 }, (_, i) => `Received: from host${i}.example.org by mx.example.net; line ${i}\r\n`).join(''));
    const target = Buffer.concat([Buffer.from('X-New: 1\r\n'), base.subarray(0, 5000), Buffer.from('changed line\r\n'), base.subarray(5100)]);
    const d = createDelta(createDeltaIndex(base), target)!;
    expect(d.length).toBeLessThan(200);
    const r = applyDelta(base, d);
    expect(r.ok && r.data.equals(target)).toBe(true);
  });

  it('gives up (undefined) when the delta would not be smaller than maxSize', () => {
    const base = Buffer.from('abcdefghijklmnopqrstuvwxyz'.repeat(10));
    const unrelated = Buffer.from(Array.from({ length: 260 }, (_, i) => (i * 7919) % 251));
    expect(createDelta(createDeltaIndex(base), unrelated, 100)).toBeUndefined();
  });

  it('property: applyDelta(base, createDelta(base, target)) = target, for related and random pairs', () => {
    const related = fc.tuple(fc.uint8Array({ minLength: 0, maxLength: 3000 }), fc.array(fc.tuple(fc.nat(3000), fc.nat(200), fc.uint8Array({ maxLength: 40 })), { maxLength: 8 })).map(([base, edits]) => {
      let t = Buffer.from(base);
      for (const [at, del, ins] of edits) {
        const p = Math.min(at, t.length);
        t = Buffer.concat([t.subarray(0, p), Buffer.from(ins), t.subarray(Math.min(t.length, p + del))]);
      }
      return [Buffer.from(base), t] as const;
    });
    const random = fc.tuple(fc.uint8Array({ maxLength: 600 }), fc.uint8Array({ maxLength: 600 })).map(([a, b]) => [Buffer.from(a), Buffer.from(b)] as const);
    fc.assert(
      fc.property(fc.oneof(related, random), ([base, target]) => {
        const d = createDelta(createDeltaIndex(base), target, target.length + 64);
        if (!d) return true; // no smaller delta: stored whole
        const r = applyDelta(base, d);
        return r.ok && r.data.equals(target);
      }),
      { numRuns: RUNS },
    );
  });
});
