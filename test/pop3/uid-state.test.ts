// The file of unique ids already fetched: recorded at once (fsynced),
// read back, pruned to what the server still lists, locked per session.
import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UidState } from '../../src/pop3/uid-state.ts';

const tmp = () => mkdtemp(join(tmpdir(), 'blaze-uid-state-'));

describe('UidState', () => {
  it('records ids as they come, reads them back, prunes the ones the server dropped', async () => {
    const path = join(await tmp(), 'deep/dir/alice@host:995');
    const s = await UidState.open(path);
    expect(s.size).toBe(0);
    await s.add('a', 1_000_000);
    await s.add('b', 2_000_000);
    expect(await readFile(path, 'utf8')).toMatch(/^# blaze fetch: .*\na 1000\nb 2000\n$/);
    await s.close();
    const again = await UidState.open(path);
    expect([again.has('a'), again.has('b'), again.has('c')]).toEqual([true, true, false]);
    expect(await again.prune((u) => u === 'b')).toBe(1);
    await again.add('c', 3_000_000);
    await again.close();
    expect((await readFile(path, 'utf8')).split('\n').slice(1)).toEqual(['b 2000', 'c 3000', '']);
  });

  it('one session at a time: a live lock makes open fail with ELOCKED', async () => {
    const path = join(await tmp(), 'state');
    const first = await UidState.open(path);
    await expect(UidState.open(path, 200)).rejects.toMatchObject({ code: 'ELOCKED' });
    await first.close();
    const second = await UidState.open(path, 200);
    await second.close();
  });

  it('a last line cut by a crash is not trusted', async () => {
    const path = join(await tmp(), 'state');
    await writeFile(path, 'a 1\nb 2\nc');
    const s = await UidState.open(path);
    expect([s.has('a'), s.has('b'), s.has('c')]).toEqual([true, true, false]);
    await s.add('d', 4000);
    await s.close();
    expect(await readFile(path, 'utf8')).toBe('a 1\nb 2\nd 4\n');
    const t = await UidState.open(path);
    expect([t.has('c'), t.has('d')]).toEqual([false, true]);
    await t.close();
  });
});
