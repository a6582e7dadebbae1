// Hostile shapes (issue 14): memory must stay flat whatever the shape.
// - descr on a message of tiny MIME parts (16 MB: about 1.5 million parts),
//   against mblaze's `mshow -t` on the same file;
// - dkim, dmarc and arc verify on a header of tiny fields (refused in one line
//   past the verifiers' bound, without reading on), dkimpy's dkimverify beside;
// - recv extract on a header of Received fields (1, 4, 16 MB).
// Each at 16 MB and 256 MB (recv: 1/4/16 MB); peak RSS is GNU time's %M.
// Goal: <= 64 MB peak RSS for every shape and size.
// Alone: node bench/hostile.mjs [--quick] [--reps N]
import { closeSync, existsSync, openSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { BLAZE, DATA, alternate, fmtMB, fmtSecs, have, max, med, repsFor, row, runAlone, speedRatio, timeCmd } from './lib.mjs';

const MB = 1024 * 1024;
const GOAL = 'RSS <= 64 MB';

/** A file of HEAD, then UNIT(i) repeated up to SIZE bytes, then TAIL (made once, reused). */
function shape(name, head, unit, size, tail) {
  const path = join(DATA, `hostile-${name}-${size / MB}MB.eml`);
  if (existsSync(path) && Math.abs(statSync(path).size - size) < size * 0.05) return path;
  const fd = openSync(path, 'w');
  writeSync(fd, head);
  let block = '';
  let written = 0;
  for (let i = 0; written < size; i++) {
    const u = unit(i);
    block += u;
    written += u.length;
    if (block.length >= MB) {
      writeSync(fd, block);
      block = '';
    }
  }
  writeSync(fd, block + tail);
  closeSync(fd);
  return path;
}

const parts = (size) => shape('parts', 'From: a@example.org\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n', () => '--b\r\n\r\nx\r\n', size, '--b--\r\n');
const fields = (size) => shape('fields', 'From: a@example.org\r\n', (i) => `X-F${i}: v\r\n`, size, '\r\nbody\r\n');
const hops = (size) =>
  shape('received', '', (i) => `Received: from mx${i}.example.net ([192.0.2.${i % 250}]) by mx.example.org with ESMTP id q${i}; Mon, 1 Jan 2024 00:${String(i % 60).padStart(2, '0')}:00 +0000\r\n`, size, 'From: a@example.org\r\n\r\nx\r\n');

const figures = (m) => `${fmtSecs(med(m, 'secs'))}, ${fmtMB(max(m, 'rssMB'))} RSS`;

export async function run(opts) {
  const rows = [];
  const sizes = opts.quick ? [MB] : [16 * MB, 256 * MB];
  const mshow = have('mshow');
  const dkimverify = have('dkimverify');
  for (const size of sizes) {
    const label = `${size / MB} MB`;
    const big = size > 16 * MB;
    const reps = big ? repsFor(opts, 1) : repsFor(opts, 3);
    // descr: every part is a few objects; the peer reads the same file.
    const p = parts(size);
    const runners = { ours: () => timeCmd(`${BLAZE} descr ${p} > /dev/null 2>&1`) };
    if (mshow && !big) runners.mshow = () => timeCmd(`mshow -t ${p} > /dev/null 2>&1`, { check: false });
    const r = await alternate(reps, runners);
    const met = max(r.ours, 'rssMB') <= 64;
    rows.push(row(`hostile: descr, ${label} of tiny parts`, figures(r.ours), r.mshow ? `mshow -t: ${figures(r.mshow)}` : '—', r.mshow ? speedRatio(med(r.ours, 'secs'), med(r.mshow, 'secs')) : '—', GOAL, met, `${reps} run(s); 2,000 parts listed, the rest counted`));
    // The verifiers on a header of tiny fields: refused past their bound.
    const f = fields(size);
    for (const cmd of ['dkim verify', 'dmarc verify', 'arc verify']) {
      const v = await alternate(reps, { ours: () => timeCmd(`${BLAZE} ${cmd} --offline ${f} > /dev/null 2>&1`, { check: false }) });
      const peer = cmd === 'dkim verify' && dkimverify && !big ? await alternate(1, { py: () => timeCmd(`dkimverify < ${f} > /dev/null 2>&1`, { check: false }) }) : undefined;
      rows.push(
        row(`hostile: ${cmd}, ${label} header of tiny fields`, figures(v.ours), peer ? `dkimverify: ${figures(peer.py)}` : '—', peer ? speedRatio(med(v.ours, 'secs'), med(peer.py, 'secs')) : '—', GOAL, max(v.ours, 'rssMB') <= 64, 'refused in one line (exit 2) past 2 MiB of kept fields'),
      );
    }
  }
  // recv extract on Received fields: time and memory stay flat past the 5,000 hops that make the route.
  const recvSizes = opts.quick ? [MB] : [MB, 4 * MB, 16 * MB];
  const times = [];
  for (const size of recvSizes) {
    const h = hops(size);
    const v = await alternate(repsFor(opts, 3), { ours: () => timeCmd(`${BLAZE} recv extract --delays ${h} > /dev/null 2>&1`) });
    times.push(med(v.ours, 'secs'));
    rows.push(row(`hostile: recv extract, ${size / MB} MB of Received fields`, figures(v.ours), '—', times.length > 1 ? `${(times[times.length - 1] / times[0]).toFixed(2)}x the 1 MB time` : '—', GOAL, max(v.ours, 'rssMB') <= 64, 'the first 5,000 hops make the route (RFC 5321 §6.3 counts 100), the rest are counted'));
  }
  return rows;
}

await runAlone(import.meta.url, run);
