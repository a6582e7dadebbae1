// blaze hdr -d (every header field, unfolded and decoded) against mblaze's
// `mhdr -d` on the same generated messages of 4 KB, 100 KB and 10 MB,
// alternately. Both read the header and stop, so the times are mostly
// start-up; the 10 MB row shows neither reads the body. No goal (informative).
// Alone: node bench/hdr.mjs [--quick] [--reps N]
import { BLAZE, alternate, fmtSecs, have, med, repsFor, row, runAlone, speedRatio, timeCmd } from './lib.mjs';
import { mimeMessage } from './inputs.mjs';

export async function run(opts) {
  const rows = [];
  const reps = repsFor(opts, 10);
  for (const label of opts.quick ? ['4KB'] : ['4KB', '100KB', '10MB']) {
    const file = mimeMessage(label);
    const runners = { ours: () => timeCmd(`${BLAZE} hdr -d ${file} > /dev/null`) };
    if (have('mhdr')) runners.peer = () => timeCmd(`mhdr -d ${file} > /dev/null`);
    const r = await alternate(reps, runners);
    const ours = med(r.ours, 'secs');
    if (!r.peer) rows.push(row(`hdr -d ${label}`, fmtSecs(ours), 'mhdr: not installed (apt-get install mblaze)', '—'));
    else rows.push(row(`hdr -d ${label}`, fmtSecs(ours), `mhdr -d: ${fmtSecs(med(r.peer, 'secs'))}`, speedRatio(ours, med(r.peer, 'secs')), '—', null, label === '4KB' ? `${reps} alternate run(s) each; mhdr is C and starts in about 1 ms` : ''));
  }
  return rows;
}

await runAlone(import.meta.url, run);
