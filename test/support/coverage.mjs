// npm run coverage [-- vitest args]: line and function coverage of src/ and
// commands/, per area, counting both what the tests run in-process and what
// the CLI subprocesses they start run.
//
//   1. dist/blaze.cjs is rebuilt with a source map and unminified (V8 counts
//      byte ranges, the map is read per position); under NODE_V8_COVERAGE
//      bin/blaze leaves the code cache aside (cached functions have no block counters).
//   2. vitest runs with @vitest/coverage-v8 (in-process code, AST-aware) and
//      with NODE_V8_COVERAGE set for the processes the tests start
//      (vitest.config.ts passes BLAZE_CLI_COVERAGE on as NODE_V8_COVERAGE).
//   3. The subprocesses' raw V8 coverage of dist/blaze.cjs is merged
//      (@bcoe/v8-coverage) and mapped back to src/ and commands/ through the
//      source map (@jridgewell/trace-mapping), position by position.
//   4. The unit report's statements give each file's executable lines (so
//      comments and type-only lines count nowhere); a line is covered when the
//      in-process run or a CLI subprocess ran it. Functions likewise, matched
//      by the line they start on.
//   5. dist/ is rebuilt as usual.
// Output: a table per area on stdout, coverage/summary.md, coverage/summary.json,
// and coverage/files.txt (every file, least covered first, with its uncovered lines).
// `npm run coverage -- --report-only` reports again from what coverage/ holds.
// A subprocess killed with SIGKILL writes no coverage (SIGTERM and normal exits do).
import { spawnSync } from 'node:child_process';
import Module from 'node:module';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { mergeProcessCovs } from '@bcoe/v8-coverage';
import { LEAST_UPPER_BOUND, TraceMap, eachMapping, originalPositionFor } from '@jridgewell/trace-mapping';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const rel = (p) => relative(root, p).split(sep).join('/');
const out = join(root, 'coverage');
const raw = join(out, 'raw');
const unitDir = join(out, 'unit');
const bundle = join(root, 'dist', 'blaze.cjs');
const node = process.execPath;
let processes = 0; // CLI processes that ran the bundle
let unreadable = 0; // raw coverage files that were not whole JSON

function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

// --report-only: report again from coverage/ as the last run left it (same sources).
const reportOnly = process.argv[2] === '--report-only';
if (!reportOnly) {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(raw, { recursive: true });
}
if (run(node, ['build.mjs'], { BLAZE_SOURCEMAP: '1' }) !== 0) process.exit(1);
let testStatus = 0;
let cli = new Map();
try {
  if (!reportOnly) {
    testStatus = run(
      node,
      [
        join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run',
        '--coverage.enabled=true', '--coverage.provider=v8', '--coverage.reporter=json', `--coverage.reportsDirectory=${unitDir}`, '--coverage.reportOnFailure=true',
        '--coverage.include=src/**', '--coverage.include=commands/**',
        ...process.argv.slice(2),
      ],
      { BLAZE_CLI_COVERAGE: raw },
    );
  }
  cli = await cliCoverage();
} finally {
  run(node, ['build.mjs']);
}

/**
 * The CLI subprocesses' coverage of the bundle, merged and mapped back through
 * its source map: relative path -> { lines: line -> count, fns: line -> count }.
 * An offset's count is that of the innermost V8 range holding it (V8 block
 * ranges nest); an original line's count is the highest among the bundle
 * positions the source map maps to it.
 */
async function cliCoverage() {
  const bundleUrl = pathToFileURL(bundle).href;
  let merged;
  let pending = [];
  const flush = () => {
    if (pending.length === 0) return;
    merged = mergeProcessCovs(merged ? [merged, ...pending] : pending);
    pending = [];
  };
  for (const f of readdirSync(raw)) {
    if (!f.endsWith('.json')) continue;
    let doc;
    try {
      doc = JSON.parse(readFileSync(join(raw, f), 'utf8'));
    } catch {
      unreadable++; // a process still writing, or killed while it wrote
      continue;
    }
    const scripts = doc.result.filter((s) => s.url === bundleUrl || s.url === bundle);
    if (scripts.length === 0) continue;
    processes++;
    pending.push({ result: scripts.map((s) => ({ ...s, url: bundleUrl })) });
    if (pending.length >= 64) flush();
  }
  flush();
  const byFile = new Map();
  if (!merged) return byFile;
  const functions = merged.result[0].functions;
  const text = readFileSync(bundle, 'latin1'); // esbuild writes ASCII: one char per byte and per UTF-16 unit
  // bin/blaze compiles the bundle inside Module.wrap(): V8's offsets count from the wrapper's start.
  const wrapper = Module.wrap('\u0000').indexOf('\u0000');
  const wrapped = Math.max(...functions.flatMap((fn) => fn.ranges.map((r) => r.endOffset)));
  if (wrapped !== Module.wrap(text).length) throw new Error(`coverage: the processes ran another ${bundle} (${wrapped} bytes wrapped, not ${Module.wrap(text).length})`);
  const count = new Int32Array(text.length);
  const ranges = functions.flatMap((fn) => fn.ranges).sort((a, b) => b.endOffset - b.startOffset - (a.endOffset - a.startOffset));
  for (const r of ranges) count.fill(r.count, Math.max(0, r.startOffset - wrapper), Math.max(0, r.endOffset - wrapper));
  const lineStart = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStart.push(i + 1);
  const map = new TraceMap(readFileSync(`${bundle}.map`, 'utf8'));
  const entry = (source) => {
    const path = rel(join(dirname(bundle), source));
    if (!byFile.has(path)) byFile.set(path, { lines: new Map(), fns: new Map() });
    return byFile.get(path);
  };
  eachMapping(map, (m) => {
    if (m.source == null || m.originalLine == null) return;
    const n = count[lineStart[m.generatedLine - 1] + m.generatedColumn] ?? 0;
    const lines = entry(m.source).lines;
    lines.set(m.originalLine, Math.max(lines.get(m.originalLine) ?? 0, n));
  });
  const lineOf = (offset) => {
    let lo = 0;
    let hi = lineStart.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStart[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  for (const fn of functions) {
    const at = fn.ranges[0].startOffset - wrapper;
    if (at <= 0) continue; // the module wrapper itself
    const line = lineOf(at);
    const o = originalPositionFor(map, { line: line + 1, column: at - lineStart[line], bias: LEAST_UPPER_BOUND });
    if (o.source == null || o.line == null) continue;
    const fns = entry(o.source).fns;
    fns.set(o.line, Math.max(fns.get(o.line) ?? 0, fn.ranges[0].count));
  }
  return byFile;
}
const unit = JSON.parse(readFileSync(join(unitDir, 'coverage-final.json'), 'utf8'));


/** Line -> hit count from an istanbul file coverage (max over the statements starting on it). */
function lineHits(fc) {
  const lines = new Map();
  for (const [id, loc] of Object.entries(fc.statementMap)) {
    const n = fc.s[id] ?? 0;
    lines.set(loc.start.line, Math.max(lines.get(loc.start.line) ?? 0, n));
  }
  return lines;
}
/** Line -> [name, hit count] of the functions declared there. */
function functionHits(fc) {
  const fns = new Map();
  for (const [id, f] of Object.entries(fc.fnMap)) {
    const line = (f.decl ?? f.loc).start.line;
    fns.set(line, [f.name, Math.max(fns.get(line)?.[1] ?? 0, fc.f[id] ?? 0)]);
  }
  return fns;
}

function areaOf(path) {
  const parts = path.split('/');
  if (parts[0] === 'commands') return parts[1] === '_lib' ? 'commands/_lib' : 'commands';
  return `${parts[0]}/${parts[1]}`;
}

const files = [];
for (const [abs, fc] of Object.entries(unit)) {
  const path = rel(abs);
  if (!/^(src|commands)\//.test(path)) continue;
  const u = lineHits(fc);
  const c = cli.get(path)?.lines ?? new Map();
  const uf = functionHits(fc);
  const cf = cli.get(path)?.fns ?? new Map();
  const lines = [...u.keys()].sort((a, b) => a - b);
  const uncovered = lines.filter((l) => !(u.get(l) > 0) && !(c.get(l) > 0));
  files.push({
    path,
    area: areaOf(path),
    lines: lines.length,
    unitLines: lines.filter((l) => u.get(l) > 0).length,
    cliLines: lines.filter((l) => c.get(l) > 0).length,
    coveredLines: lines.length - uncovered.length,
    functions: uf.size,
    coveredFunctions: [...uf.entries()].filter(([l, [, n]]) => n > 0 || cf.get(l) > 0).length,
    uncoveredFunctions: [...uf.entries()].filter(([l, [, n]]) => !(n > 0) && !(cf.get(l) > 0)).map(([l, [name]]) => `${name}@${l}`),
    uncovered,
  });
}

const pct = (n, d) => (d === 0 ? '100.0' : ((100 * n) / d).toFixed(1));
const sum = (list, k) => list.reduce((a, f) => a + f[k], 0);
const areas = [...new Set(files.map((f) => f.area))].sort();
const rows = [...areas.map((a) => [a, files.filter((f) => f.area === a)]), ['all', files]].map(([area, list]) => ({
  area,
  files: list.length,
  lines: sum(list, 'lines'),
  covered: sum(list, 'coveredLines'),
  linesPct: pct(sum(list, 'coveredLines'), sum(list, 'lines')),
  unitPct: pct(sum(list, 'unitLines'), sum(list, 'lines')),
  cliPct: pct(sum(list, 'cliLines'), sum(list, 'lines')),
  functionsPct: pct(sum(list, 'coveredFunctions'), sum(list, 'functions')),
}));

const header = '| area | files | lines | covered | lines % | in-process % | CLI % | functions % |';
const table = [header, '|---|---:|---:|---:|---:|---:|---:|---:|', ...rows.map((r) => `| ${r.area} | ${r.files} | ${r.lines} | ${r.covered} | ${r.linesPct} | ${r.unitPct} | ${r.cliPct} | ${r.functionsPct} |`)].join('\n');
const ranges = (ls) => {
  const parts = [];
  for (let i = 0; i < ls.length; i++) {
    let j = i;
    while (j + 1 < ls.length && ls[j + 1] === ls[j] + 1) j++;
    parts.push(i === j ? `${ls[i]}` : `${ls[i]}-${ls[j]}`);
    i = j;
  }
  return parts.join(',');
};
const perFile = files
  .sort((a, b) => a.coveredLines / (a.lines || 1) - b.coveredLines / (b.lines || 1) || a.path.localeCompare(b.path))
  .map((f) => `${pct(f.coveredLines, f.lines).padStart(5)}%  ${f.path}  (${f.coveredLines}/${f.lines})${f.uncovered.length ? `  uncovered: ${ranges(f.uncovered)}` : ''}${f.uncoveredFunctions.length ? `  functions never run: ${f.uncoveredFunctions.join(', ')}` : ''}`)
  .join('\n');

writeFileSync(join(out, 'summary.md'), `${table}\n`);
writeFileSync(join(out, 'summary.json'), JSON.stringify({ processes, unreadable, areas: rows }, null, 2) + '\n');
writeFileSync(join(out, 'files.txt'), perFile + '\n');
console.log(`\ncoverage of src/ and commands/ (in-process tests + ${processes} CLI processes${unreadable ? `; ${unreadable} partial raw files skipped` : ''}):\n${table}\n\ncoverage/summary.md, coverage/summary.json, coverage/files.txt (per file, uncovered lines)`);
process.exit(testStatus);
