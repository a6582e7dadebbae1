// mbox at scale, on a generated mboxrd of 40,000 messages (about 260 MB:
// realistic headers, text bodies with `From ` lines to unquote, 5% with a
// base64 attachment, half with Status/X-Status):
//   - `blaze mbox list` against `formail -s` (procmail's splitter, its
//     output to /dev/null: the scan alone) and Python's mailbox.mbox reading
//     From, Subject and Date of every message;
//   - `blaze mbox split --maildir --sync` against mblaze's `mdeliver -M`
//     (both fsync every message), and `split --maildir` without fsync
//     against Python's mailbox.Maildir (which does not fsync);
//   - `blaze mbox make` of that Maildir against mblaze's `mexport`.
// Time (median) and peak RSS. No goal (context).
// Alone: node bench/mbox.mjs [--quick] [--reps N]
import { closeSync, existsSync, mkdirSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { BLAZE, DATA, PY, alternate, fmtMB, fmtSecs, have, log, max, med, repsFor, row, runAlone, speedRatio, timeCmd } from './lib.mjs';

/** A deterministic generator (xorshift32), so every run builds the same mbox. */
function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}

const WORDS = 'the of and to in is that for it as was with be by on not he this are or his from at which but have an they you were her she there been one all we their has would when if so no will more can out said other into who its about time them up only also these'.split(' ');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

export function makeMbox(n) {
  const path = join(DATA, `mbox-${n}.mbox`);
  if (existsSync(path) && statSync(path).size > n * 1000) return path;
  const t0 = Date.now();
  const rand = rng(n);
  const fd = openSync(path, 'w');
  const attachment = Buffer.alloc(45 * 1024);
  for (let i = 0; i < attachment.length; i++) attachment[i] = Math.floor(rand() * 256);
  const b64 = attachment.toString('base64').replace(/.{76}/g, '$&\n');
  let buf = [];
  let size = 0;
  const flush = () => {
    writeSync(fd, buf.join(''));
    buf = [];
    size = 0;
  };
  for (let i = 0; i < n; i++) {
    const t = Date.UTC(2020, 0, 1) + i * 600_000 + Math.floor(rand() * 600_000);
    const d = new Date(t);
    const asctime = `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${d.toISOString().slice(11, 19)} ${d.getUTCFullYear()}`;
    const sender = `user${i % 997}@example${i % 13}.org`;
    const words = (k) => Array.from({ length: k }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' ');
    const subject = i % 10 === 0 ? `=?utf-8?q?R=C3=A9union_${i}?=` : `${words(6)} ${i}`;
    const lines = [
      `From ${sender} ${asctime}`,
      `Return-Path: <${sender}>`,
      `Received: from mx${i % 7}.example.net (mx${i % 7}.example.net [192.0.2.${i % 250}]) by mail.example.org with ESMTPS id ${i.toString(36)}; ${d.toUTCString().replace('GMT', '+0000')}`,
      `Received: from client.example${i % 13}.org by mx${i % 7}.example.net with ESMTPSA; ${d.toUTCString().replace('GMT', '+0000')}`,
      `From: User ${i % 997} <${sender}>`,
      'To: Alice Example <alice@example.org>',
      `Subject: ${subject}`,
      `Date: ${d.toUTCString().replace('GMT', '+0000')}`,
      `Message-ID: <${i}.${t}@example${i % 13}.org>`,
      'MIME-Version: 1.0',
    ];
    if (i % 2) lines.push('Status: RO', i % 4 === 1 ? 'X-Status: A' : 'X-Status: ');
    const attach = i % 20 === 7;
    if (attach) lines.push('Content-Type: multipart/mixed; boundary="b"', '', '--b', 'Content-Type: text/plain; charset=utf-8', '');
    else lines.push('Content-Type: text/plain; charset=utf-8', '');
    const paragraphs = 2 + Math.floor(rand() * 12);
    for (let p = 0; p < paragraphs; p++) {
      const k = 2 + Math.floor(rand() * 8);
      for (let l = 0; l < k; l++) lines.push(words(10 + Math.floor(rand() * 4)));
      if (rand() < 0.2) lines.push('>From the quoted reply, a line that was already quoted');
      if (rand() < 0.3) lines.push('>From here on, as mboxrd writes a body line that starts with From');
      lines.push('');
    }
    if (attach) lines.push('--b', 'Content-Type: application/octet-stream; name="data.bin"', 'Content-Transfer-Encoding: base64', '', b64, '--b--', '');
    const text = lines.join('\n') + '\n';
    buf.push(text);
    size += text.length;
    if (size > 1 << 20) flush();
  }
  flush();
  closeSync(fd);
  log(`  made ${path} (${Math.round(statSync(path).size / 1e6)} MB) in ${Date.now() - t0} ms`);
  return path;
}

const PY_LIST = `
import mailbox, sys
n = 0
for m in mailbox.mbox(sys.argv[1]):
    m['from']; m['subject']; m['date']
    n += 1
print(n)
`;

const PY_SPLIT = `
import mailbox, sys
md = mailbox.Maildir(sys.argv[2], create=True)
for m in mailbox.mbox(sys.argv[1]):
    md.add(mailbox.MaildirMessage(m))
`;

export async function run(opts) {
  const n = opts.quick ? 400 : 40_000;
  const box = makeMbox(n);
  const mbSize = statSync(box).size / 1e6;
  const reps = repsFor(opts, 3);
  const label = `${n.toLocaleString('en-US')} messages, ${Math.round(mbSize)} MB`;
  const rows = [];
  timeCmd(`cat ${box} > /dev/null`); // page cache warm for everyone

  // list
  const listRunners = { ours: () => timeCmd(`${BLAZE} mbox list ${box} > /dev/null`) };
  if (have('formail')) listRunners.formail = () => timeCmd(`formail -s < ${box} > /dev/null`);
  if (existsSync(PY)) listRunners.python = () => timeCmd(`${PY} -c "${PY_LIST.replace(/"/g, '\\"')}" ${box} > /dev/null`);
  const l = await alternate(reps, listRunners);
  const ours = med(l.ours, 'secs');
  const oursText = `${fmtSecs(ours)} (${Math.round(mbSize / ours)} MB/s), ${fmtMB(max(l.ours, 'rssMB'))} RSS`;
  if (l.formail) rows.push(row(`mbox list, ${label} vs formail -s`, oursText, `formail -s: ${fmtSecs(med(l.formail, 'secs'))}, ${fmtMB(max(l.formail, 'rssMB'))} RSS`, speedRatio(ours, med(l.formail, 'secs')), '—', null, `${reps} alternate run(s); formail only finds the boundaries (Content-Length aware), blaze also decodes From/Subject/Date`));
  if (l.python) rows.push(row(`mbox list, ${label} vs Python mailbox`, oursText, `Python mailbox.mbox: ${fmtSecs(med(l.python, 'secs'))}, ${fmtMB(max(l.python, 'rssMB'))} RSS`, speedRatio(ours, med(l.python, 'secs')), '—', null, 'Python parses each message whole to read From, Subject and Date'));

  // split into a Maildir
  const target = join(DATA, `mbox-split-${process.pid}`);
  const fresh = () => {
    rmSync(target, { recursive: true, force: true });
    for (const s of ['cur', 'new', 'tmp']) mkdirSync(join(target, s), { recursive: true });
    return target;
  };
  const splitRunners = {
    oursSync: () => timeCmd(`${BLAZE} mbox split --maildir --sync ${fresh()} ${box} > /dev/null`),
    ours: () => timeCmd(`${BLAZE} mbox split --maildir ${fresh()} ${box} > /dev/null`),
  };
  if (have('mdeliver')) splitRunners.mdeliver = () => timeCmd(`mdeliver -M ${fresh()} < ${box}`);
  if (existsSync(PY)) splitRunners.python = () => timeCmd(`${PY} -c "${PY_SPLIT.replace(/"/g, '\\"')}" ${box} ${fresh()}`);
  const s = await alternate(reps, splitRunners);
  const sync = med(s.oursSync, 'secs');
  const nosync = med(s.ours, 'secs');
  if (s.mdeliver) rows.push(row(`mbox split --maildir --sync, ${label} vs mdeliver -M`, `${fmtSecs(sync)}, ${fmtMB(max(s.oursSync, 'rssMB'))} RSS`, `mdeliver -M: ${fmtSecs(med(s.mdeliver, 'secs'))}, ${fmtMB(max(s.mdeliver, 'rssMB'))} RSS`, speedRatio(sync, med(s.mdeliver, 'secs')), '—', null, 'both fsync every message (blaze also fsyncs the folder); the machine is shared, fsync times vary'));
  if (s.python) rows.push(row(`mbox split --maildir, ${label} vs Python mailbox.Maildir`, `${fmtSecs(nosync)}, ${fmtMB(max(s.ours, 'rssMB'))} RSS`, `Python: ${fmtSecs(med(s.python, 'secs'))}, ${fmtMB(max(s.python, 'rssMB'))} RSS`, speedRatio(nosync, med(s.python, 'secs')), '—', null, 'neither fsyncs'));

  // make: the Maildir back into an mbox
  fresh();
  timeCmd(`${BLAZE} mbox split --maildir ${target} ${box} > /dev/null`);
  if (have('mexport') && have('mlist')) {
    const m = await alternate(reps, {
      ours: () => timeCmd(`${BLAZE} mbox make ${target} > /dev/null`),
      mexport: () => timeCmd(`mlist ${target} | mexport > /dev/null`),
    });
    const o = med(m.ours, 'secs');
    rows.push(row(`mbox make, ${label} (a Maildir) vs mlist | mexport`, `${fmtSecs(o)}, ${fmtMB(max(m.ours, 'rssMB'))} RSS`, `mexport: ${fmtSecs(med(m.mexport, 'secs'))}, ${fmtMB(max(m.mexport, 'rssMB'))} RSS`, speedRatio(o, med(m.mexport, 'secs')), '—', null, 'blaze sorts by delivery (unique name); mexport takes mlist order'));
  }
  rmSync(target, { recursive: true, force: true });
  return rows;
}

await runAlone(import.meta.url, run);
