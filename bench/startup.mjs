// Start-up: blaze on small inputs against `node -e 0`, interleaved in one run.
// Goal (issue 9): each blaze command <= 1.25x node -e 0 (median).
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const data = join(root, 'bench/.data');
mkdirSync(data, { recursive: true });
const blaze = join(root, 'bin/blaze');
const runs = Number(process.env.BENCH_RUNS ?? 40);

// A 4 KB message.
const msg4k = join(data, 'startup-4k.eml');
if (!existsSync(msg4k)) {
  const head = 'From: Alice <alice@example.org>\r\nTo: Bob <bob@example.net>\r\nSubject: start-up\r\nDate: Thu, 30 Mar 2017 15:00:00 +0200\r\nMessage-ID: <s@example.org>\r\n\r\n';
  writeFileSync(msg4k, head + 'The quick brown fox jumps over the lazy dog.\r\n'.repeat(Math.ceil((4096 - head.length) / 46)));
}

const scenarios = [
  ['node -e 0', process.execPath, ['-e', '0']],
  ['blaze --version', process.execPath, [blaze, '--version']],
  ['blaze hdr (4 KB)', process.execPath, [blaze, 'hdr', msg4k]],
  ['blaze dkim verify (4 KB, unsigned)', process.execPath, [blaze, 'dkim', 'verify', '--offline', msg4k]],
];

const times = scenarios.map(() => []);
for (let i = 0; i < runs; i++) {
  scenarios.forEach(([, cmd, args], k) => {
    const t0 = process.hrtime.bigint();
    spawnSync(cmd, args, { stdio: 'ignore' });
    times[k].push(Number(process.hrtime.bigint() - t0) / 1e6);
  });
}
const median = (v) => { const s = [...v].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const base = median(times[0]);
console.log(`# start-up (${runs} interleaved runs; node ${process.version}; ${os.cpus().length} CPUs, ${os.cpus()[0]?.model ?? '?'})`);
console.log('| scenario | median ms | min ms | ratio to node -e 0 | goal |');
console.log('|---|---|---|---|---|');
scenarios.forEach(([name], k) => {
  const m = median(times[k]);
  const ratio = m / base;
  console.log(`| ${name} | ${m.toFixed(1)} | ${Math.min(...times[k]).toFixed(1)} | ${ratio.toFixed(2)}x | ${k === 0 ? 'baseline' : ratio <= 1.25 ? '<= 1.25x: met' : '<= 1.25x: not met'} |`);
});
