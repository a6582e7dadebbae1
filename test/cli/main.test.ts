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

describe('start-up', () => {
  it('runs the bundle through the code cache build.mjs made, and V8 accepts it', async () => {
    // (npm run coverage sets NODE_V8_COVERAGE, under which bin/blaze skips the cache.)
    const r = await execa(BLAZE, ['--version'], { env: { BLAZE_CODE_CACHE_REPORT: '1', NODE_V8_COVERAGE: undefined } });
    expect(r.stderr).toBe('code cache: accepted');
    expect(r.stdout).toMatch(/^blaze \d+\.\d+\.\d+$/);
  });
  it('does not colour a pipe, and colours with --color always (term.ts decides, not chalk)', async () => {
    const fixture = fileURLToPath(new URL('../../fixtures/dmarc/google-ar.eml', import.meta.url));
    const plain = await execa(BLAZE, ['dmarc', 'collect', fixture], { env: { FORCE_COLOR: undefined, NO_COLOR: undefined } });
    expect(plain.stdout).not.toContain('\x1b[');
    const coloured = await execa(BLAZE, ['dmarc', 'collect', '--color', 'always', fixture]);
    expect(coloured.stdout).toContain('\x1b[32m');
    const forced = await execa(BLAZE, ['dmarc', 'collect', fixture], { env: { FORCE_COLOR: '1' } });
    expect(forced.stdout).toContain('\x1b[32m');
  });
});
