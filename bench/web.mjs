// The web inbox at scale: `blaze web` over a Maildir of 100,000 messages
// (the same Maildir bench/mdir.mjs makes: half in new/, half in cur/).
// Measured from a cold server each round: time from start to the first page
// of the list (GET /api/v1/messages, 50 summaries), then a header search
// (from:, which needs every message's index entry: the first one reads them), the same
// search again (index kept), a free-text search (reads every message's
// text), and the server's peak RSS (VmHWM). Goal (issue 20): peak RSS
// <= 128 MB. Mailpit publishes no list or search latency to compare with
// (its README gives SMTP ingestion of 100-200 messages/s and prunes to 500
// messages by default), so the rows have no peer.
// Alone: node bench/web.mjs [--quick] [--reps N]
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BLAZE, DATA, fmtMB, fmtSecs, log, max, med, repsFor, row, runAlone } from './lib.mjs';

/** The Maildir of bench/mdir.mjs (same names and contents, so one run makes it for both). */
function maildir(n) {
  const dir = join(DATA, `maildir-${n}`);
  const count = () => readdirSync(join(dir, 'new')).length + readdirSync(join(dir, 'cur')).length;
  if (existsSync(join(dir, 'cur')) && count() === n) return dir;
  rmSync(dir, { recursive: true, force: true });
  for (const sub of ['tmp', 'new', 'cur']) mkdirSync(join(dir, sub), { recursive: true });
  for (let i = 0; i < n; i++) {
    const body = `From: =?utf-8?q?Sender_${i}?= <s${i}@example.org>\r\nTo: bob@example.net\r\nSubject: message ${i}\r\nDate: Thu, 30 Mar 2017 15:00:00 +0200\r\nMessage-ID: <${i}@example.org>\r\n\r\n${'Some body text for the message.\r\n'.repeat(30)}`;
    const name = `1700000000.M${i}P1Q${i}.bench`;
    writeFileSync(i % 2 ? join(dir, 'cur', `${name}:2,S`) : join(dir, 'new', name), body);
  }
  return dir;
}

const peakMB = (pid) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

async function timed(url, check) {
  const t0 = performance.now();
  const r = await fetch(url);
  const body = await r.json();
  const secs = (performance.now() - t0) / 1000;
  if (!r.ok || !check(body)) throw new Error(`${url}: unexpected answer ${JSON.stringify(body).slice(0, 200)}`);
  return secs;
}

/** One cold server: start, first page, searches, peak RSS. */
async function round(dir, n) {
  const t0 = performance.now();
  const p = spawn(BLAZE, ['web', dir, '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  p.stderr.on('data', (d) => (err += d));
  try {
    const port = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`blaze web did not start: ${err}`)), 120_000);
      p.stderr.on('data', () => {
        const m = /listening on http:\/\/127\.0\.0\.1:(\d+)\//.exec(err);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      p.on('exit', (c) => reject(new Error(`blaze web exited ${c}: ${err}`)));
    });
    const base = `http://127.0.0.1:${port}/api/v1`;
    const listening = (performance.now() - t0) / 1000;
    const page = await timed(`${base}/messages?limit=50`, (b) => b.total === n && b.messages.length === 50);
    const firstPage = (performance.now() - t0) / 1000;
    const want = Math.floor(n / 2);
    // from:s{want}@ matches exactly one sender; every summary is needed to know it.
    const q = encodeURIComponent(`from:s${want}@example.org`);
    const search = await timed(`${base}/messages?query=${q}`, (b) => b.total === 1);
    const again = await timed(`${base}/messages?query=${q}`, (b) => b.total === 1);
    const text = await timed(`${base}/messages?query=${encodeURIComponent('"body text" -zebra')}&limit=50`, (b) => b.total === n);
    const deep = await timed(`${base}/messages?start=${n - 50}&limit=50`, (b) => b.messages.length === 50);
    return { listening, page, firstPage, search, again, text, deep, rssMB: peakMB(p.pid) };
  } finally {
    p.kill('SIGTERM');
    await new Promise((r) => (p.exitCode !== null ? r() : p.on('exit', r)));
  }
}

export async function run(opts) {
  const n = opts.quick ? 2000 : 100_000;
  const t = Date.now();
  const dir = maildir(n);
  log(`  maildir of ${n} ready in ${Date.now() - t} ms`);
  const reps = repsFor(opts, 3);
  const runs = [];
  // One untimed pass through the files puts them in the page cache, as mdir does.
  await round(dir, n);
  for (let i = 0; i < reps; i++) runs.push(await round(dir, n));
  const name = `web, ${n.toLocaleString('en-US')} messages`;
  const rss = max(runs, 'rssMB');
  const note = `${reps} cold server(s); no peer: Mailpit publishes no list/search latency (its README: 100-200 msg/s SMTP ingestion, 500 messages kept by default)`;
  return [
    row(`${name}: start to first page (50)`, `${fmtSecs(med(runs, 'firstPage'))} (listening ${fmtSecs(med(runs, 'listening'))}, page ${fmtSecs(med(runs, 'page'))})`, '—', '—', '—', null, note),
    row(`${name}: search from: (cold, then kept)`, `${fmtSecs(med(runs, 'search'))}, then ${fmtSecs(med(runs, 'again'))}`, '—', '—', '—', null, 'the first search reads every header (of multiparts, the whole message, to count attachments); the search index is then kept'),
    row(`${name}: free-text search of every body`, fmtSecs(med(runs, 'text')), '—', '—', '—', null, 'reads and decodes the text of every message'),
    row(`${name}: last page (start=${n - 50})`, fmtSecs(med(runs, 'deep')), '—', '—', '—', null, ''),
    row(`${name}: peak RSS`, fmtMB(rss), '—', '—', '<= 128 MB', rss <= 128, 'VmHWM of the server after all the requests above'),
  ];
}

await runAlone(import.meta.url, run);
