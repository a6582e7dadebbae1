// Bundles the CLI into one ESM file, dist/blaze.js.
// Each commands/<name>.ts becomes a lazily evaluated module inside the bundle
// (esbuild wraps dynamic imports when not code-splitting), so start-up only
// evaluates the dispatcher and the one command that runs.
import { build } from 'esbuild';
import { readdirSync, readFileSync } from 'node:fs';
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

await build({
  entryPoints: [join(root, 'commands/main.ts')],
  outfile: join(root, 'dist/blaze.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // CommonJS dependencies (commander, iconv-lite, node-forge) call require():
  // give the ESM bundle a real one.
  banner: { js: "import { createRequire as __blazeCreateRequire } from 'node:module'; const require = __blazeCreateRequire(import.meta.url);" },
  define: { BLAZE_VERSION: JSON.stringify(pkg.version) },
  plugins: [commandTable],
  legalComments: 'none',
  logLevel: 'warning',
});
