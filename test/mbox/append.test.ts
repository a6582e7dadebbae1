// Appending to an mbox on disk: locking, the blank line before a new
// message, and a failed message cut off again; plus the Status/X-Status
// mapping to Maildir flags (mutt's and mexport's letters).
import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, writeFile, access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MboxAppender } from '../../src/mbox/append.ts';
import { placementFromStatus, statusFromPlacement, replaceStatusFields, headerEnd } from '../../src/mbox/status.ts';

const T0 = Date.UTC(2026, 0, 1);
const tmp = () => mkdtemp(join(tmpdir(), 'blaze-mbox-append-'));

describe('MboxAppender', () => {
  it('appends whole messages, separated by a blank line from what was there', async () => {
    const path = join(await tmp(), 'box');
    await writeFile(path, 'From a Thu Jan  1 00:00:00 2026\nX: 1\n\nno blank line after me\n');
    const a = await MboxAppender.open(path);
    const m = a.begin('b@x', T0);
    await m.write(Buffer.from('X: 2\r\n\r\nFrom '));
    await m.write(Buffer.from('inside\r\n'));
    expect(await m.commit()).toBe('From b@x Thu Jan  1 00:00:00 2026\n'.length + 'X: 2\n\n>From inside\n\n'.length);
    await a.close();
    expect(await readFile(path, 'utf8')).toBe(
      'From a Thu Jan  1 00:00:00 2026\nX: 1\n\nno blank line after me\n\n' + 'From b@x Thu Jan  1 00:00:00 2026\nX: 2\n\n>From inside\n\n',
    );
    await expect(access(`${path}.lock`)).rejects.toThrow();
  });

  it('a message aborted half way leaves the file as it was', async () => {
    const path = join(await tmp(), 'box');
    const a = await MboxAppender.open(path);
    const ok = a.begin('a@x', T0);
    await ok.write(Buffer.from('X: 1\n\nkept\n'));
    await ok.commit();
    const before = await readFile(path, 'utf8');
    const bad = a.begin('b@x', T0);
    await bad.write(Buffer.from('X: 2\n\n' + 'partial '.repeat(10_000)));
    await bad.abort();
    const after = a.begin('c@x', T0);
    await after.write(Buffer.from('X: 3\n\nlast\n'));
    await after.commit();
    await a.close();
    expect(await readFile(path, 'utf8')).toBe(before + 'From c@x Thu Jan  1 00:00:00 2026\nX: 3\n\nlast\n\n');
  });

  it('waits for a live lock, then gives up (ELOCKED)', async () => {
    const path = join(await tmp(), 'box');
    await writeFile(`${path}.lock`, `${process.pid}\n`); // this process is alive
    await expect(MboxAppender.open(path, { lockTimeoutMs: 200 })).rejects.toMatchObject({ code: 'ELOCKED' });
    await access(`${path}.lock`); // not taken from its owner
  });
});

describe('Status and X-Status', () => {
  it('maps to Maildir folder and flags', () => {
    expect(placementFromStatus(undefined, undefined)).toEqual({ folder: 'new', flags: '' });
    expect(placementFromStatus('O', undefined)).toEqual({ folder: 'cur', flags: '' });
    expect(placementFromStatus('RO', 'AFTD')).toEqual({ folder: 'cur', flags: 'DFRST' });
    expect(placementFromStatus('', 'F')).toEqual({ folder: 'cur', flags: 'F' });
  });

  it('and back, as mexport -S', () => {
    expect(statusFromPlacement({ folder: 'cur', flags: 'FRS' })).toEqual({ status: 'RO', xStatus: 'AF' });
    expect(statusFromPlacement({ folder: 'new', flags: '' })).toEqual({ status: '', xStatus: '' });
    expect(statusFromPlacement({ folder: 'cur', flags: 'DT' })).toEqual({ status: 'O', xStatus: 'TD' });
  });

  it('replaces the fields (continuation lines too) in a header block', () => {
    const h = Buffer.from('A: 1\r\nStatus: R\r\n more\r\nx-status:  F\r\nB: 2\r\n');
    expect(replaceStatusFields(h, 'RO', 'A').toString()).toBe('A: 1\r\nB: 2\r\nStatus: RO\nX-Status: A\n');
    expect(headerEnd(Buffer.from('A: 1\r\nB: 2\r\n\r\nbody'))).toBe('A: 1\r\nB: 2\r\n'.length);
    expect(headerEnd(Buffer.from('A: 1\n\nbody'))).toBe(5);
    expect(headerEnd(Buffer.from('\nbody'))).toBe(0);
    expect(headerEnd(Buffer.from('A: 1\nB: 2'))).toBe(-1);
  });
});
