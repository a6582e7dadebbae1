// Where the conformance runners find the public test suites (SPF, ARC, DKIM,
// DMARC, MIME, Authentication-Results). The project does not redistribute
// them: they are read, as they are, from the directory named by BLAZE_CORPUS
// (README.md says how to get them). Without it, each runner says in one line
// that it did not run and registers its tests as skipped, so the rest of
// `npm test` still runs; under CI (CI set, as .ci/run does) a suite that
// cannot run fails the run instead, so CI always runs every suite.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'vitest';

const told = new Set<string>();

/** Why a suite cannot run, or undefined when `rel` exists under BLAZE_CORPUS. */
function missing(rel: string): string | undefined {
  const root = process.env.BLAZE_CORPUS;
  if (!root) return 'BLAZE_CORPUS unset';
  const path = join(resolve(root), rel);
  return existsSync(path) ? undefined : `${path} missing`;
}

/**
 * The absolute path of `rel` inside the corpus (a directory path ends with
 * `/`), or undefined after one line on stdout saying that `label` did not run.
 */
export function corpusPath(label: string, rel: string): string | undefined {
  const why = missing(rel);
  if (why === undefined) {
    const path = join(resolve(process.env.BLAZE_CORPUS as string), rel);
    return rel.endsWith('/') ? path + '/' : path;
  }
  if (process.env.CI) throw new Error(`conformance: ${label} suite cannot run under CI: ${why}`);
  if (!told.has(label)) {
    told.add(label);
    process.stdout.write(`conformance: ${label} suite not run: ${why}\n`);
  }
  return undefined;
}

/**
 * `describe(title, () => body(path))` when the corpus holds `rel`; otherwise a
 * skipped block (reported as skipped, never as passed) and the one-line note.
 */
export function describeCorpus(label: string, rel: string, title: string, body: (path: string) => void): void {
  const path = corpusPath(label, rel);
  if (path !== undefined) describe(title, () => body(path));
  else describe.skip(`${title} (not run: BLAZE_CORPUS)`, () => it(`needs the ${label} suite under BLAZE_CORPUS`, () => undefined));
}
