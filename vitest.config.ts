import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // A committed `.only` must not narrow a CI run to one test (.ci/run sets CI).
    allowOnly: !process.env.CI,
    reporters: ['default', './test/support/summary-reporter.ts'],
    // test/support/growth.ts collects garbage before each timed run.
    execArgv: ['--expose-gc'],
    // The fast-check seed of each file: fixed per file, printed, FUZZ_SEED to replay or vary.
    setupFiles: ['./test/support/fuzz.ts'],
    // npm run coverage: the processes the tests start (bin/blaze) write V8
    // coverage there (test/support/coverage.mjs); the workers themselves do not.
    env: process.env.BLAZE_CLI_COVERAGE ? { NODE_V8_COVERAGE: process.env.BLAZE_CLI_COVERAGE } : {},
  },
});
