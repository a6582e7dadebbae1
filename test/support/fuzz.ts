// The fast-check seed of a test file (a vitest setup file, vitest.config.ts):
//   - by default a fixed seed per file, from its path, so CI runs the same
//     cases every time and a failure there fails the same way here;
//   - FUZZ_SEED=<number> replays a run; FUZZ_SEED=random (npm run fuzz) draws
//     a new seed per file.
// Every file that uses fast-check prints its seed and the command that
// replays it; fast-check's own failure report adds the path to the case.
// Files that draw samples themselves (fc.sample) take the seed from fuzzSeed().
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { expect } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** FNV-1a of the text, as a positive 31-bit integer. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0) % 2 ** 31;
}

function seedFor(file: string): number {
  const given = process.env.FUZZ_SEED;
  if (given === 'random') return Math.floor(Math.random() * 2 ** 31);
  if (given !== undefined && given !== '') {
    const n = Number(given);
    if (!Number.isInteger(n)) throw new Error(`FUZZ_SEED=${given}: a whole number, or "random"`);
    return n;
  }
  return hash(file);
}

const testPath = expect.getState().testPath ?? '';
const file = relative(root, testPath).split('\\').join('/');
// Once per test file, however often this module is evaluated for it.
const state = globalThis as { blazeFuzzSeed?: { file: string; seed: number } };
if (state.blazeFuzzSeed?.file !== file) {
  state.blazeFuzzSeed = { file, seed: seedFor(file) };
  let usesFastCheck = false;
  try {
    usesFastCheck = /from 'fast-check'/.test(readFileSync(testPath, 'utf8'));
  } catch {
    usesFastCheck = false;
  }
  const s = state.blazeFuzzSeed.seed;
  if (usesFastCheck) process.stdout.write(`fuzz: seed ${s} for ${file} (FUZZ_SEED=${s} npx vitest run ${file} replays it)\n`);
}
const seed = state.blazeFuzzSeed.seed;
fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });

/** This file's seed (for fc.sample and anything else that takes one). */
export function fuzzSeed(): number {
  return seed;
}
