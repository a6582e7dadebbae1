// blaze put of a large binary file: throughput and peak RSS, against
// `base64 -w 76` on the same file as the baseline. Goal (issue 3): peak RSS
// <= 64 MB and flat in the file size. BENCH_PUT_MB sets the sizes (default
// "64,1024"). Run: npm run build && node bench/put.mjs
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, existsSync, openSync, writeSync, closeSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const data = join(root, 'bench/.data');
mkdirSync(data, { recursive: true });
const blaze = join(root, 'bin/blaze');
const sizes = (process.env.BENCH_PUT_MB ?? '64,1024').split(',').map(Number);

const msg = join(data, 'put-multipart.eml');
writeFileSync(msg, 'Subject: bench\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="B"\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nhello\r\n--B--\r\n');

function makeFile(mb) {
  const path = join(data, `put-${mb}MB.bin`);
  if (existsSync(path) && statSync(path).size === mb * 1024 * 1024) return path;
  const fd = openSync(path, 'w');
  const block = randomBytes(1024 * 1024);
  for (let i = 0; i < mb; i++) {
    block[i % block.length] ^= 0xff; // not the same megabyte over and over
    writeSync(fd, block);
  }
  closeSync(fd);
  return path;
}

/** Runs a shell command under /usr/bin/time: seconds and peak RSS in MB. */
function measure(cmd) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', 'sh', '-c', cmd], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr}`);
  const [secs, kb] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
  return { secs, rssMB: kb / 1024 };
}

console.log('size_MB  tool                     seconds  MB/s    peak_RSS_MB');
for (const mb of sizes) {
  const file = makeFile(mb);
  const rows = [
    ['base64 -w 76', `base64 -w 76 ${file} > /dev/null`],
    ['blaze put (auto)', `${process.execPath} ${blaze} put ${file} ${msg} > /dev/null`],
    ['blaze put --encoding base64', `${process.execPath} ${blaze} put --encoding base64 ${file} ${msg} > /dev/null`],
    ['blaze put (into a pipe)', `${process.execPath} ${blaze} put ${file} ${msg} | cat > /dev/null`],
    ['blaze put (stdin content)', `cat ${file} | ${process.execPath} ${blaze} put --type application/octet-stream - ${msg} > /dev/null`],
  ];
  const base = measure(rows[0][1]);
  for (const [name, cmd] of rows) {
    const m = name === rows[0][0] ? base : measure(cmd);
    const ratio = name === rows[0][0] ? '' : `  (${(m.secs / Math.max(base.secs, 0.01)).toFixed(2)}x base64)`;
    console.log(`${String(mb).padStart(7)}  ${name.padEnd(26)} ${m.secs.toFixed(2).padStart(7)}  ${(mb / Math.max(m.secs, 0.01)).toFixed(0).padStart(5)}  ${m.rssMB.toFixed(1).padStart(8)}${ratio}`);
  }
}
