import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // A committed `.only` must not narrow a CI run to one test (.ci/run sets CI).
    allowOnly: !process.env.CI,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
