// blaze descr on a large generated message (a text part and four base64
// attachments): MB/s and peak RSS at 100 MB and 1 GB (RSS must not grow with
// the size), against mblaze's `mshow -t` on the same file, alternately.
// Python's email package (BytesParser, then each part's decoded payload) on
// the 100 MB file as a second peer. Goal (issue 2): >= 500 MB/s, RSS <= 64 MB.
// Alone: node bench/descr.mjs [--quick] [--reps N]
import { statSync } from 'node:fs';
import { BLAZE, PY, alternate, fmtMB, fmtSecs, have, max, med, repsFor, row, runAlone, speedRatio, timeCmd } from './lib.mjs';
import { mimeMessage } from './inputs.mjs';

const PY_DESCR = `import sys, email, email.policy
m = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=email.policy.default)
for p in m.walk():
    if not p.is_multipart(): print(p.get_content_type(), len(p.get_payload(decode=True) or b''))`;

export async function run(opts) {
  const rows = [];
  const sizes = opts.quick ? [['10MB', 1]] : [['100MB', repsFor(opts, 5)], ['1GB', repsFor(opts, 3)]];
  const mshow = have('mshow');
  for (const [label, reps] of sizes) {
    const file = mimeMessage(label);
    const mb = statSync(file).size / 1e6;
    const runners = { ours: () => timeCmd(`${BLAZE} descr ${file} > /dev/null`) };
    if (mshow) runners.mshow = () => timeCmd(`mshow -t ${file} > /dev/null`);
    if (label !== '1GB') runners.python = () => timeCmd(`${PY} -c "${PY_DESCR}" ${file} > /dev/null`);
    const r = await alternate(reps, runners);
    const ours = med(r.ours, 'secs');
    const rss = max(r.ours, 'rssMB');
    const rate = mb / ours;
    const oursText = `${fmtSecs(ours)}, ${Math.round(rate)} MB/s, ${fmtMB(rss)} RSS`;
    const peerText = (name, m) => `${name}: ${fmtSecs(med(m, 'secs'))}, ${Math.round(mb / med(m, 'secs'))} MB/s, ${fmtMB(max(m, 'rssMB'))} RSS`;
    const goal = '>= 500 MB/s, RSS <= 64 MB';
    // The rate goal is about large messages: below about 100 MB start-up dominates.
    const met = mb >= 90 ? rate >= 500 && rss <= 64 : null;
    const name = `descr ${label} (${Math.round(mb)} MB, 4 base64 parts)`;
    if (mshow) rows.push(row(name, oursText, peerText('mshow -t', r.mshow), speedRatio(ours, med(r.mshow, 'secs')), goal, met, `${reps} alternate run(s); RSS is the largest of the runs`));
    else rows.push(row(name, oursText, 'mshow: not installed (apt-get install mblaze)', '—', goal, met));
    if (r.python) rows.push(row(`descr ${label} vs python3 email`, oursText, peerText('python3 email', r.python), speedRatio(ours, med(r.python, 'secs'))));
  }
  return rows;
}

await runAlone(import.meta.url, run);
