// ESLint (flat config) with typescript-eslint: the rules that keep the house
// of DESIGN.md. The linter lives in tools/lint/ (its own package and lock):
// typescript-eslint parses with TypeScript 5's JavaScript API, which the
// project's TypeScript 7 (the native tsc) does not have. `npm run lint`
// installs it there when needed (tools/lint/lint.mjs).
import { createRequire } from 'node:module';

const lintRequire = createRequire(new URL('./tools/lint/package.json', import.meta.url));
const tseslint = lintRequire('typescript-eslint');

const HOUSE = 'DESIGN.md: a command imports only commands/_lib/ and src/';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'tools/**', 'bench/.data/**'] },
  {
    files: ['src/**/*.ts', 'commands/**/*.ts'],
    extends: [tseslint.configs.base],
    rules: {
      // Each area says what it exports (an explicit public surface).
      'no-restricted-syntax': ['error', { selector: 'ExportAllDeclaration', message: 'export names explicitly (no export *): DESIGN.md "Layout"' }],
    },
  },
  {
    // A command: commands/_lib/ and src/ only (main.ts dispatches the others through its loader table).
    files: ['commands/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^\\./(?!_lib/)', message: HOUSE }] }],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportAllDeclaration', message: 'export names explicitly (no export *)' },
        { selector: "ImportExpression[source.value=/^\\.\\/(?!_lib\\/)/]", message: HOUSE },
      ],
    },
  },
  {
    // The command toolkit: itself and src/, never a command.
    files: ['commands/_lib/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^\\.\\./(?!\\.\\./)', message: 'commands/_lib/ imports _lib/ and src/, never a command' }] }],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportAllDeclaration', message: 'export names explicitly (no export *)' },
        { selector: "ImportExpression[source.value=/^\\.\\.\\/(?!\\.\\.\\/)/]", message: 'commands/_lib/ imports _lib/ and src/, never a command' },
      ],
    },
  },
  {
    // The core: never the commands; another area through its index.ts only,
    // except src/mime (the base every area reads, imported file by file so a
    // command loads only the decoders it uses) and src/result.ts.
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '(^|/)commands/', message: 'src/ never imports commands/ (DESIGN.md "Layout")' },
            { regex: '^\\.\\./(?!mime/|\\.\\./|result\\.ts$)[a-z0-9-]+/(?!index\\.ts$)', message: 'another area through its index.ts (DESIGN.md "Layout")' },
          ],
        },
      ],
    },
  },
);
