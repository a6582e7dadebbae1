// Shared pieces of the benchmarks: paths, timing under GNU time, alternation
// of ours and the peer, medians, and the row every scenario returns:
//   { scenario, ours, peer, ratio, goal, met, note }
// `ours`/`peer` are short human strings (median first); `ratio` says who is
// faster and by how much; `met` is true, false, or null (no goal).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DATA = join(ROOT, 'bench/.data');
export const BLAZE = join(ROOT, 'bin/blaze');
export const NODE = process.execPath;
export const PY = '/usr/bin/python3';
mkdirSync(DATA, { recursive: true });

/** Options from the command line: --quick (small inputs, 1 repetition), --reps N. */
export function parseOptions(argv = process.argv.slice(2)) {
  const quick = argv.includes('--quick');
  const i = argv.indexOf('--reps');
  const reps = i >= 0 ? Number(argv[i + 1]) : undefined;
  const names = argv.filter((a, k) => !a.startsWith('--') && argv[k - 1] !== '--reps');
  return { quick, reps, names, write: argv.includes('--write'), json: argv.includes('--json') };
}

/** Repetitions for a scenario: 1 in quick mode, else --reps or the scenario's default. */
export const repsFor = (opts, def) => (opts.quick ? 1 : (opts.reps ?? def));

export const log = (...a) => process.stderr.write(`${a.join(' ')}\n`);

/** Is a program on PATH? */
export const have = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

/** Runs a shell command under GNU time: wall seconds (ms resolution from our clock) and peak RSS in MB. */
export function timeCmd(shell, { check = true } = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '@@TIME %e %M', 'sh', '-c', shell], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const m = /@@TIME (\S+) (\d+)/.exec(r.stderr ?? '');
  if (check && (r.status !== 0 || !m)) throw new Error(`${shell}: exit ${r.status}: ${(r.stderr ?? '').slice(0, 500)}`);
  return { secs, rssMB: m ? Number(m[2]) / 1024 : NaN, status: r.status, stdout: r.stdout };
}

/**
 * Runs every runner `reps` times, alternating (the starting runner rotates each
 * round so neither side always runs on a warm or cold CPU). A runner returns a
 * number or an object of numbers; the result is, per runner, the arrays.
 */
export async function alternate(reps, runners) {
  const names = Object.keys(runners);
  const out = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < reps; r++) {
    for (let k = 0; k < names.length; k++) {
      const n = names[(k + r) % names.length];
      out[n].push(await runners[n]());
    }
  }
  return out;
}

export function median(values) {
  const s = [...values].filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
/** Median of one field of a list of measurement objects. */
export const med = (list, key) => median(list.map((x) => x[key]));
export const max = (list, key) => Math.max(...list.map((x) => x[key]));

export const fmtSecs = (s) => (s >= 10 ? `${s.toFixed(1)} s` : s >= 1 ? `${s.toFixed(2)} s` : `${(s * 1000).toFixed(s < 0.1 ? 1 : 0)} ms`);
export const fmtMB = (mb) => `${mb >= 100 ? Math.round(mb) : mb.toFixed(1)} MB`;
export const fmtRate = (n, unit) => `${n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1)} ${unit}`;

/** "3.2x faster" / "1.15x slower" from our time and the peer's time (lower is better). */
export function speedRatio(ours, peer) {
  if (!Number.isFinite(ours) || !Number.isFinite(peer) || ours <= 0 || peer <= 0) return '—';
  return peer >= ours ? `${(peer / ours).toFixed(2)}x faster` : `${(ours / peer).toFixed(2)}x slower`;
}

/** One table row. */
export function row(scenario, ours, peer, ratio, goal = '—', met = null, note = '') {
  return { scenario, ours, peer, ratio, goal, met, note };
}

/** The machine: node, CPU model and count, OS, memory. */
export function machine() {
  const cpus = os.cpus();
  let osName = `${os.type()} ${os.release()}`;
  try {
    const pretty = /^PRETTY_NAME="?([^"\n]*)/m.exec(readFileSync('/etc/os-release', 'utf8'));
    if (pretty) osName = `${pretty[1]} (${os.type()} ${os.release()})`;
  } catch {}
  return { node: process.version, cpu: cpus[0]?.model?.trim() ?? '?', cpus: cpus.length, os: osName, memGB: Math.round(os.totalmem() / 2 ** 30) };
}

/** A scenario module run alone: `node bench/NAME.mjs [--quick] [--reps N]` prints its rows. */
export async function runAlone(metaUrl, run) {
  if (metaUrl !== `file://${process.argv[1]}`) return;
  const opts = parseOptions();
  const rows = await run(opts);
  printTable(rows);
}

export function printTable(rows) {
  const head = ['scenario', 'ours (median)', 'peer (median)', 'ratio', 'goal', 'met'];
  const cells = rows.map((r) => [r.scenario, r.ours, r.peer, r.ratio, r.goal, metText(r.met)]);
  const w = head.map((h, i) => Math.max(h.length, ...cells.map((c) => String(c[i]).length)));
  const line = (c) => c.map((x, i) => String(x).padEnd(w[i])).join('  ').trimEnd();
  console.log(line(head));
  console.log(line(w.map((n) => '-'.repeat(n))));
  for (const c of cells) console.log(line(c));
  const notes = rows.filter((r) => r.note);
  if (notes.length) {
    console.log('');
    for (const r of notes) console.log(`${r.scenario}: ${r.note}`);
  }
}

export const metText = (m) => (m === true ? 'met' : m === false ? 'NOT met' : '—');
