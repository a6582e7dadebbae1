// Bundles the CLI into one CommonJS file, dist/blaze.cjs, then makes V8's code
// cache for it (dist/blaze.cache) by running one command through bin/blaze.
// Each commands/<name>.ts becomes a lazily evaluated module inside the bundle
// (esbuild wraps dynamic imports when not code-splitting), so start-up only
// evaluates the dispatcher and the one command that runs.
// Why CJS, minified syntax and a code cache: on node 20 (no
// module.enableCompileCache) they take `blaze --version` from about 1.75x
// `node -e 0` (ESM bundle, 2 MB) to about 1.15x (bench/startup.mjs).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const commands = readdirSync(join(root, 'commands'))
  .filter((f) => f.endsWith('.ts') && !f.startsWith('_') && f !== 'main.ts')
  .map((f) => f.slice(0, -3))
  .sort();

// A virtual module: the table of command loaders, made from the files present.
const commandTable = {
  name: 'command-table',
  setup(b) {
    b.onResolve({ filter: /^blaze:commands$/ }, () => ({ path: 'commands', namespace: 'blaze' }));
    b.onLoad({ filter: /.*/, namespace: 'blaze' }, () => ({
      resolveDir: join(root, 'commands'),
      loader: 'js',
      contents:
        'export const loaders = {\n' +
        commands.map((c) => `  ${JSON.stringify(c)}: () => import(${JSON.stringify('./' + c + '.ts')}),`).join('\n') +
        '\n};\n',
    }));
  },
};

// commander requires node:child_process at load time (for executable
// subcommands, which blaze does not use); it pulls in net, dgram, readline...
// (about 3 ms of every start). Give commander a proxy that loads it on use.
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      /[\\/]commander[\\/]/.test(args.importer) ? { path: 'child_process', namespace: 'blaze-lazy' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'blaze-lazy' }, () => ({
      loader: 'js',
      contents:
        "let cp; module.exports = new Proxy({}, { get(_t, k) { cp ??= require('node:child_process'); return cp[k]; } });",
    }));
  },
};

// chalk detects the terminal at load time (supports-color: tty, os, env),
// which blaze never uses: term.ts decides colour (--color, NO_COLOR,
// FORCE_COLOR, isatty) and builds its own Chalk with that level.
const noColorDetection = {
  name: 'no-color-detection',
  setup(b) {
    b.onResolve({ filter: /^#supports-color$/ }, () => ({ path: 'supports-color', namespace: 'blaze-stub' }));
    b.onLoad({ filter: /.*/, namespace: 'blaze-stub' }, () => ({
      loader: 'js',
      contents: 'export default { stdout: false, stderr: false };',
    }));
  },
};

// iconv-lite requires node:stream at load time only to offer encodeStream /
// decodeStream, which blaze never uses (it decodes Buffers); loading stream
// costs about twenty internal modules at every start. Give it an empty one.
const noIconvStreams = {
  name: 'no-iconv-streams',
  setup(b) {
    b.onResolve({ filter: /^(node:)?stream$/ }, (args) =>
      /[\\/]iconv-lite[\\/]/.test(args.importer) ? { path: 'stream', namespace: 'blaze-iconv-stream' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'blaze-iconv-stream' }, () => ({ loader: 'js', contents: 'module.exports = {};' }));
  },
};

// The web inbox's page (src/web/page): its script bundled for browsers, and
// with its HTML and CSS given to the CLI bundle as strings (blaze:web-page),
// so `blaze web` serves it from the one binary, no CDN, nothing built at run time.
const page = await build({
  entryPoints: [join(root, 'src/web/page/app.ts')],
  bundle: true,
  write: false,
  platform: 'browser',
  target: 'es2022',
  format: 'iife',
  minify: true,
  charset: 'utf8',
  legalComments: 'none',
  logLevel: 'warning',
});
const webPage = {
  name: 'web-page',
  setup(b) {
    b.onResolve({ filter: /^blaze:web-page$/ }, () => ({ path: 'web-page', namespace: 'blaze-web-page' }));
    b.onLoad({ filter: /.*/, namespace: 'blaze-web-page' }, () => ({
      loader: 'js',
      contents:
        `export const html = ${JSON.stringify(readFileSync(join(root, 'src/web/page/index.html'), 'utf8'))};\n` +
        `export const css = ${JSON.stringify(readFileSync(join(root, 'src/web/page/style.css'), 'utf8'))};\n` +
        `export const js = ${JSON.stringify(page.outputFiles[0].text)};\n`,
    }));
  },
};

const coverageBuild = process.env.BLAZE_SOURCEMAP === '1';
await build({
  entryPoints: [join(root, 'commands/main.ts')],
  outfile: join(root, 'dist/blaze.cjs'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // Less source to read and pre-parse at start-up; identifiers are kept.
  minifyWhitespace: !coverageBuild,
  minifySyntax: !coverageBuild,
  define: { BLAZE_VERSION: JSON.stringify(pkg.version) },
  plugins: [commandTable, lazyChildProcess, noColorDetection, noIconvStreams, webPage],
  legalComments: 'none',
  logLevel: 'warning',
  // npm run coverage (test/support/coverage.mjs) maps the CLI's V8 coverage
  // back to src/ and commands/ through this map (V8 counts by byte range, the
  // mapping is per line, so that build is not minified); a normal build has none.
  sourcemap: coverageBuild ? 'linked' : false,
});

// The code cache: run small real jobs (hdr, descr, addr, dkim and dmarc
// verify on fixtures) so the functions of the dispatcher, commander and those
// paths are compiled, and let
// bin/blaze write what V8 compiled. A stale or foreign cache is only a slower
// start: V8 rejects it and bin/blaze compiles from source.
rmSync(join(root, 'dist/blaze.js'), { force: true });
if (!coverageBuild) rmSync(join(root, 'dist/blaze.cjs.map'), { force: true });
rmSync(join(root, 'dist/blaze.cache'), { force: true });
const shebangFlags = readFileSync(join(root, 'bin/blaze'), 'utf8').split('\n')[0].split(/\s+/).filter((w) => w.startsWith('--'));
// Several everyday commands run in that one process (BLAZE_CODE_CACHE_TRAIN),
// so each of them starts from compiled code, not only hdr.
const report = join(root, 'fixtures/messages/report.eml');
const dmarcDns = join(root, 'fixtures/dmarc/dns');
const signed = join(root, 'fixtures/dmarc/aligned.eml');
const training = [
  ['hdr', report],
  ['descr', report],
  ['addr', report],
  ['dkim', 'verify', '--dns-static', dmarcDns, '--offline', signed],
  ['dmarc', 'verify', '--dns-static', dmarcDns, '--offline', '--sample', '0', signed],
  ['mbox', 'list', join(root, 'fixtures/mbox/three.mboxrd')],
];
execFileSync(process.execPath, [...shebangFlags, join(root, 'bin/blaze'), 'hdr', report], {
  env: { ...process.env, BLAZE_WRITE_CODE_CACHE: '1', BLAZE_CODE_CACHE_TRAIN: JSON.stringify(training), NO_COLOR: '1' },
  stdio: ['ignore', 'ignore', 'inherit'],
});
