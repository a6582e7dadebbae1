// npm run lint: installs the linter of tools/lint/ when it is missing or its
// lock changed (npm ci, the registry's ordinary client), then runs ESLint over
// src/ and commands/ with the repository's eslint.config.mjs.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const stamp = join(here, 'node_modules', '.blaze-lock');
const lock = readFileSync(join(here, 'package-lock.json'), 'utf8');
if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== lock) {
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: here, stdio: ['ignore', 'inherit', 'inherit'] });
  writeFileSync(stamp, lock);
}
// No arguments: the whole of src/ and commands/; otherwise ESLint's own (e.g. --stdin --stdin-filename F).
const args = process.argv.length > 2 ? process.argv.slice(2) : ['src', 'commands'];
const r = spawnSync(process.execPath, [join(here, 'node_modules', 'eslint', 'bin', 'eslint.js'), '--max-warnings=0', ...args], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
