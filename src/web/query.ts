// The search language of the web inbox, the one Mailpit and mail clients
// taught people: words are ANDed; `from:`, `to:` (To and Cc), `subject:`
// match inside those fields; `is:unread`, `is:read`, `has:attachment`;
// `after:`/`before:` a date (YYYY-MM-DD, UTC, on the Date field, else the
// arrival time); a bare word or a "quoted phrase" matches the sender,
// recipients, subject or the message's text; `-` (or `!`) negates a term.
// Matching is case-insensitive substring matching.

export type Term =
  | { kind: 'from' | 'to' | 'subject' | 'text'; value: string; negate: boolean }
  | { kind: 'unread' | 'attachment'; negate: boolean }
  | { kind: 'before' | 'after'; epochMs: number; negate: boolean };

export interface Query {
  terms: Term[];
  /** The query as given, trimmed. */
  source: string;
}

export type QueryParse = { ok: true; query: Query } | { ok: false; error: string };

/** Longest query accepted (a URL parameter; bounded like every input). */
export const MAX_QUERY_LENGTH = 1024;
const MAX_TERMS = 32;

/** Splits on whitespace, keeping "quoted strings" (with \" inside) together; `field:"a b"` stays one token. */
function tokens(s: string): string[] | undefined {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    while (i < s.length && /\s/.test(s[i])) i++;
    if (i >= s.length) break;
    let tok = '';
    while (i < s.length && !/\s/.test(s[i])) {
      if (s[i] === '"') {
        i++;
        let q = '';
        while (i < s.length && s[i] !== '"') {
          if (s[i] === '\\' && i + 1 < s.length) i++;
          q += s[i++];
        }
        if (i >= s.length) return undefined;
        i++;
        tok += '\u0000' + q; // marks a quoted piece: no operator inside it
      } else tok += s[i++];
    }
    out.push(tok);
  }
  return out;
}

function parseDay(v: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (!m) return undefined;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const d = new Date(t);
  return d.getUTCDate() === Number(m[3]) && d.getUTCMonth() === Number(m[2]) - 1 ? t : undefined;
}

export function parseQuery(input: string): QueryParse {
  const source = input.trim();
  if (source.length > MAX_QUERY_LENGTH) return { ok: false, error: `query longer than ${MAX_QUERY_LENGTH} characters` };
  const toks = tokens(source);
  if (!toks) return { ok: false, error: 'unterminated quoted string' };
  if (toks.length > MAX_TERMS) return { ok: false, error: `more than ${MAX_TERMS} terms` };
  const terms: Term[] = [];
  for (let tok of toks) {
    let negate = false;
    if ((tok[0] === '-' || tok[0] === '!') && tok.length > 1) {
      negate = true;
      tok = tok.slice(1);
    }
    const colon = tok.indexOf(':');
    const quotedAt = tok.indexOf('\u0000');
    const hasField = colon > 0 && (quotedAt === -1 || colon < quotedAt);
    const field = hasField ? tok.slice(0, colon).toLowerCase() : '';
    const value = (hasField ? tok.slice(colon + 1) : tok).replace(/\u0000/g, '');
    switch (field) {
      case 'from':
      case 'to':
      case 'subject':
        if (!value) return { ok: false, error: `${field}: needs a value` };
        terms.push({ kind: field, value: value.toLowerCase(), negate });
        break;
      case 'is': {
        const v = value.toLowerCase();
        if (v === 'unread') terms.push({ kind: 'unread', negate });
        else if (v === 'read') terms.push({ kind: 'unread', negate: !negate });
        else return { ok: false, error: `is:${value}: expected is:unread or is:read` };
        break;
      }
      case 'has': {
        const v = value.toLowerCase();
        if (v === 'attachment' || v === 'attachments') terms.push({ kind: 'attachment', negate });
        else return { ok: false, error: `has:${value}: expected has:attachment` };
        break;
      }
      case 'before':
      case 'after': {
        const t = parseDay(value);
        if (t === undefined) return { ok: false, error: `${field}:${value}: expected a date YYYY-MM-DD` };
        // after:D means from the start of the day after D; before:D before the start of D.
        terms.push({ kind: field, epochMs: field === 'after' ? t + 86_400_000 : t, negate });
        break;
      }
      default:
        if (value) terms.push({ kind: 'text', value: (hasField ? tok.replace(/\u0000/g, '') : value).toLowerCase(), negate });
    }
  }
  return { ok: true, query: { terms, source } };
}

/** What the summary-level predicates need of a message (lower-cased search strings). */
export interface Searchable {
  from: string;
  to: string;
  subject: string;
  unread: boolean;
  attachments: number;
  /** The Date field, else the arrival time (ms since the epoch). */
  epochMs: number;
}

/** A free-text term still to look for in the body (its header fields did not contain it). */
export interface BodyCheck {
  value: string;
  negate: boolean;
}

/**
 * Matches the terms that need no body. Returns false when the message is
 * out; otherwise the text terms that the header fields did not decide, to be
 * looked for in the message's text (none: the message matches).
 */
export function matchHeaders(q: Query, m: Searchable): false | BodyCheck[] {
  const body: BodyCheck[] = [];
  for (const t of q.terms) {
    let hit: boolean;
    switch (t.kind) {
      case 'from':
        hit = m.from.includes(t.value);
        break;
      case 'to':
        hit = m.to.includes(t.value);
        break;
      case 'subject':
        hit = m.subject.includes(t.value);
        break;
      case 'unread':
        hit = m.unread;
        break;
      case 'attachment':
        hit = m.attachments > 0;
        break;
      case 'before':
        hit = m.epochMs < t.epochMs;
        break;
      case 'after':
        hit = m.epochMs >= t.epochMs;
        break;
      case 'text':
        if (m.from.includes(t.value) || m.to.includes(t.value) || m.subject.includes(t.value)) hit = true;
        else {
          body.push({ value: t.value, negate: t.negate });
          continue;
        }
        break;
    }
    if (hit === t.negate) return false;
  }
  return body;
}

/**
 * Looks for several strings in a text that arrives in pieces (already
 * lower-cased by the caller); a match may straddle two pieces.
 */
export class TextFinder {
  private carry = '';
  private readonly keep: number;
  readonly found = new Set<string>();

  constructor(private readonly needles: string[]) {
    this.keep = Math.max(0, ...needles.map((n) => n.length - 1));
  }

  /** True once every needle has been seen (nothing more to learn). */
  get complete(): boolean {
    return this.found.size === new Set(this.needles).size;
  }

  push(piece: string): void {
    const text = this.carry + piece;
    for (const n of this.needles) if (!this.found.has(n) && text.includes(n)) this.found.add(n);
    this.carry = this.keep ? text.slice(-this.keep) : '';
  }

  /** The body verdict for the checks matchHeaders left. */
  verdict(checks: BodyCheck[]): boolean {
    return checks.every((c) => this.found.has(c.value) !== c.negate);
  }
}
