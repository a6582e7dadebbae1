// The known-failures files of the conformance runners (test/conformance/*.json):
// the cases where blaze's result differs from a public suite's, each with its
// reason. A runner judges its outcomes against its file, and fails on
//   - a failing case that is not listed (a regression),
//   - a listed case that passes (the entry is stale: remove it),
//   - a listed key that names no case of the suite (a typo, or a case the
//     suite no longer has, would otherwise excuse nothing forever).
// test/conformance/known-failures.test.ts checks that every reason cites an
// RFC section or says plainly that blaze's behaviour is a choice, and why.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';

export interface Outcome {
  id: string;
  ok: boolean;
  detail: string;
}

export interface KnownFailures {
  /** The file's name, for messages. */
  name: string;
  /** Case id -> the listed entry's reason. */
  reasons: Map<string, string>;
  /** Case id -> the start of the input the entry was written for, where the file records it. */
  headers: Map<string, string>;
}

type Entry = string | { reason: string; header?: string };

/** Reads a known-failures file: `{failures: {id: reason | {reason, header}}}`, `{cases: {...}}`, or the entries alone. */
export function loadKnownFailures(url: URL): KnownFailures {
  const doc = JSON.parse(readFileSync(url, 'utf8')) as { failures?: Record<string, Entry>; cases?: Record<string, Entry> };
  // {failures: {...}}, {cases: {...}} (dkim.deviations.json), or the entries alone (mbox.known-failures.json).
  const entries = doc.failures ?? doc.cases ?? (doc as Record<string, Entry>);
  const reasons = new Map<string, string>();
  const headers = new Map<string, string>();
  for (const [id, e] of Object.entries(entries)) {
    reasons.set(id, typeof e === 'string' ? e : e.reason);
    if (typeof e !== 'string' && e.header !== undefined) headers.set(id, e.header);
  }
  return { name: url.pathname.split('/').pop()!, reasons, headers };
}

/**
 * Judges one suite's outcomes. `prefix` selects the entries that belong to this
 * suite (a file shared by several suites keys them `suite:case`): each of those
 * must name one of `outcomes`.
 */
export function judgeKnownFailures(known: KnownFailures, label: string, outcomes: Outcome[], prefix = ''): void {
  const ids = new Set(outcomes.map((o) => o.id));
  if (ids.size !== outcomes.length) throw new Error(`${label}: two cases share an id`);
  const failed = outcomes.filter((o) => !o.ok);
  const unexpected = failed.filter((o) => !known.reasons.has(o.id)).map((o) => `${o.id}: ${o.detail}`);
  const stale = outcomes.filter((o) => o.ok && known.reasons.has(o.id)).map((o) => `${o.id}: passes now; remove it from ${known.name}`);
  const unknown = [...known.reasons.keys()].filter((k) => k.startsWith(prefix) && !ids.has(k)).map((k) => `${k}: names no case of ${label}`);
  console.log(`${label}: ${outcomes.length - failed.length}/${outcomes.length} pass, ${failed.length - unexpected.length} listed in ${known.name}`);
  for (const f of failed) if (known.reasons.has(f.id)) console.log(`  known ${f.id}: ${f.detail}`);
  expect({ unexpected, stale, unknown }).toEqual({ unexpected: [], stale: [], unknown: [] });
}

/** Every key of the file starts with one of the suites' prefixes (so judgeKnownFailures sees it). */
export function expectKeysWithin(known: KnownFailures, prefixes: string[]): void {
  expect([...known.reasons.keys()].filter((k) => !prefixes.some((p) => k.startsWith(p))).map((k) => `${k}: no suite of ${known.name} has this prefix`)).toEqual([]);
}
