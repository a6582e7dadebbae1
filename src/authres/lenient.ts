// A forgiving reading for reports (`dmarc collect`): when a field does not
// parse, each `;`-separated result is read on its own and the pieces that
// still do not parse are returned as skipped text, so a vendor's one bad
// result (Microsoft's `header.d=none;example.com`) does not hide the others.
// When the part before the first ';' does not parse either (Yahoo's legacy
// `mta.yahoo.com  from=example.com; domainkeys=...; from=example.com; dkim=...`),
// the authserv-id is its first token and the rest of it is one more piece.
import { parseAuthResults } from './parse.ts';
import { tokenize } from './lexer.ts';
import type { AuthResResult, AuthResults } from './types.ts';
import { ok, type Result } from '../result.ts';

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

/** What a lenient reading gives: the results it could read, and the pieces it could not. */
export interface LenientAuthResults extends AuthResults {
  skipped: string[];
}

export type LenientParse = Result<LenientAuthResults, 'syntax', { offset: number }>;

/** RFC 8601 §2.2 method and result are Keywords (RFC 5321 Ldh-str): `from=example.com` is no result. */
const KEYWORD = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;

function readable(r: AuthResResult): boolean {
  return KEYWORD.test(r.method) && KEYWORD.test(r.result);
}

/** The authserv-id (and version) at the start of a head that does not parse, and the text after it. */
function splitHead(head: string): { id: string; rest: string } | undefined {
  const toks = tokenize(head).filter((t) => t.kind !== 'comment');
  const first = toks[0];
  if (!first || (first.kind !== 'word' && first.kind !== 'quoted')) return undefined;
  let next = toks[1];
  if (next && next.kind === 'word' && /^\d+$/.test(next.text)) next = toks[2];
  const end = next ? next.at : head.length;
  return { id: head.slice(0, end).trim(), rest: next ? head.slice(end).trim() : '' };
}

export function parseAuthResultsLenient(value: string): LenientParse {
  const strict = parseAuthResults(value);
  if (strict.ok) return ok({ ...strict.value, skipped: [] });
  const parts = splitAuthResults(value);
  let prefix = parts[0];
  let head = parseAuthResults(prefix);
  let pieces = parts.slice(1);
  if (!head.ok) {
    const split = splitHead(parts[0]);
    if (!split) return strict;
    head = parseAuthResults(split.id);
    if (!head.ok) return strict;
    prefix = split.id;
    pieces = [split.rest, ...pieces];
  }
  const results: AuthResResult[] = [];
  const skipped: string[] = [];
  for (const piece of pieces) {
    if (piece === '') continue;
    const r = parseAuthResults(`${prefix}; ${piece}`);
    if (r.ok && r.value.results.length === 1 && readable(r.value.results[0])) results.push(r.value.results[0]);
    else skipped.push(piece);
  }
  return ok({ ...head.value, results, skipped });
}
