import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';

const BLAZE = fileURLToPath(new URL('../../bin/blaze', import.meta.url));

describe('blaze', () => {
  it('prints its version', async () => {
    const r = await execa(BLAZE, ['--version']);
    expect(r.stdout).toMatch(/^blaze \d+\.\d+\.\d+$/);
    expect(r.exitCode).toBe(0);
  });
  it('lists its commands with --help', async () => {
    const r = await execa(BLAZE, ['--help']);
    expect(r.stdout).toContain('Usage: blaze <command>');
  });
  it('rejects an unknown command with exit 2 and one line', async () => {
    const r = await execa(BLAZE, ['frobnicate'], { reject: false });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe("blaze: unknown command 'frobnicate' (see blaze --help)");
  });
});
