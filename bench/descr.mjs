// blaze descr on a large generated message (a text part and several base64
// attachments): MB/s and peak RSS, 100 MB against 1 GB to show RSS flat in
// the size; mblaze's `mshow -t` on the same file as the peer, and `cat` as
// the floor. Goal (issue 2): >= 500 MB/s, peak RSS <= 64 MB.
// BENCH_DESCR_MB sets the sizes (default "100,1024"). Run: npm run bench -- descr
import { spawnSync } from 'node:child_process';
import { mkdirSync, existsSync, openSync, writeSync, closeSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const data = join(root, 'bench/.data');
mkdirSync(data, { recursive: true });
const blaze = join(root, 'bin/blaze');
const sizes = (process.env.BENCH_DESCR_MB ?? '100,1024').split(',').map(Number);
const ATTACHMENTS = 4;

/** A multipart/mixed message of about `mb` MB: a text part, then base64 attachments of random bytes. */
function makeMessage(mb) {
  const path = join(data, `descr-${mb}MB.eml`);
  if (existsSync(path) && statSync(path).size > mb * 1e6 * 0.99) return path;
  const fd = openSync(path, 'w');
  const w = (s) => writeSync(fd, typeof s === 'string' ? Buffer.from(s) : s);
  w('From: bench@example.org\r\nTo: you@example.org\r\nSubject: descr bench\r\nMIME-Version: 1.0\r\n');
  w('Content-Type: multipart/mixed; boundary="=_bench_boundary"\r\n\r\n--=_bench_boundary\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nhello\r\n');
  const block = randomBytes(57 * 18000); // 57 bytes = one 76-column line
  const perAttachment = Math.floor((mb * 1e6) / ATTACHMENTS / 1.37 / block.length) || 1;
  for (let a = 0; a < ATTACHMENTS; a++) {
    w(`--=_bench_boundary\r\nContent-Type: application/octet-stream; name="part${a}.bin"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="part${a}.bin"\r\n\r\n`);
    for (let i = 0; i < perAttachment; i++) {
      block[i % block.length] ^= 0xff;
      w(block.toString('base64').replace(/.{76}/g, '$&\r\n'));
    }
  }
  w('--=_bench_boundary--\r\n');
  closeSync(fd);
  return path;
}

function measure(cmd) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', 'sh', '-c', cmd], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd}: exit ${r.status}: ${r.stderr}`);
  const [secs, kb] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
  return { secs, rssMB: kb / 1024 };
}

export function run() {
  const rows = [];
  for (const mb of sizes) {
    const file = makeMessage(mb);
    const size = statSync(file).size / 1e6;
    const tools = [
      ['cat (floor)', `cat ${file} > /dev/null`],
      ['blaze descr', `${blaze} descr ${file} > /dev/null`],
      ['blaze descr < stdin', `${blaze} descr < ${file} > /dev/null`],
    ];
    if (spawnSync('sh', ['-c', 'command -v mshow']).status === 0) tools.push(['mshow -t (mblaze)', `mshow -t ${file} > /dev/null`]);
    for (const [tool, cmd] of tools) {
      const m = measure(cmd);
      rows.push({ sizeMB: Math.round(size), tool, secs: m.secs, mbps: Math.round(size / Math.max(m.secs, 0.01)), rssMB: Math.round(m.rssMB) });
    }
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log('size_MB  tool                  seconds  MB/s   peak_RSS_MB');
  for (const r of run()) console.log(`${String(r.sizeMB).padEnd(8)} ${r.tool.padEnd(21)} ${r.secs.toFixed(2).padStart(7)}  ${String(r.mbps).padStart(5)}  ${String(r.rssMB).padStart(6)}`);
}
