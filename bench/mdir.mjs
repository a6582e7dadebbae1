// Maildir at scale: `blaze mdir list` over a Maildir of 100,000 messages
// (half in new/, half in cur/ with flags) against mblaze: `mlist` alone (the
// floor: names only, no file opened) and `mlist | mscan` (one line per
// message from its header, as mdir list does). Also 200 sequential
// deliveries, `blaze mdir put` against mblaze's `mdeliver` (start-up bound).
// No goal (context). Alone: node bench/mdir.mjs [--quick] [--reps N]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BLAZE, DATA, alternate, fmtMB, fmtSecs, have, log, max, med, repsFor, row, runAlone, speedRatio, timeCmd } from './lib.mjs';

function maildir(n) {
  const dir = join(DATA, `maildir-${n}`);
  const count = () => readdirSync(join(dir, 'new')).length + readdirSync(join(dir, 'cur')).length;
  if (existsSync(join(dir, 'cur')) && count() === n) return dir;
  rmSync(dir, { recursive: true, force: true });
  for (const sub of ['tmp', 'new', 'cur']) mkdirSync(join(dir, sub), { recursive: true });
  const t0 = Date.now();
  for (let i = 0; i < n; i++) {
    const body = `From: =?utf-8?q?Sender_${i}?= <s${i}@example.org>\r\nTo: bob@example.net\r\nSubject: message ${i}\r\nDate: Thu, 30 Mar 2017 15:00:00 +0200\r\nMessage-ID: <${i}@example.org>\r\n\r\n${'Some body text for the message.\r\n'.repeat(30)}`;
    const name = `1700000000.M${i}P1Q${i}.bench`;
    writeFileSync(i % 2 ? join(dir, 'cur', `${name}:2,S`) : join(dir, 'new', name), body);
  }
  log(`  made ${dir} in ${Date.now() - t0} ms`);
  return dir;
}

export async function run(opts) {
  const n = opts.quick ? 2000 : 100_000;
  const dir = maildir(n);
  const rows = [];
  if (!have('mlist')) return [row(`mdir list ${n}`, '—', 'mlist: not installed (apt-get install mblaze)', '—')];
  const reps = repsFor(opts, 3);
  // One untimed pass puts the 100,000 inodes and headers in the page cache for both sides.
  timeCmd(`mlist ${dir} | mscan -f '%i' > /dev/null`);
  const r = await alternate(reps, {
    ours: () => timeCmd(`${BLAZE} mdir list -D ${dir} > /dev/null`),
    mlist: () => timeCmd(`mlist ${dir} > /dev/null`),
    mscan: () => timeCmd(`mlist ${dir} | mscan -f '%i %d %f %S' > /dev/null`),
  });
  const ours = med(r.ours, 'secs');
  const oursText = `${fmtSecs(ours)}, ${fmtMB(max(r.ours, 'rssMB'))} RSS`;
  const name = `mdir list, ${n.toLocaleString('en-US')} messages`;
  rows.push(row(`${name} vs mlist | mscan`, oursText, `mlist | mscan: ${fmtSecs(med(r.mscan, 'secs'))}`, speedRatio(ours, med(r.mscan, 'secs')), '—', null, `${reps} alternate run(s); mscan prints a line from each header, like mdir list`));
  rows.push(row(`${name} vs mlist (names only)`, oursText, `mlist: ${fmtSecs(med(r.mlist, 'secs'))}, ${fmtMB(max(r.mlist, 'rssMB'))} RSS`, speedRatio(ours, med(r.mlist, 'secs')), '—', null, 'mlist opens no file: the floor of reading the directories'));

  if (have('mdeliver')) {
    const k = opts.quick ? 5 : 50;
    const tmp = join(DATA, `mdir-put-${process.pid}`);
    spawnSync(BLAZE, ['mdir', 'init', '-D', tmp]);
    const msg = join(dir, 'new', readdirSync(join(dir, 'new'))[0]);
    const p = await alternate(repsFor(opts, 1), {
      ours: () => timeCmd(`for i in $(seq ${k}); do ${BLAZE} mdir put -D ${tmp} ${msg} > /dev/null; done`),
      peer: () => timeCmd(`for i in $(seq ${k}); do mdeliver ${tmp} < ${msg}; done`),
    });
    rmSync(tmp, { recursive: true, force: true });
    const o = med(p.ours, 'secs');
    const q = med(p.peer, 'secs');
    rows.push(row(`mdir put x ${k} (sequential processes)`, `${fmtSecs(o)}, ${(o / k * 1000).toFixed(1)} ms each`, `mdeliver: ${fmtSecs(q)}, ${(q / k * 1000).toFixed(1)} ms each`, speedRatio(o, q), '—', null, 'one process per message: start-up bound'));
  }
  return rows;
}

await runAlone(import.meta.url, run);
