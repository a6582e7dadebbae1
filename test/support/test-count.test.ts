// test/test-count.txt is the floor CI holds the number of passing tests to
// (.ci/run). A commit may raise it, never lower it: otherwise deleting a test
// and lowering the record in the same commit would pass CI unnoticed.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const record = (text: string) => {
  const n = Number(text.trim());
  expect(Number.isInteger(n) && n > 0, `test-count.txt holds ${JSON.stringify(text)}`).toBe(true);
  return n;
};

describe('test/test-count.txt', () => {
  it('is not lower than in the previous commit', () => {
    const now = record(readFileSync(`${root}test/test-count.txt`, 'utf8'));
    let before: string | undefined;
    try {
      before = execFileSync('git', ['show', 'HEAD~1:test/test-count.txt'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      // The first commit with a record, or a copy without history: nothing to compare with.
      before = undefined;
    }
    if (before !== undefined) expect(now, `test-count.txt went from ${before.trim()} to ${now}`).toBeGreaterThanOrEqual(record(before));
  });
});
