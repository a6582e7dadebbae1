// Maildir listing at scale: `blaze mdir list` over N messages (default
// 100,000; BENCH_MDIR_N) against mblaze (`mlist | mscan`) and Python's
// mailbox.Maildir, wall time and peak RSS (GNU time). Also `blaze mdir put`
// throughput for 200 sequential deliveries. The maildir is built once under
// bench/.data and reused.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const N = Number(process.env.BENCH_MDIR_N ?? 100_000);
const dir = join(root, 'bench/.data', `maildir-${N}`);
const blaze = join(root, 'bin/blaze');

if (!existsSync(join(dir, 'cur')) || readdirSync(join(dir, 'new')).length + readdirSync(join(dir, 'cur')).length !== N) {
  for (const sub of ['tmp', 'new', 'cur']) mkdirSync(join(dir, sub), { recursive: true });
  const t0 = Date.now();
  for (let i = 0; i < N; i++) {
    const body = `From: =?utf-8?q?Sender_${i}?= <s${i}@example.org>\r\nTo: bob@example.net\r\nSubject: message ${i}\r\nDate: Thu, 30 Mar 2017 15:00:00 +0200\r\nMessage-ID: <${i}@example.org>\r\n\r\n${'Some body text for the message.\r\n'.repeat(30)}`;
    const name = `1700000000.M${i}P1Q${i}.bench`;
    writeFileSync(i % 2 ? join(dir, 'cur', `${name}:2,S`) : join(dir, 'new', name), body);
  }
  console.error(`built ${N} messages in ${Date.now() - t0} ms`);
}

function measure(label, shell) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', 'sh', '-c', shell], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const last = r.stderr.trim().split('\n').pop() ?? '';
  const [secs, kb] = last.split(' ').map(Number);
  return { label, seconds: secs, peakMB: Math.round(kb / 1024), status: r.status };
}

const rows = [
  measure('blaze mdir list', `${process.execPath} ${blaze} mdir list -D ${dir} > /dev/null`),
  measure('blaze mdir list --json', `${process.execPath} ${blaze} mdir list --json -D ${dir} > /dev/null`),
  measure('mlist | mscan (mblaze)', `mlist ${dir} | mscan -f '%i %S' > /dev/null`),
  measure('Python mailbox.Maildir (subject of each)', `/usr/bin/python3 -c "import mailbox,sys; [m['subject'] for m in mailbox.Maildir(sys.argv[1], create=False)]" ${dir}`),
];
const tmp = join(os.tmpdir(), `blaze-bench-put-${process.pid}`);
spawnSync(process.execPath, [blaze, 'mdir', 'init', '-D', tmp]);
const msg = join(dir, 'new', '1700000000.M0P1Q0.bench');
rows.push(measure('200 x blaze mdir put (sequential)', `for i in $(seq 200); do ${process.execPath} ${blaze} mdir put -D ${tmp} ${msg} > /dev/null; done`));
rows.push(measure('200 x mdeliver (sequential)', `for i in $(seq 200); do mdeliver ${tmp} < ${msg}; done`));

console.log(`# maildir, ${N} messages (node ${process.version}; ${os.cpus().length} CPUs)`);
console.log('| scenario | seconds | peak RSS MB | exit |');
console.log('|---|---|---|---|');
for (const r of rows) console.log(`| ${r.label} | ${r.seconds} | ${r.peakMB} | ${r.status} |`);
