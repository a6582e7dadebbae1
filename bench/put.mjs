// blaze put of a large binary file (appended as a base64 part to a small
// multipart message) against `base64 -w 76` on the same file, alternately:
// time, MB/s and peak RSS at 64 MiB and 1 GiB (RSS flat in the size).
// Goal (issue 3): peak RSS <= 64 MB; base64 is the physical baseline.
// Alone: node bench/put.mjs [--quick] [--reps N]
import { BLAZE, alternate, fmtMB, fmtSecs, max, med, repsFor, row, runAlone, speedRatio, timeCmd } from './lib.mjs';
import { multipartShell, randomFile } from './inputs.mjs';

export async function run(opts) {
  const rows = [];
  const shell = multipartShell();
  const sizes = opts.quick ? [[16, 1]] : [[64, repsFor(opts, 5)], [1024, repsFor(opts, 3)]];
  for (const [mib, reps] of sizes) {
    const file = randomFile(mib);
    const mb = (mib * 1048576) / 1e6;
    const r = await alternate(reps, {
      ours: () => timeCmd(`${BLAZE} put ${file} ${shell} > /dev/null`),
      peer: () => timeCmd(`base64 -w 76 ${file} > /dev/null`),
    });
    const ours = med(r.ours, 'secs');
    const peer = med(r.peer, 'secs');
    const rss = max(r.ours, 'rssMB');
    rows.push(
      row(
        `put ${mib >= 1024 ? `${mib / 1024} GiB` : `${mib} MiB`} (random bytes -> base64 part)`,
        `${fmtSecs(ours)}, ${Math.round(mb / ours)} MB/s, ${fmtMB(rss)} RSS`,
        `base64 -w 76: ${fmtSecs(peer)}, ${Math.round(mb / peer)} MB/s, ${fmtMB(max(r.peer, 'rssMB'))} RSS`,
        speedRatio(ours, peer),
        'RSS <= 64 MB',
        rss <= 64,
        `${reps} alternate run(s)`,
      ),
    );
  }
  return rows;
}

await runAlone(import.meta.url, run);
