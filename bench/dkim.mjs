// DKIM verification, three ways:
// 1. `blaze dkim verify` of one message with a 1 GB text body (simple and
//    relaxed) against `openssl dgst -sha256` over the same file (the physical
//    floor: one SHA-256 pass). Goal (issue 4): >= 50% of openssl's MB/s,
//    peak RSS <= 64 MB.
// 2. A batch of 10,000 small signed messages (nine in ten rsa-sha256 2048,
//    one in ten ed25519-sha256) in one blaze process against dkimpy in one
//    Python process (dkim.verify with a dnsfunc). Goal: >= 5x dkimpy.
//    Both must pass every message; the counts are checked.
// 3. In-process, the same messages held in memory: blaze's verifier (src/dkim,
//    bundled here) against mailauth's dkimVerify (npm), keys from the same
//    zone. No goal (context: the fastest node peer).
// Keys: fixtures/dkim (the zone in fixtures/dkim/dns), no network.
// Alone: node bench/dkim.mjs [--quick] [--reps N]
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { BLAZE, DATA, NODE, PY, ROOT, alternate, fmtMB, fmtRate, fmtSecs, max, med, median, repsFor, row, runAlone, speedRatio, timeCmd } from './lib.mjs';
import { DNS_ARGS, FIXTURES, mimeMessage, signedCopy } from './inputs.mjs';

const dir = join(DATA, 'dkim');
mkdirSync(dir, { recursive: true });

/** A message with a text body of `mb` MB: lines with what relaxed canonicalisation must rewrite now and then. */
function bigBody(mb) {
  const path = join(dir, `body-${mb}MB.eml`);
  if (existsSync(path) && statSync(path).size >= mb * 1e6) return path;
  const lines = [];
  for (let i = 0; i < 64; i++) {
    let l = `Line ${String(i).padStart(3, '0')} of a plain text report, with words and numbers 0123456789.`;
    if (i % 16 === 3) l += '  ';
    if (i % 16 === 7) l = l.replace('plain text', 'plain  text');
    if (i % 32 === 11) l = l.replace('words', 'words\tand');
    lines.push(l);
  }
  const block = Buffer.from(lines.join('\r\n').concat('\r\n').repeat(128));
  const fd = openSync(path, 'w');
  writeSync(fd, 'From: Alice <alice@example.org>\r\nTo: bob@example.net\r\nSubject: a big report\r\nDate: Tue, 02 Jan 2024 10:00:00 +0000\r\n\r\n');
  for (let n = 0; n < mb * 1e6; n += block.length) writeSync(fd, block);
  closeSync(fd);
  return path;
}

/** blaze's DKIM code bundled from src/ (the signer makes the corpus, the verifier runs in-process). */
let lib;
async function dkimLib() {
  if (lib) return lib;
  const { build } = await import('esbuild');
  const entry = join(dir, 'dkim-entry.mjs');
  writeFileSync(
    entry,
    `export * from ${JSON.stringify(join(ROOT, 'src/dkim/index.ts'))};\nexport { runSync } from ${JSON.stringify(join(ROOT, 'src/dns/run.ts'))};\nexport * as arc from ${JSON.stringify(join(ROOT, 'src/arc/index.ts'))};\n`,
  );
  const out = join(dir, 'dkim-lib.mjs');
  await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: out, logLevel: 'warning', banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" } });
  lib = await import(`${out}?${Date.now()}`);
  return lib;
}

/** N signed messages in a directory, and the list of their paths. */
async function corpus(n) {
  const batch = join(dir, `batch-${n}`);
  if (!existsSync(batch) || readdirSync(batch).length !== n) {
    const { DkimSigner, loadPrivateKey } = await dkimLib();
    const rsa = loadPrivateKey(readFileSync(join(FIXTURES, 'rsa.pem'))).value;
    const ed = loadPrivateKey(readFileSync(join(FIXTURES, 'ed.pem'))).value;
    mkdirSync(batch, { recursive: true });
    for (let i = 0; i < n; i++) {
      const m = Buffer.from(`From: Sender ${i} <s${i}@example.org>\r\nTo: bob@example.net\r\nSubject: message ${i}\r\nDate: Tue, 02 Jan 2024 10:00:00 +0000\r\nMessage-ID: <${i}@example.org>\r\n\r\n${`Some body text for message ${i}.\r\n`.repeat(30)}`);
      const isEd = i % 10 === 9;
      const signer = new DkimSigner({ key: isEd ? ed : rsa, domain: 'example.org', selector: isEd ? 'ed' : 'rsa', fields: ['from', 'to', 'subject', 'date', 'message-id'] });
      signer.push(m);
      writeFileSync(join(batch, `m${String(i).padStart(6, '0')}.eml`), Buffer.concat([Buffer.from(signer.finish().value.field, 'latin1'), m]));
    }
  }
  const files = readdirSync(batch).sort().map((f) => join(batch, f));
  const list = join(dir, `batch-${n}.list`);
  writeFileSync(list, files.join('\n'));
  return { files, list };
}

const PY_VERIFY = `import dkim, sys, os
d = sys.argv[1]
def dnsfunc(name, timeout=5):
    p = os.path.join(d, name.decode().rstrip('.') + '.dns')
    return open(p).read().split('txt:', 1)[1].strip().encode() if os.path.exists(p) else None
print(sum(1 for f in open(sys.argv[2]).read().split('\\n') if dkim.verify(open(f, 'rb').read(), dnsfunc=dnsfunc)))`;

/** The fixture zone as name -> TXT record text. */
function zone() {
  const z = new Map();
  for (const f of readdirSync(join(FIXTURES, 'dns'))) z.set(f.replace(/\.dns$/, ''), readFileSync(join(FIXTURES, 'dns', f), 'utf8').split('txt:', 1 + 1)[1].trim());
  return z;
}

export async function run(opts) {
  const rows = [];
  // ------------------------------------------------------------ 1. one big message
  const mb = opts.quick ? 8 : 1024;
  const body = bigBody(mb);
  for (const c of ['simple', 'relaxed']) {
    const signed = signedCopy(body, join('dkim', `signed-${c}-${mb}MB.eml`), c);
    const bytes = statSync(signed).size / 1e6;
    const r = await alternate(repsFor(opts, 3), {
      ours: () => timeCmd(`${BLAZE} dkim verify ${DNS_ARGS} ${signed} | grep -q '^\\[OK\\]'`),
      peer: () => timeCmd(`openssl dgst -sha256 ${signed} > /dev/null`),
    });
    const ours = med(r.ours, 'secs');
    const peer = med(r.peer, 'secs');
    const rss = max(r.ours, 'rssMB');
    const share = peer / ours;
    rows.push(
      row(
        `dkim verify ${mb >= 1024 ? '1 GB' : `${mb} MB`} body, ${c}/${c}`,
        `${fmtSecs(ours)}, ${Math.round(bytes / ours)} MB/s, ${fmtMB(rss)} RSS`,
        `openssl dgst -sha256: ${fmtSecs(peer)}, ${Math.round(bytes / peer)} MB/s`,
        `${speedRatio(ours, peer)} (${Math.round(share * 100)}% of openssl)`,
        '>= 50% of openssl MB/s, RSS <= 64 MB',
        share >= 0.5 && rss <= 64,
        c === 'simple' ? `${repsFor(opts, 3)} alternate run(s); the verify must print [OK]` : '',
      ),
    );
  }

  // ------------------------------------------------------------ 2. batch, one process each
  const n = opts.quick ? 200 : 10_000;
  const { files, list } = await corpus(n);
  const okBlaze = join(dir, 'blaze-ok.txt');
  const okPy = join(dir, 'dkimpy-ok.txt');
  const b = await alternate(repsFor(opts, 3), {
    ours: () => timeCmd(`xargs -s 1800000 -a ${list} ${BLAZE} dkim verify ${DNS_ARGS} | grep -c '^\\[OK\\]' > ${okBlaze}; true`),
    peer: () => timeCmd(`${PY} -c "${PY_VERIFY.replace(/"/g, '\\"')}" ${join(FIXTURES, 'dns')} ${list} > ${okPy}`),
  });
  const passB = Number(readFileSync(okBlaze, 'utf8'));
  const passP = Number(readFileSync(okPy, 'utf8'));
  const ours = med(b.ours, 'secs');
  const peer = med(b.peer, 'secs');
  rows.push(
    row(
      `dkim verify batch of ${n.toLocaleString('en-US')} (one process)`,
      `${fmtSecs(ours)}, ${fmtRate(n / ours, 'msg/s')}, ${passB} pass, ${fmtMB(max(b.ours, 'rssMB'))} RSS`,
      `dkimpy: ${fmtSecs(peer)}, ${fmtRate(n / peer, 'msg/s')}, ${passP} pass`,
      speedRatio(ours, peer),
      '>= 5x dkimpy',
      passB === n && passP === n ? peer / ours >= 5 : false,
      `${repsFor(opts, 3)} alternate run(s); 90% rsa-sha256 2048, 10% ed25519-sha256${passB === n && passP === n ? '' : ` (NOT all passed: blaze ${passB}, dkimpy ${passP} of ${n})`}`,
    ),
  );

  // ------------------------------------------------------------ 3. in-process vs mailauth
  let dkimVerify;
  try {
    ({ dkimVerify } = createRequire(import.meta.url)('mailauth/lib/dkim/verify'));
  } catch {
    rows.push(row('dkim verify in-process', '—', 'mailauth: not installed (npm ci)', '—'));
    return rows;
  }
  rows.push(await authCli(opts));
  const k = Math.min(files.length, opts.quick ? 200 : 2000);
  const msgs = files.slice(0, k).map((f) => readFileSync(f));
  const { DkimVerifier, evaluateSignature, runSync } = await dkimLib();
  const z = zone();
  const answer = (q) => (z.has(q.name) ? { ok: true, type: 'TXT', records: [[z.get(q.name)]] } : { ok: false, type: q.type, error: 'nxdomain' });
  const resolver = async (name) => {
    if (!z.has(name)) throw Object.assign(new Error('nxdomain'), { code: 'ENOTFOUND' });
    return [[z.get(name)]];
  };
  const oursIn = () => {
    let pass = 0;
    const t0 = process.hrtime.bigint();
    for (const m of msgs) {
      const v = new DkimVerifier();
      v.push(m);
      const sigs = v.finish();
      if (sigs.ok && sigs.value.length && sigs.value.every((s) => runSync(evaluateSignature(s), answer).status === 'pass')) pass++;
    }
    return { secs: Number(process.hrtime.bigint() - t0) / 1e9, pass };
  };
  const peerIn = async () => {
    let pass = 0;
    const t0 = process.hrtime.bigint();
    for (const m of msgs) {
      const r = await dkimVerify(m, { resolver });
      if (r.results.length && r.results.every((x) => x.status?.result === 'pass')) pass++;
    }
    return { secs: Number(process.hrtime.bigint() - t0) / 1e9, pass };
  };
  oursIn();
  await peerIn(); // warm both (JIT, key caches) before measuring
  const ip = await alternate(repsFor(opts, 5), { ours: oursIn, peer: peerIn });
  const o = median(ip.ours.map((x) => x.secs));
  const p = median(ip.peer.map((x) => x.secs));
  rows.push(
    row(
      `dkim verify in-process, ${k} messages in memory`,
      `${fmtRate(k / o, 'msg/s')}, ${ip.ours[0].pass} pass`,
      `mailauth dkimVerify: ${fmtRate(k / p, 'msg/s')}, ${ip.peer[0].pass} pass`,
      speedRatio(o, p),
      '—',
      null,
      `${repsFor(opts, 5)} alternate run(s) after a warm-up, in one node process; zone in memory for both`,
    ),
  );
  rows.push(await arcInProcess(opts, answer, resolver));
  return rows;
}

/**
 * ARC in-process: K messages sealed twice (two hops, rsa-sha256, no
 * DKIM-Signature), validated by blaze's ArcReader + evaluateArc against
 * mailauth's dkimVerify (which checks the AMS) + arc (the seals), as its
 * authenticate() does. Both must say pass for every message.
 */
async function arcInProcess(opts, answer, resolver) {
  const k = opts.quick ? 100 : 1000;
  const { arc: A, runSync, loadPrivateKey } = await dkimLib();
  const path = join(dir, `arc-corpus-${k}.json`);
  let msgs;
  if (existsSync(path)) msgs = JSON.parse(readFileSync(path, 'utf8')).map((b) => Buffer.from(b, 'base64'));
  else {
    const key = loadPrivateKey(readFileSync(join(FIXTURES, 'rsa.pem'))).value;
    msgs = [];
    for (let i = 0; i < k; i++) {
      let m = Buffer.from(`From: Sender ${i} <s${i}@example.org>\r\nTo: list@example.net\r\nSubject: forwarded ${i}\r\nDate: Tue, 02 Jan 2024 10:00:00 +0000\r\nMessage-ID: <arc${i}@example.org>\r\n\r\n${`Some body text for message ${i}.\r\n`.repeat(30)}`);
      for (let hop = 1; hop <= 2; hop++) {
        const reader = new A.ArcReader({ seal: true });
        reader.push(m);
        reader.finish();
        const chain = runSync(A.evaluateArc(reader), answer);
        const sealed = A.sealMessage(reader, chain, { key, domain: 'example.org', selector: 'rsa', fields: ['from', 'to', 'subject', 'date', 'message-id'], aar: { fromAuthResults: `hop${hop}.example.org` } });
        if (!sealed.ok) throw new Error(`arc seal: ${sealed.message}`);
        m = Buffer.concat([Buffer.from(sealed.value.seal + sealed.value.signature + sealed.value.results, 'utf8'), m]);
      }
      msgs.push(m);
    }
    writeFileSync(path, JSON.stringify(msgs.map((b) => b.toString('base64'))));
  }
  const { arc: mailauthArc } = createRequire(import.meta.url)('mailauth/lib/arc');
  const { dkimVerify } = createRequire(import.meta.url)('mailauth/lib/dkim/verify');
  const ours = () => {
    let pass = 0;
    const t0 = process.hrtime.bigint();
    for (const m of msgs) {
      const reader = new A.ArcReader();
      reader.push(m);
      reader.finish();
      if (runSync(A.evaluateArc(reader), answer).status === 'pass') pass++;
    }
    return { secs: Number(process.hrtime.bigint() - t0) / 1e9, pass };
  };
  const peer = async () => {
    let pass = 0;
    const t0 = process.hrtime.bigint();
    for (const m of msgs) {
      const d = await dkimVerify(m, { resolver });
      const r = await mailauthArc(d.arc, { resolver });
      if (r?.status?.result === 'pass') pass++;
    }
    return { secs: Number(process.hrtime.bigint() - t0) / 1e9, pass };
  };
  ours();
  await peer();
  const reps = repsFor(opts, 5);
  const r = await alternate(reps, { ours, peer });
  const o = median(r.ours.map((x) => x.secs));
  const p = median(r.peer.map((x) => x.secs));
  return row(
    `arc verify in-process, ${k} messages with 2 ARC sets`,
    `${fmtRate(k / o, 'msg/s')}, ${r.ours[0].pass} pass`,
    `mailauth dkimVerify+arc: ${fmtRate(k / p, 'msg/s')}, ${r.peer[0].pass} pass`,
    speedRatio(o, p),
    '—',
    null,
    `${reps} alternate run(s) after a warm-up; sealed in-process by blaze (rsa-sha256), 4 signatures per message`,
  );
}

/**
 * SPF + DKIM + DMARC of one small message, whole program runs (start-up
 * included): `blaze dmarc verify` against mailauth's CLI (`mailauth report`,
 * which also checks the ARC set and BIMI) on the same ARC-sealed, DKIM-signed
 * message; DNS from the same zone (files for blaze, mailauth's --dns-cache).
 */
async function authCli(opts) {
  const z = join(dir, 'auth-zone');
  mkdirSync(z, { recursive: true });
  const cache = {};
  const records = { ...Object.fromEntries(zone()), 'example.org': 'v=spf1 ip4:192.0.2.0/24 -all', '_dmarc.example.org': 'v=DMARC1; p=reject; rua=mailto:d@example.org' };
  for (const [name, txt] of Object.entries(records)) {
    writeFileSync(join(z, `${name}.dns`), `txt:${txt}\n`);
    cache[name] = { TXT: [[txt]] };
  }
  const cacheFile = join(dir, 'auth-zone.json');
  writeFileSync(cacheFile, JSON.stringify(cache));
  const env = `--ip 192.0.2.5 --sender bench@example.org --helo mail.example.org`;
  const sealed = join(dir, 'arc-4KB.eml');
  const s = spawnSync('sh', ['-c', `${BLAZE} arc sign --dns-static ${z} --offline ${env} -d example.org -s rsa -k ${FIXTURES}/rsa.pem ${signedCopy(mimeMessage('4KB'), 'signed-4KB.eml')} > ${sealed}`], { encoding: 'utf8' });
  if (s.status !== 0) throw new Error(`arc sign: ${s.stderr}`);
  const mailauth = join(ROOT, 'node_modules/mailauth/bin/mailauth.js');
  const ours = `${BLAZE} dmarc verify --dns-static ${z} --offline ${env} ${sealed}`;
  const peer = `${NODE} ${mailauth} report --dns-cache ${cacheFile} --client-ip 192.0.2.5 --sender bench@example.org --helo mail.example.org --mta mx.example.net ${sealed}`;
  const o = spawnSync('sh', ['-c', ours], { encoding: 'utf8' }).stdout;
  const p = JSON.parse(spawnSync('sh', ['-c', peer], { encoding: 'utf8' }).stdout);
  const oursOk = /spf=pass/.test(o) && /dkim=pass/.test(o) && /dmarc=pass/.test(o);
  const peerOk = p.spf?.status?.result === 'pass' && p.dkim?.results?.[0]?.status?.result === 'pass' && p.dmarc?.status?.result === 'pass';
  const reps = repsFor(opts, 10);
  const r = await alternate(reps, { ours: () => timeCmd(`${ours} > /dev/null`), peer: () => timeCmd(`${peer} > /dev/null`) });
  const a = med(r.ours, 'secs');
  const b = med(r.peer, 'secs');
  return row(
    'spf+dkim+dmarc of one 4 KB message (one process)',
    `blaze dmarc verify: ${fmtSecs(a)}, ${fmtMB(max(r.ours, 'rssMB'))} RSS${oursOk ? '' : ' (NOT all pass)'}`,
    `mailauth report: ${fmtSecs(b)}, ${fmtMB(max(r.peer, 'rssMB'))} RSS${peerOk ? '' : ' (NOT all pass)'}`,
    speedRatio(a, b),
    '—',
    null,
    `${reps} alternate run(s), start-up included; mailauth also checks the ARC set and BIMI; all pass on both sides: ${oursOk && peerOk ? 'yes' : 'NO'}`,
  );
}

await runAlone(import.meta.url, run);
