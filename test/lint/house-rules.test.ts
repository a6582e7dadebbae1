// The lint rules that keep the house (eslint.config.mjs, DESIGN.md "Layout"):
// each one is shown to refuse what it is for, and to let the allowed form
// through, by linting a snippet as if it were a file of the repository.
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';

const LINT = fileURLToPath(new URL('../../tools/lint/lint.mjs', import.meta.url));
const lint = (file: string, code: string) => execa(process.execPath, [LINT, '--stdin', '--stdin-filename', file], { input: code, reject: false });

describe('eslint: the house rules', () => {
  it('a command imports commands/_lib/ and src/, never another command (static or dynamic)', async () => {
    const bad = await lint('commands/zz.ts', "import x from './make.ts';\nexport const y = x;\n");
    expect(bad.exitCode).toBe(1);
    expect(bad.stdout).toContain('a command imports only commands/_lib/ and src/');
    const dyn = await lint('commands/zz.ts', "export const m = () => import('./wrap.ts');\n");
    expect(dyn.exitCode).toBe(1);
    const good = await lint('commands/zz.ts', "import { usageError } from './_lib/errors.ts';\nimport { ok } from '../src/result.ts';\nexport const y = [usageError, ok];\n");
    expect(good.exitCode, good.stdout).toBe(0);
  }, 120_000);
  it('commands/_lib/ never imports a command', async () => {
    const bad = await lint('commands/_lib/zz.ts', "import dkim from '../dkim.ts';\nexport const y = dkim;\n");
    expect(bad.exitCode).toBe(1);
    expect(bad.stdout).toContain('never a command');
  }, 120_000);
  it('src/ never imports commands/, and reaches another area through its index.ts (src/mime and result.ts excepted)', async () => {
    const up = await lint('src/zz/a.ts', "import { usageError } from '../../commands/_lib/errors.ts';\nexport const y = usageError;\n");
    expect(up.exitCode).toBe(1);
    expect(up.stdout).toContain('src/ never imports commands/');
    const deep = await lint('src/zz/a.ts', "import { run } from '../dns/run.ts';\nexport const y = run;\n");
    expect(deep.exitCode).toBe(1);
    expect(deep.stdout).toContain('another area through its index.ts');
    const good = await lint('src/zz/a.ts', "import { run } from '../dns/index.ts';\nimport { HeaderDecoder } from '../mime/header-decoder.ts';\nimport { ok } from '../result.ts';\nexport const y = [run, HeaderDecoder, ok];\n");
    expect(good.exitCode, good.stdout).toBe(0);
  }, 120_000);
  it('no export *: each area says what it exports', async () => {
    const bad = await lint('src/zz/index.ts', "export * from './a.ts';\n");
    expect(bad.exitCode).toBe(1);
    expect(bad.stdout).toContain('export names explicitly');
    expect((await lint('src/zz/index.ts', "export { a } from './a.ts';\n")).exitCode).toBe(0);
  }, 120_000);
});
