// SPF: `blaze spf check --batch` over N lines "IP MAILFROM HELO" (one
// process) against pyspf (spf.check2 in one Python process) on the same
// lines and the same zone: 100 domains whose records use ip4, include, a and
// -all, answered from files (blaze --dns-static --offline; pyspf's DNSLookup
// replaced by a reader of the same files). The results must agree line by
// line (compared as counts per result). No goal (context).
// Skipped with a "not built" row when `blaze spf` is not in the build.
// Alone: node bench/spf.mjs [--quick] [--reps N]
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BLAZE, DATA, PY, alternate, fmtRate, fmtSecs, med, repsFor, row, runAlone, speedRatio, timeCmd } from './lib.mjs';

const DOMAINS = 100;

function zone() {
  const z = join(DATA, 'spf-zone');
  mkdirSync(z, { recursive: true });
  writeFileSync(join(z, '_spf.example.net.dns'), 'txt:v=spf1 ip4:198.51.100.0/24 ip6:2001:db8::/32 ~all\n');
  for (let d = 0; d < DOMAINS; d++) {
    writeFileSync(join(z, `d${d}.example.org.dns`), `txt:v=spf1 ip4:192.0.2.${d}/32 include:_spf.example.net a:mx.d${d}.example.org -all\n`);
    writeFileSync(join(z, `mx.d${d}.example.org.dns`), `a:203.0.113.${d}\n`);
  }
  return z;
}

function lines(n) {
  const path = join(DATA, `spf-${n}.lines`);
  const out = [];
  for (let i = 0; i < n; i++) {
    const d = i % DOMAINS;
    const ip = [`192.0.2.${d}`, `198.51.100.${i % 250}`, `203.0.113.${d}`, `203.0.113.${200 + (i % 50)}`][i % 4];
    out.push(`${ip} user${i}@d${d}.example.org mail.d${d}.example.org`);
  }
  writeFileSync(path, out.join('\n') + '\n');
  return path;
}

const PY_SPF = `import spf, sys, os, collections
zone = sys.argv[1]
def lookup(name, qtype, *a, **k):
    p = os.path.join(zone, name.rstrip('.').lower() + '.dns')
    if not os.path.exists(p): return []
    out = []
    for line in open(p).read().splitlines():
        kind, _, rest = line.partition(':')
        if kind == 'txt' and qtype in ('TXT', 'SPF'): out.append(((name, qtype), [rest.encode()]))
        elif kind == 'a' and qtype == 'A': out += [((name, qtype), ip) for ip in rest.split()]
    return out
spf.DNSLookup = lookup
c = collections.Counter()
for line in open(sys.argv[2]):
    ip, s, h = line.split()
    c[spf.check2(i=ip, s=s, h=h)[0]] += 1
print(' '.join('%s=%d' % kv for kv in sorted(c.items())))`;

export async function run(opts) {
  const help = spawnSync(BLAZE, ['spf', 'check', '--help'], { stdio: 'ignore' });
  if (help.status !== 0) return [row('spf check batch', 'not built (blaze spf check --help fails)', '—', '—')];
  const z = zone();
  const n = opts.quick ? 200 : 10_000;
  const file = lines(n);
  const outB = join(DATA, 'spf-blaze.out');
  const outP = join(DATA, 'spf-pyspf.out');
  const reps = repsFor(opts, 5);
  const r = await alternate(reps, {
    // Exit 1 when a line fails SPF, which some do on purpose.
    ours: () => timeCmd(`${BLAZE} spf check --dns-static ${z} --offline --batch ${file} > ${outB}; test $? -le 1`),
    peer: () => timeCmd(`${PY} -c "${PY_SPF.replace(/"/g, '\\"')}" ${z} ${file} > ${outP}`),
  });
  const counts = {};
  for (const l of readFileSync(outB, 'utf8').split('\n')) {
    const m = /: (\w+): /.exec(l);
    if (m) counts[m[1]] = (counts[m[1]] ?? 0) + 1;
  }
  const ours = Object.entries(counts).sort().map(([k, v]) => `${k}=${v}`).join(' ');
  const peerCounts = readFileSync(outP, 'utf8').trim();
  const o = med(r.ours, 'secs');
  const p = med(r.peer, 'secs');
  return [
    row(
      `spf check, batch of ${n.toLocaleString('en-US')} (one process)`,
      `${fmtSecs(o)}, ${fmtRate(n / o, 'checks/s')}`,
      `pyspf check2: ${fmtSecs(p)}, ${fmtRate(n / p, 'checks/s')}`,
      speedRatio(o, p),
      '—',
      null,
      `${reps} alternate run(s); results ${ours === peerCounts ? `agree (${ours})` : `DIFFER: blaze ${ours}; pyspf ${peerCounts}`}`,
    ),
  ];
}

await runAlone(import.meta.url, run);
