// Verification results for people and programs: the original tool's lines
// (`[OK]: d`, `[EX]: d`, `[ER]: d (reason)`), plus `[--]: d (reason)` for a
// neutral result (key in testing mode), and a stable JSON shape. A pass that
// leaves body bytes unsigned says so: `[OK]: d (N unsigned bytes after l=)`.
// Everything taken from the message is written through terminalSafe: a bare
// CR in d= must not redraw the line.
import { terminalSafe } from '../mime/safe-text.ts';
import type { DkimResult } from './verify.ts';

export function formatDkimResult(r: DkimResult, opts: { fields?: boolean } = {}): string {
  const d = terminalSafe(r.domain ?? '?');
  const reason = r.reason === undefined ? undefined : terminalSafe(r.reason);
  let line: string;
  if (r.status === 'pass') line = `[OK]: ${d}${reason ? ` (${reason})` : ''}`;
  else if (r.expired) line = `[EX]: ${d}`;
  else if (r.status === 'neutral') line = `[--]: ${d} (${reason})`;
  else line = `[ER]: ${d} (${r.status === 'temperror' ? 'temporary error: ' : ''}${reason ?? r.status})`;
  if (opts.fields && r.fields) line += `\n    fields: ${terminalSafe(r.fields.join(':'))}`;
  return line;
}

/** The JSON form of a result: always the same keys, null when unknown. */
export function dkimResultJson(r: DkimResult): Record<string, unknown> {
  return {
    status: r.status,
    reason: r.reason ?? null,
    domain: r.domain ?? null,
    selector: r.selector ?? null,
    identity: r.auid ?? null,
    algorithm: r.algorithm ?? null,
    canonicalization: r.canon ?? null,
    fields: r.fields ?? null,
    bodyLength: r.bodyLength ?? null,
    bodySize: r.bodySize ?? null,
    timestamp: r.timestamp ?? null,
    expiration: r.expiration ?? null,
    expired: r.expired === true,
    testing: r.testing === true,
    testingResult: r.testingResult ?? null,
    unsignedFields: r.unsignedFields ?? [],
    unsignedBodyBytes: r.unsignedBodyBytes ?? null,
    line: r.line,
  };
}

/** 1 when any signature failed (fail, permerror, policy), else 75 when any was temporary, else 0. No signature = 1. */
export function dkimExitCode(results: readonly DkimResult[]): number {
  if (results.length === 0) return 1;
  if (results.some((r) => r.status === 'fail' || r.status === 'permerror' || r.status === 'policy')) return 1;
  if (results.some((r) => r.status === 'temperror')) return 75;
  return 0;
}
