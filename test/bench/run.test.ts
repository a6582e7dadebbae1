// Smoke check of the benchmark entry point: `node bench/run.mjs --quick --json`
// on a few scenarios gives real rows (numbers from real runs of blaze and of
// the peers), and an unknown scenario name is refused. Needs the built binary
// and the Debian peers (mblaze, python3-dkim, python3-spf, openssl; hyperfine if installed).
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';

const RUN = fileURLToPath(new URL('../../bench/run.mjs', import.meta.url));

interface Row { scenario: string; ours: string; peer: string; ratio: string; goal: string; met: boolean | null; note: string }

describe('bench/run.mjs --quick', () => {
  it('refuses an unknown scenario with exit 2', async () => {
    const r = await execa(process.execPath, [RUN, '--quick', 'nosuch'], { reject: false });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/unknown scenario nosuch/);
  });

  it('gives measured rows for startup, hdr, dkim and spf', async () => {
    const r = await execa(process.execPath, [RUN, '--quick', '--json', 'startup', 'hdr', 'dkim', 'spf'], { reject: false, timeout: 60_000 });
    expect(r.exitCode).toBe(0);
    const out = JSON.parse(r.stdout) as { machine: { node: string; cpus: number }; quick: boolean; rows: Row[] };
    expect(out.quick).toBe(true);
    expect(out.machine.node).toBe(process.version);
    expect(out.machine.cpus).toBeGreaterThan(0);
    const rows = out.rows;
    for (const row of rows) {
      expect(row.ours, row.scenario).not.toBe('failed');
      expect(row.ours, row.scenario).toMatch(/\d/);
    }
    const startup = rows.filter((x) => x.scenario.startsWith('start-up: '));
    expect(startup.map((x) => x.scenario)).toEqual(['start-up: blaze --version', 'start-up: blaze hdr (4 KB)', 'start-up: blaze dkim verify (4 KB, rsa-sha256)']);
    for (const x of startup) {
      expect(x.peer).toMatch(/^node -e 0: \d/);
      expect(x.ratio).toMatch(/^\d+\.\d\dx node$/);
      expect(typeof x.met).toBe('boolean');
      // The ratio printed is the one the verdict was made from.
      expect(x.met).toBe(Number(x.ratio.split('x')[0]) <= 1.25);
    }
    const hdr = rows.find((x) => x.scenario === 'hdr -d 4KB');
    expect(hdr?.peer).toMatch(/^mhdr -d: \d/);
    expect(hdr?.ratio).toMatch(/^\d+\.\d\dx (faster|slower)$/);
    const batch = rows.find((x) => x.scenario.startsWith('dkim verify batch of 200'));
    expect(batch?.ours).toMatch(/ 200 pass/);
    expect(batch?.peer).toMatch(/^dkimpy: .* 200 pass$/);
    const big = rows.filter((x) => / MB body, (simple|relaxed)/.test(x.scenario));
    expect(big).toHaveLength(2);
    for (const x of big) expect(x.peer).toMatch(/^openssl dgst -sha256: /);
    const inproc = rows.find((x) => x.scenario.startsWith('dkim verify in-process'));
    expect(inproc?.ours).toMatch(/ 200 pass$/);
    expect(inproc?.peer).toMatch(/^mailauth dkimVerify: .* 200 pass$/);
    const auth = rows.find((x) => x.scenario.startsWith('spf+dkim+dmarc of one 4 KB message'));
    expect(auth?.peer).toMatch(/^mailauth report: \d/);
    expect(auth?.note).toMatch(/all pass on both sides: yes$/);
    const arc = rows.find((x) => x.scenario.startsWith('arc verify in-process, 100 messages'));
    expect(arc?.ours).toMatch(/ 100 pass$/);
    expect(arc?.peer).toMatch(/^mailauth dkimVerify\+arc: .* 100 pass$/);
    const spf = rows.find((x) => x.scenario.startsWith('spf check'));
    expect(spf?.peer).toMatch(/^pyspf check2: /);
    expect(spf?.note).toMatch(/results agree \(fail=50 pass=150\)/);
  });
});
