// A forgiving reading for reports (`dmarc collect`): when a field does not
// parse, each `;`-separated result is read on its own and the pieces that
// still do not parse are returned as skipped text, so a vendor's one bad
// result (Microsoft's `header.d=none;example.com`) does not hide the others.
import { parseAuthResults } from './parse.ts';
import type { AuthResResult, AuthResults } from './types.ts';

/** Splits a value at the ';' outside quoted strings and comments, whitespace collapsed. */
export function splitAuthResults(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\' && (quoted || depth > 0)) {
      cur += c + (value[++i] ?? '');
      continue;
    }
    if (quoted) quoted = c !== '"';
    else if (c === '"' && depth === 0) quoted = true;
    else if (c === '(') depth++;
    else if (c === ')' && depth > 0) depth--;
    else if (c === ';' && depth === 0) {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  out.push(cur);
  return out.map((s) => s.replace(/\r?\n/g, '').replace(/[ \t]+/g, ' ').trim());
}

export type LenientParse = { ok: true; value: AuthResults; skipped: string[] } | { ok: false; error: string; offset: number };

export function parseAuthResultsLenient(value: string): LenientParse {
  const strict = parseAuthResults(value);
  if (strict.ok) return { ...strict, skipped: [] };
  const parts = splitAuthResults(value);
  const head = parseAuthResults(parts[0]);
  if (!head.ok) return strict;
  const results: AuthResResult[] = [];
  const skipped: string[] = [];
  for (const piece of parts.slice(1)) {
    if (piece === '') continue;
    const r = parseAuthResults(`${parts[0]}; ${piece}`);
    if (r.ok && r.value.results.length === 1) results.push(r.value.results[0]);
    else skipped.push(piece);
  }
  return { ok: true, value: { ...head.value, results }, skipped };
}
