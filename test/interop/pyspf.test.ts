// Interop with Debian's python3-spf (pyspf): every scenario of the RFC 7208
// suite (and of pyspf's extra tests) without TIMEOUT entries is served by
// dnsmasq (dnsmasq-base) on
// 127.0.0.1, and `blaze spf check -n 127.0.0.1:PORT` (one --batch run per
// scenario) and pyspf (one python process for all tests, dnspython pointed at
// the same port) must give the same result for every test. Records dnsmasq
// cannot serve are listed with the reason in pyspf.excluded.json, with the
// tests that depend on them; the list must match what the zone builder drops.
// A missing peer fails the test.
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { execa, type ResultPromise } from 'execa';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildZone, loadSuite, type Scenario } from '../conformance/spf-suite.ts';
import { describeCorpus } from '../support/corpus.ts';
import { startDnsmasq } from '../support/daemon-port.ts';

const BLAZE = fileURLToPath(new URL('../../bin/blaze', import.meta.url));
const PY = '/usr/bin/python3';
const DNSMASQ = '/usr/sbin/dnsmasq';
const EXCLUDED = JSON.parse(readFileSync(new URL('./pyspf.excluded.json', import.meta.url), 'utf8')) as {
  records: Record<string, string>;
  tests: Record<string, string>;
};

// Reads [{id, ip, mailfrom, helo, port}] on stdin, prints {id: result}.
const PY_CHECK = `
import sys, json
import dns.resolver, spf
out = {}
for t in json.load(sys.stdin):
    r = dns.resolver.Resolver(configure=False)
    r.nameservers = ['127.0.0.1']
    r.port = t['port']
    r.lifetime = 3
    dns.resolver.default_resolver = r
    q = spf.query(i=t['ip'], s=t['mailfrom'], h=t['helo'], timeout=3)
    res, code, exp = q.check()
    out[t['id']] = res
print(json.dumps(out))
`;

/** dnsmasq arguments for a scenario's zone, and the records it cannot carry ("scenario|name|type": why). */
function dnsmasqZone(file: string, s: Scenario): { args: string[]; dropped: Record<string, string> } {
  const args: string[] = [];
  const dropped: Record<string, string> = {};
  const key = (name: string, type: string) => `${file}|${s.description}|${name}|${type}`;
  for (const [name, z] of buildZone(s.zonedata)) {
    if (z.cname !== undefined) {
      const target = z.cname.replace(/\.$/, '').toLowerCase();
      const zone = buildZone(s.zonedata);
      let loops = false;
      for (let n = target, hops = 0; zone.get(n)?.cname !== undefined; hops++) {
        n = zone.get(n)!.cname!.replace(/\.$/, '').toLowerCase();
        if (n === name || hops > 10) {
          loops = true;
          break;
        }
      }
      if (target === '' || target === name || loops) {
        dropped[key(name, 'CNAME')] = 'dnsmasq refuses to start on a CNAME loop or an empty CNAME target';
        continue;
      }
      args.push(`--cname=${name},${target}`);
      continue;
    }
    for (const [type, values] of z.records) {
      if (type === 'SPF') continue; // RFC 7208 checkers ask TXT only; the SPF->TXT copy is in buildZone
      for (const v of type === 'PTR' ? [...values].reverse() : values) {
        // dnsmasq answers several PTRs of one name in reverse order of definition.
        switch (type) {
          case 'TXT': {
            const strings = Array.isArray(v) ? v.map(String) : [String(v)];
            if (strings.length === 0) dropped[key(name, 'TXT')] = 'a TXT record with no character-string cannot be written for dnsmasq';
            else if (strings.some((x) => x.includes('\0'))) dropped[key(name, 'TXT')] = 'a NUL byte cannot be passed in a dnsmasq argument';
            else if (strings.some((x) => x.includes(','))) dropped[key(name, 'TXT')] = 'dnsmasq splits a --txt-record argument at commas (no quoting on its command line)';
            else args.push(`--txt-record=${name},${strings.join(',')}`);
            break;
          }
          case 'A':
          case 'AAAA':
            args.push(`--host-record=${name},${String(v)}`);
            break;
          case 'MX': {
            const [pref, host] = v as [number, string];
            args.push(`--mx-host=${name},${String(host ?? '').replace(/\.$/, '')},${pref}`);
            break;
          }
          case 'PTR':
            args.push(`--ptr-record=${name},${String(v).replace(/\.$/, '')}`);
            break;
        }
      }
    }
  }
  return { args, dropped };
}

const servers: ResultPromise[] = [];
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'blaze-pyspf-'));
});
afterAll(async () => {
  for (const s of servers) s.kill('SIGTERM');
  await Promise.allSettled(servers);
});

describe('pyspf interop', () => {
  it('the peers are installed', () => {
    expect(existsSync(DNSMASQ), `${DNSMASQ} (Debian dnsmasq-base)`).toBe(true);
    expect(existsSync(PY), PY).toBe(true);
  });
});

describeCorpus('SPF', 'spf/', 'pyspf agrees with blaze spf check on the RFC 7208 suite served by dnsmasq', (suite) => {
  it('every RFC 7208 test of the scenarios without TIMEOUT agrees', () => agreement(suite, 'rfc7208-tests.yml'));
  it("every pyspf extra test agrees", () => agreement(suite, 'pyspf-extra-tests.yml'));
});

async function agreement(suite: string, file: string): Promise<void> {
  const scenarios = loadSuite(suite, file).filter((s) => !Object.values(s.zonedata).some((entries) => entries.includes('TIMEOUT')));
  const dropped: Record<string, string> = {};
  const runs: Array<{ s: Scenario; port: number }> = [];
  for (const s of scenarios) {
    const zone = dnsmasqZone(file, s);
    Object.assign(dropped, zone.dropped);
    // One dnsmasq per scenario, up once it answers (test/support/daemon-port.ts).
    const d = await startDnsmasq(zone.args, [`--pid-file=${join(dir, `dnsmasq-${s.index}-${file}.pid`)}`, '--local=/#/']);
    servers.push(d.proc);
    runs.push({ s, port: d.port });
  }
  expect(Object.keys(dropped).sort()).toEqual(Object.keys(EXCLUDED.records).filter((k) => k.startsWith(`${file}|`)).sort());
  const tests = runs.flatMap(({ s, port }) => s.tests.filter((t) => !EXCLUDED.tests[t.id]).map((t) => ({ t, port })));
  const excludedRun = runs.flatMap(({ s }) => s.tests.filter((t) => EXCLUDED.tests[t.id]).map((t) => t.id));
  const listed = Object.keys(EXCLUDED.tests).filter((id) => id.startsWith(`${file.replace(/\.yml$/, '')}:`));
  expect(excludedRun.sort()).toEqual(listed.sort());

  const py = execa(PY, ['-c', PY_CHECK], {
    input: JSON.stringify(tests.map(({ t, port }) => ({ id: t.id, ip: t.host, mailfrom: t.mailfrom, helo: t.helo, port }))),
    reject: false,
    timeout: 50_000,
  });
  const blazeResults = new Map<string, string>();
  await Promise.all(
    runs.map(async ({ s, port }) => {
      const mine = s.tests.filter((t) => !EXCLUDED.tests[t.id]);
      if (mine.length === 0) return;
      const file = join(dir, `batch-${s.index}.txt`);
      await writeFile(file, mine.map((t) => `${t.host}\t${t.mailfrom === '' ? '<>' : t.mailfrom}\t${t.helo}\n`).join(''));
      const r = await execa(BLAZE, ['spf', 'check', '-n', `127.0.0.1:${port}`, '--dns-timeout', '2s', '--json', '--batch', file], { reject: false, timeout: 50_000 });
      expect(r.stderr, s.description).toBe('');
      const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { result: string });
      expect(lines).toHaveLength(mine.length);
      mine.forEach((t, k) => blazeResults.set(t.id, lines[k].result));
    }),
  );
  const pr = await py;
  expect(pr.stderr).toBe('');
  expect(pr.exitCode).toBe(0);
  const pyResults = JSON.parse(pr.stdout) as Record<string, string>;
  const disagree = tests.filter(({ t }) => pyResults[t.id] !== blazeResults.get(t.id)).map(({ t }) => `${t.id}: blaze ${blazeResults.get(t.id)}, pyspf ${pyResults[t.id]}`);
  const asSuite = tests.filter(({ t }) => t.results.includes(blazeResults.get(t.id) ?? '')).length;
  console.log(
    `pyspf interop, ${file}: ${tests.length - disagree.length}/${tests.length} agree (${scenarios.length} scenarios without TIMEOUT, ` +
      `${listed.length} tests excluded); ${asSuite}/${tests.length} also give a result the suite lists`,
  );
  expect(disagree).toEqual([]);
}
