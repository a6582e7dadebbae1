// Prints one plain closing line, `tests: N passed, N failed, N skipped`, after
// vitest's own summary, so CI logs state the count in a form any reader parses.
// With BLAZE_TEST_SUMMARY set (.ci/run sets it), the counts are also written
// there as JSON: CI fails on a skipped test and on fewer tests than
// test/test-count.txt records.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const mod of testModules) {
      if (mod.state() === 'failed' && [...mod.children.allTests()].length === 0) failed++; // a file that failed to load
      for (const t of mod.children.allTests()) {
        const s = t.result().state;
        if (s === 'passed') passed++;
        else if (s === 'failed') failed++;
        else skipped++;
      }
    }
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
    const file = process.env.BLAZE_TEST_SUMMARY;
    if (file) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify({ passed, failed, skipped, files: testModules.length }) + '\n');
    }
  }
}
