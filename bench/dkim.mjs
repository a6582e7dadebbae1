// DKIM verification speed (not a test; `node bench/dkim.mjs`, after `npm run build`).
// 1. `blaze dkim verify` of one message with a big body (BENCH_DKIM_MB, default
//    1024 MB), simple and relaxed, against `openssl dgst -sha256` over the same
//    file: MB/s and peak RSS (GNU time). Goal: >= 50% of openssl, <= 64 MB.
// 2. A batch of BENCH_DKIM_N (default 10,000) small messages (rsa-sha256 2048,
//    every 10th ed25519-sha256), verified by one `blaze dkim verify` (one process: xargs -s)
//    process and by dkimpy (/usr/bin/python3, dkim.verify with a dnsfunc) in
//    one Python process: messages/s. Goal: blaze >= 5x dkimpy.
// Data is built under bench/.data and reused.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, existsSync, openSync, writeSync, closeSync, readdirSync, statSync } from 'node:fs';
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const MB = Number(process.env.BENCH_DKIM_MB ?? 1024);
const N = Number(process.env.BENCH_DKIM_N ?? 10_000);
const data = join(root, 'bench/.data', 'dkim');
const blaze = join(root, 'bin/blaze');
const fx = join(root, 'fixtures/dkim');
mkdirSync(data, { recursive: true });

function measure(label, shell, bytes) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', 'sh', '-c', shell], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const last = r.stderr.trim().split('\n').pop() ?? '';
  const [secs, kb] = last.split(' ').map(Number);
  const row = { label, seconds: secs, peakMB: Math.round(kb / 1024), status: r.status };
  if (bytes) row.MBps = Math.round(bytes / 1e6 / secs);
  return row;
}

// ---------------------------------------------------------------- 1. large body
const body = join(data, `body-${MB}MB.eml`);
if (!existsSync(body)) {
  // Text lines with what relaxed canonicalisation has to handle now and then:
  // double spaces, a tab, trailing whitespace.
  const lines = [];
  for (let i = 0; i < 64; i++) {
    let l = `Line ${String(i).padStart(3, '0')} of a plain text report, with words and numbers 0123456789.`;
    if (i % 16 === 3) l += '  ';
    if (i % 16 === 7) l = l.replace('plain text', 'plain  text');
    if (i % 32 === 11) l = l.replace('words', 'words\tand');
    lines.push(l);
  }
  const block = Buffer.from(lines.join('\r\n').concat('\r\n').repeat(128));
  const fd = openSync(body, 'w');
  writeSync(fd, 'From: Alice <alice@example.org>\r\nTo: bob@example.net\r\nSubject: a big report\r\nDate: Tue, 02 Jan 2024 10:00:00 +0000\r\n\r\n');
  for (let n = 0; n < MB * 1e6; n += block.length) writeSync(fd, block);
  closeSync(fd);
}
const rows = [];
for (const c of ['simple', 'relaxed']) {
  const signed = join(data, `signed-${c}-${MB}MB.eml`);
  if (!existsSync(signed)) {
    const s = spawnSync('sh', ['-c', `${process.execPath} ${blaze} dkim sign -s rsa -d example.org -k ${fx}/rsa.pem -c ${c} ${body} > ${signed}`]);
    if (s.status !== 0) throw new Error(`sign failed: ${s.stderr}`);
  }
  const bytes = statSync(signed).size;
  rows.push(measure(`blaze dkim verify (${c}/${c}, ${MB} MB)`, `${process.execPath} ${blaze} dkim verify --dns-static ${fx}/dns --offline ${signed} > /dev/null`, bytes));
  if (c === 'simple') rows.push(measure(`openssl dgst -sha256 (${MB} MB)`, `openssl dgst -sha256 ${signed} > /dev/null`, bytes));
}
const ssl = rows.find((r) => r.label.startsWith('openssl'));
for (const r of rows) if (r.MBps && r !== ssl) r.vsOpenssl = `${Math.round((100 * r.MBps) / ssl.MBps)}%`;

// ---------------------------------------------------------------- 2. batch
const batch = join(data, `batch-${N}`);
if (!existsSync(batch) || readdirSync(batch).length !== N) {
  // Signed in-process by blaze's own signer (bundled from src/ with esbuild):
  // nine in ten rsa-sha256 (2048-bit, as most mail), one in ten ed25519-sha256.
  // Both verifiers must pass all of them; the counts are checked below.
  const { build } = await import('esbuild');
  const lib = join(data, 'dkim-lib.mjs');
  await build({ entryPoints: [join(root, 'src/dkim/index.ts')], bundle: true, platform: 'node', format: 'esm', outfile: lib, logLevel: 'warning',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" } });
  const { DkimSigner, loadPrivateKey } = await import(lib);
  const rsa = loadPrivateKey(readFileSync(join(fx, 'rsa.pem'))).value;
  const ed = loadPrivateKey(readFileSync(join(fx, 'ed.pem'))).value;
  mkdirSync(batch, { recursive: true });
  for (let i = 0; i < N; i++) {
    const m = Buffer.from(`From: Sender ${i} <s${i}@example.org>\r\nTo: bob@example.net\r\nSubject: message ${i}\r\nDate: Tue, 02 Jan 2024 10:00:00 +0000\r\nMessage-ID: <${i}@example.org>\r\n\r\n${`Some body text for message ${i}.\r\n`.repeat(30)}`);
    const signer = new DkimSigner({ key: i % 10 === 9 ? ed : rsa, domain: 'example.org', selector: i % 10 === 9 ? 'ed' : 'rsa', fields: ['from', 'to', 'subject', 'date', 'message-id'] });
    signer.push(m);
    const r = signer.finish();
    writeFileSync(join(batch, `m${String(i).padStart(6, '0')}.eml`), Buffer.concat([Buffer.from(r.field, 'latin1'), m]));
  }
}
const list = join(data, `batch-${N}.list`);
writeFileSync(list, readdirSync(batch).map((f) => join(batch, f)).join('\n'));
const pyVerify = `
import dkim, sys, os
d = sys.argv[1]
def dnsfunc(name, timeout=5):
    p = os.path.join(d, name.decode().rstrip('.') + '.dns')
    return open(p).read().split('txt:', 1)[1].strip().encode() if os.path.exists(p) else None
ok = sum(1 for f in open(sys.argv[2]).read().split('\\n') if dkim.verify(open(f, 'rb').read(), dnsfunc=dnsfunc))
print(ok)
`;
const b = measure(`blaze dkim verify, batch of ${N}`, `xargs -s 1800000 -a ${list} ${process.execPath} ${blaze} dkim verify --dns-static ${fx}/dns --offline | grep -c '^\\[OK\\]' > ${data}/blaze-ok.txt`);
const p = measure(`dkimpy dkim.verify, batch of ${N}`, `/usr/bin/python3 -c "${pyVerify.replace(/"/g, '\\"')}" ${fx}/dns ${list} > ${data}/dkimpy-ok.txt`);
b.passed = Number(readFileSync(join(data, 'blaze-ok.txt'), 'utf8'));
p.passed = Number(readFileSync(join(data, 'dkimpy-ok.txt'), 'utf8'));
for (const r of [b, p]) r.msgsPerSec = Math.round(N / r.seconds);
b.vsDkimpy = `${(p.seconds / b.seconds).toFixed(1)}x`;
rows.push(b, p);
console.table(rows);
