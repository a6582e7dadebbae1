// RFC 8601 §2.2 Authentication-Results parsing. Comments are kept (after the
// result, after a property value, after `none`); unknown methods and ptypes
// are kept; `name=value` pairs without a ptype (vendor extras such as
// `x-tls=pass version=TLSv1.2`) are skipped, as authres does. A trailing ';'
// is accepted. Anything else that does not fit the grammar is an error value.
import { tokenize, type Token } from './lexer.ts';
import type { AuthResParse, AuthResProperty, AuthResResult, AuthResults } from './types.ts';
import { err, ok } from '../result.ts';

class Cursor {
  i = 0;
  constructor(readonly toks: Token[]) {}
  /** The next non-comment token, comments before it collected. */
  peek(): Token | undefined {
    let j = this.i;
    while (j < this.toks.length && this.toks[j].kind === 'comment') j++;
    return this.toks[j];
  }
  /** Consumes comments and returns their text (joined), if any. */
  comments(): string | undefined {
    const parts: string[] = [];
    while (this.i < this.toks.length && this.toks[this.i].kind === 'comment') parts.push(this.toks[this.i++].text);
    return parts.length ? parts.join(' ') : undefined;
  }
  next(): Token | undefined {
    this.comments();
    return this.toks[this.i++];
  }
}

class Fail {
  constructor(
    readonly error: string,
    readonly offset: number,
  ) {}
}

function describe(t: Token | undefined): string {
  return t ? `'${t.text}'` : 'end of field';
}

/** Parses the value of an Authentication-Results field (without the field name). */
export function parseAuthResults(value: string): AuthResParse {
  const toks = tokenize(value);
  const bad = toks.find((t) => t.kind === 'error');
  if (bad) return { ...err('syntax', bad.text), offset: bad.at };
  try {
    return ok(parseTokens(new Cursor(toks), value.length));
  } catch (e) {
    if (e instanceof Fail) return { ...err('syntax', e.error), offset: e.offset };
    throw e;
  }
}

function expectValue(c: Cursor, what: string, end: number): string {
  const t = c.next();
  if (!t || (t.kind !== 'word' && t.kind !== 'quoted')) throw new Fail(`expected ${what}, found ${describe(t)}`, t?.at ?? end);
  return t.text;
}

function expectSep(c: Cursor, sep: string, end: number): void {
  const t = c.next();
  if (!t || t.kind !== 'sep' || t.text !== sep) throw new Fail(`expected '${sep}', found ${describe(t)}`, t?.at ?? end);
}

function parseTokens(c: Cursor, end: number): AuthResults {
  const out: AuthResults = { authservId: expectValue(c, 'an authserv-id', end), results: [] };
  const v = c.peek();
  if (v && v.kind === 'word' && /^\d+$/.test(v.text)) {
    c.next();
    out.version = Number(v.text);
  }
  let first = true;
  for (;;) {
    const t = c.next();
    if (!t) break;
    if (t.kind !== 'sep' || t.text !== ';') throw new Fail(`expected ';', found ${describe(t)}`, t.at);
    const m = c.peek();
    if (!m) break; // a trailing ';'
    if (first && m.kind === 'word' && m.text.toLowerCase() === 'none') {
      const save = c.i;
      c.next();
      const comment = c.comments();
      const after = c.peek();
      if (!after || (after.kind === 'sep' && after.text === ';' && !c.toks.slice(c.i + 1).some((x) => x.kind !== 'comment'))) {
        c.next();
        if (comment) out.comment = comment;
        return out;
      }
      c.i = save;
    }
    first = false;
    out.results.push(parseResinfo(c, end));
  }
  return out;
}

function parseResinfo(c: Cursor, end: number): AuthResResult {
  const mt = c.next();
  if (!mt || mt.kind !== 'word') throw new Fail(`expected a method, found ${describe(mt)}`, mt?.at ?? end);
  const slash = mt.text.indexOf('/');
  const res: AuthResResult = { method: (slash < 0 ? mt.text : mt.text.slice(0, slash)).toLowerCase(), result: '', properties: [] };
  if (slash >= 0) {
    const ver = mt.text.slice(slash + 1);
    if (!/^\d+$/.test(ver)) throw new Fail(`bad method version '${ver}'`, mt.at + slash + 1);
    res.version = Number(ver);
  }
  expectSep(c, '=', end);
  const rt = c.next();
  if (!rt || rt.kind !== 'word') throw new Fail(`expected a result for ${res.method}, found ${describe(rt)}`, rt?.at ?? end);
  res.result = rt.text.toLowerCase();
  const comment = c.comments();
  if (comment) res.comment = comment;
  for (;;) {
    const t = c.peek();
    if (!t || (t.kind === 'sep' && t.text === ';')) return res;
    if (t.kind !== 'word') throw new Fail(`expected a property, found ${describe(t)}`, t.at);
    c.next();
    expectSep(c, '=', end);
    const value = expectValue(c, `a value for ${t.text}`, end);
    const pc = c.comments();
    const name = t.text.toLowerCase();
    if (name === 'reason') {
      res.reason = value;
      if (pc) res.comment = res.comment ? `${res.comment} ${pc}` : pc;
      continue;
    }
    const dot = name.indexOf('.');
    if (dot <= 0 || dot === name.length - 1) continue; // no ptype: a vendor extra, skipped
    const p: AuthResProperty = { type: name.slice(0, dot), name: name.slice(dot + 1), value };
    if (pc) p.comment = pc;
    res.properties.push(p);
  }
}
