// Reading the address lists people type on the command line (--from, --to,
// -f "Cc: ..."): RFC 5322 §3.4 mailboxes with display names (atoms or
// quoted-strings, UTF-8 welcome), angle addresses, groups, comments ignored.
// Kept apart from the message parser (src/mime/address.ts): this one reads what
// a user means and is strict, so a typo is an error naming where it is.
import type { AddressOut, MailboxOut } from './address-encoder.ts';
import { err, ok, type Result } from '../../result.ts';

/** `syntax`: not an address list a user would mean (the message says where). */
export type AddressInputResult = Result<AddressOut[], 'syntax'>;

type Tok = { t: 'atom' | 'quoted' | 'special' | 'literal'; v: string; pos: number; spaceBefore: boolean };

function tokenize(s: string): Tok[] | string {
  const toks: Tok[] = [];
  let i = 0;
  let space = false;
  while (i < s.length) {
    const c = s[i];
    if (c === ' ' || c === '\t') {
      space = true;
      i++;
    } else if (c === '(') {
      let depth = 0;
      const start = i;
      for (; i < s.length; i++) {
        if (s[i] === '\\') i++;
        else if (s[i] === '(') depth++;
        else if (s[i] === ')' && --depth === 0) break;
      }
      if (i >= s.length) return `unclosed comment at offset ${start}`;
      i++;
      space = true;
    } else if (c === '"') {
      const start = i;
      let v = '';
      for (i++; i < s.length && s[i] !== '"'; i++) {
        if (s[i] === '\\' && i + 1 < s.length) i++;
        v += s[i];
      }
      if (i >= s.length) return `unclosed quoted-string at offset ${start}`;
      i++;
      toks.push({ t: 'quoted', v, pos: start, spaceBefore: space });
      space = false;
    } else if (c === '[') {
      const end = s.indexOf(']', i);
      if (end === -1) return `unclosed domain literal at offset ${i}`;
      toks.push({ t: 'literal', v: s.slice(i, end + 1), pos: i, spaceBefore: space });
      i = end + 1;
      space = false;
    } else if ('<>,:;@.'.includes(c)) {
      toks.push({ t: 'special', v: c, pos: i, spaceBefore: space });
      i++;
      space = false;
    } else {
      const start = i;
      while (i < s.length && !' \t()"<>,:;@.[]\\'.includes(s[i])) i++;
      if (i === start) return `unexpected "${c}" at offset ${i}`;
      toks.push({ t: 'atom', v: s.slice(start, i), pos: start, spaceBefore: space });
      space = false;
    }
  }
  return toks;
}

class Reader {
  i = 0;
  constructor(readonly toks: Tok[]) {}
  peek(): Tok | undefined {
    return this.toks[this.i];
  }
  isSpecial(v: string): boolean {
    const t = this.peek();
    return t !== undefined && t.t === 'special' && t.v === v;
  }
  where(): string {
    const t = this.peek();
    return t ? `offset ${t.pos}` : 'the end';
  }
}

/** local-part "@" domain; dots joined, so `a.b@c.d` and `"a b"@c` both read. */
function addrSpec(r: Reader): { local: string; domain: string } | string {
  let local = '';
  for (;;) {
    const t = r.peek();
    if (!t || (t.t !== 'atom' && t.t !== 'quoted')) return `expected a local part at ${r.where()}`;
    local += t.v;
    r.i++;
    if (!r.isSpecial('.')) break;
    local += '.';
    r.i++;
  }
  if (!r.isSpecial('@')) return `expected "@" at ${r.where()}`;
  r.i++;
  const t = r.peek();
  if (t?.t === 'literal') {
    r.i++;
    return { local, domain: t.v };
  }
  let domain = '';
  for (;;) {
    const d = r.peek();
    if (!d || d.t !== 'atom') return `expected a domain at ${r.where()}`;
    domain += d.v;
    r.i++;
    if (!r.isSpecial('.')) break;
    domain += '.';
    r.i++;
  }
  return { local, domain };
}

/** A phrase: words (atoms, quoted-strings, and dots as obs-phrase allows) joined by single spaces. */
function phrase(r: Reader): string | undefined {
  const words: string[] = [];
  for (let t = r.peek(); t && (t.t === 'atom' || t.t === 'quoted' || (t.t === 'special' && t.v === '.' && words.length)); t = r.peek()) {
    if (t.t === 'special' || (!t.spaceBefore && words.length && t.t === 'atom' && words[words.length - 1].endsWith('.'))) words[words.length - 1] += t.v;
    else words.push(t.v);
    r.i++;
  }
  return words.length ? words.join(' ') : undefined;
}

function mailbox(r: Reader): MailboxOut | string {
  const start = r.i;
  const name = phrase(r);
  if (r.isSpecial('<')) {
    r.i++;
    const route: string[] = [];
    while (r.isSpecial('@')) {
      r.i++;
      const d = r.peek();
      if (!d || d.t !== 'atom') return `expected a route domain at ${r.where()}`;
      let dom = d.v;
      r.i++;
      while (r.isSpecial('.')) {
        r.i++;
        const n = r.peek();
        if (!n || n.t !== 'atom') return `expected a route domain at ${r.where()}`;
        dom += '.' + n.v;
        r.i++;
      }
      route.push(dom);
      if (r.isSpecial(',')) r.i++;
      else if (r.isSpecial(':')) {
        r.i++;
        break;
      } else return `expected ":" after the route at ${r.where()}`;
    }
    const a = addrSpec(r);
    if (typeof a === 'string') return a;
    if (!r.isSpecial('>')) return `expected ">" at ${r.where()}`;
    r.i++;
    const m: MailboxOut = { local: a.local, domain: a.domain };
    if (name !== undefined) m.name = name;
    if (route.length) m.route = route;
    return m;
  }
  r.i = start;
  const a = addrSpec(r);
  if (typeof a === 'string') return a;
  return { local: a.local, domain: a.domain };
}

/** An address list as typed by a person. */
export function parseAddressInput(value: string): AddressInputResult {
  const toks = tokenize(value);
  if (typeof toks === 'string') return err('syntax', toks);
  const r = new Reader(toks);
  const out: AddressOut[] = [];
  while (r.peek()) {
    if (r.isSpecial(',')) {
      r.i++;
      continue;
    }
    const start = r.i;
    const name = phrase(r);
    if (name !== undefined && r.isSpecial(':')) {
      r.i++;
      const members: MailboxOut[] = [];
      while (!r.isSpecial(';')) {
        if (!r.peek()) return err('syntax', `group "${name}" without its closing ";"`);
        if (r.isSpecial(',')) {
          r.i++;
          continue;
        }
        const m = mailbox(r);
        if (typeof m === 'string') return err('syntax', m);
        members.push(m);
      }
      r.i++;
      out.push({ group: name, mailboxes: members });
    } else {
      r.i = start;
      const m = mailbox(r);
      if (typeof m === 'string') return err('syntax', m);
      out.push(m);
    }
    if (r.peek() && !r.isSpecial(',')) return err('syntax', `expected "," at ${r.where()}`);
  }
  return ok(out);
}
