// commands/_lib/batch.ts: the inputs of a batch and the ordered, bounded
// runner (worker threads are covered by test/cli/dkim.test.ts, which runs
// the binary with BLAZE_WORKERS).
import { describe, expect, it, beforeAll } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { batchInputs, readNames, runBatch } from '../../commands/_lib/batch.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'blaze-batch-'));
});

describe('batchInputs', () => {
  it('stdin when nothing is named; the arguments, then the names of --files-from', () => {
    expect(batchInputs([], {})).toEqual(['-']);
    expect(batchInputs(['a', 'b'], {})).toEqual(['a', 'b']);
    const list = join(dir, 'list');
    writeFileSync(list, 'c\r\nd e\n\nf\n');
    expect(batchInputs(['a'], { filesFrom: list })).toEqual(['a', 'c', 'd e', 'f']);
    const nul = join(dir, 'nul');
    writeFileSync(nul, 'x\ny\0z\0');
    expect(readNames(nul, true)).toEqual(['x\ny', 'z']);
    expect(batchInputs([], { filesFrom: nul, null: true })).toEqual(['x\ny', 'z']);
  });
  it('an empty list is no input at all (not stdin)', () => {
    const empty = join(dir, 'empty');
    writeFileSync(empty, '');
    expect(batchInputs([], { filesFrom: empty })).toEqual([]);
  });
  it('refuses stdin twice, --null alone, a missing list', () => {
    expect(() => batchInputs(['-', '-'], {})).toThrow('stdin can be read only once');
    expect(() => batchInputs(['-'], { filesFrom: '-' })).toThrow('stdin can be read only once');
    expect(() => batchInputs(['a'], { null: true })).toThrow('--null goes with --files-from');
    expect(() => batchInputs([], { filesFrom: join(dir, 'nope') })).toThrow(/nope: no such file or directory/);
  });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('runBatch', () => {
  it('writes every result in input order, whatever order they finish in, with at most `concurrency` in flight', async () => {
    const inputs = Array.from({ length: 30 }, (_, i) => `f${i}`);
    let inFlight = 0;
    let most = 0;
    const written: string[] = [];
    const end = await runBatch<string>({
      label: 'test',
      inputs,
      concurrency: 4,
      workers: false,
      async run(input, i) {
        inFlight++;
        most = Math.max(most, inFlight);
        await sleep((30 - i) % 5); // later inputs often finish first
        inFlight--;
        return input.toUpperCase();
      },
      write(r, input, i) {
        written.push(`${i}:${input}:${r}`);
      },
    });
    expect(end).toBe('main');
    expect(written).toEqual(inputs.map((f, i) => `${i}:${f}:${f.toUpperCase()}`));
    expect(most).toBe(4);
  });
  it('writes a result as soon as it and all before it are known (streaming, not at the end)', async () => {
    const events: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const done = runBatch<number>({
      label: 'test',
      inputs: ['a', 'b', 'c'],
      concurrency: 3,
      workers: false,
      async run(_input, i) {
        if (i === 2) await gate;
        return i;
      },
      write(r) {
        events.push(`write ${r}`);
      },
    });
    // Poll until the two results before the gate are written (no fixed sleep); the
    // third cannot be, its job waits on the gate.
    for (let tries = 0; events.length < 2 && tries < 1000; tries++) await sleep(1);
    expect(events).toEqual(['write 0', 'write 1']);
    release();
    await done;
    expect(events).toEqual(['write 0', 'write 1', 'write 2']);
  });
  it('a failed write stops the writing and is thrown at the end', async () => {
    const written: number[] = [];
    await expect(
      runBatch<number>({
        label: 'test',
        inputs: ['a', 'b', 'c', 'd'],
        workers: false,
        run: async (_f, i) => i,
        write(r) {
          if (r === 1) throw new Error('EPIPE');
          written.push(r);
        },
      }),
    ).rejects.toThrow('EPIPE');
    expect(written).toEqual([0]);
  });
  it('an empty batch writes nothing', async () => {
    let writes = 0;
    expect(await runBatch({ label: 'test', inputs: [], run: async () => 0, write: () => void writes++ })).toBe('main');
    expect(writes).toBe(0);
  });
});
