// stdout as a shell gives it: a file, a pipe, /dev/null (blocking writes to
// fd 1, no stream made), and a reader that goes away early (EPIPE: a quiet
// exit 0). execa's own pipes are sockets, which take the stream path the other
// CLI tests cover.
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BLAZE = fileURLToPath(new URL('../../bin/blaze', import.meta.url));
const REPORT = fileURLToPath(new URL('../../fixtures/messages/report.eml', import.meta.url));
const sh = (script: string, env: Record<string, string> = {}) => execa('sh', ['-c', script], { reject: false, env: { BLAZE: BLAZE, REPORT, ...env } });

describe('stdout to files and pipes', () => {
  it('writes the same bytes to a file, through a FIFO pipe and to a socket', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'blaze-stdout-'));
    const viaSocket = await execa(BLAZE, ['hdr', REPORT], { encoding: 'buffer', stripFinalNewline: false });
    const r = await sh(`"$BLAZE" hdr "$REPORT" > ${dir}/out.txt && "$BLAZE" hdr "$REPORT" | cat > ${dir}/piped.txt && "$BLAZE" --version > /dev/null`);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await readFile(join(dir, 'out.txt'))).toEqual(Buffer.from(viaSocket.stdout));
    expect(await readFile(join(dir, 'piped.txt'))).toEqual(Buffer.from(viaSocket.stdout));
    const v = await sh(`"$BLAZE" --version > ${dir}/v.txt`);
    expect(v.exitCode).toBe(0);
    expect(await readFile(join(dir, 'v.txt'), 'utf8')).toMatch(/^blaze \d+\.\d+\.\d+\n$/);
  });

  it('a large output through a pipe arrives whole (blocking writes wait for the reader)', async () => {
    // rand writes 4 MB of base64 through Output; sha256 of what cat received vs a file
    const dir = await mkdtemp(join(tmpdir(), 'blaze-stdout-'));
    const r = await sh(`"$BLAZE" rand --seed AAAA 3000000 | cat > ${dir}/a && "$BLAZE" rand --seed AAAA 3000000 > ${dir}/b && cmp ${dir}/a ${dir}/b && wc -c < ${dir}/a`);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(Number(r.stdout.trim())).toBeGreaterThan(4_000_000);
  });

  it('a reader that stops early (head) is a quiet exit 0, no stack trace', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'blaze-stdout-'));
    // blaze's own status, from a subshell (POSIX sh has no PIPESTATUS)
    const s = await sh(`( "$BLAZE" rand --seed AAAA 3000000; echo $? > ${dir}/status ) | head -c 100 > /dev/null; cat ${dir}/status`);
    expect(s.stdout.trim()).toBe('0');
    expect(s.stderr).toBe('');
    const d = await sh(`"$BLAZE" descr --ascii "$REPORT" | head -1`);
    expect(d.stdout).toBe('.-- mixed');
    expect(d.stderr).toBe('');
  });
});
