// Address lists (RFC 5322 §3.4 with the obsolete syntax of §4.4: routes,
// obs-local-part, obs-phrase, empty list elements), groups, comments, domain
// literals, UTF-8 (RFC 6532). IDNs are kept as written. Results are values:
// a list with a bad element gives {ok: false} plus every address that did parse.

import { decodeHeaderBytes } from './charset.ts';
import { decodeEncodedWords } from './encoded-word.ts';
import { lex, type Token } from './lexer.ts';

export interface Mailbox {
  /** Display name as written (quoted strings unquoted, words joined by one space); encoded-words kept unless decoded. */
  name?: string;
  /** Local part, unquoted ("john doe" for `"john doe"@x`). */
  local: string;
  /** Domain as written: dotted name (IDN kept) or `[literal]`; '' when the address had none. */
  domain: string;
  /** Obsolete source route (`<@a,@b:x@y>` gives ['a', 'b']). */
  route?: string[];
  /** Comments found in the mailbox (`x@y (John)` gives 'John'). */
  comment?: string;
}

export interface Group {
  group: string;
  mailboxes: Mailbox[];
}

export type Address = Mailbox | Group;

export type AddressListResult =
  | { ok: true; addresses: Address[] }
  | { ok: false; error: string; addresses: Address[] };

export type MailboxResult = { ok: true; mailbox: Mailbox } | { ok: false; error: string };

export interface AddressParseOptions {
  /** Decode RFC 2047 encoded-words in display names and group names. */
  decode?: boolean;
  /**
   * The value is a byte string (raw header bytes as Buffer 'latin1'): every
   * string of the result is read as UTF-8 when valid, Windows-1252 otherwise,
   * and 8-bit bytes inside encoded-words are taken in the word's charset.
   */
  binary?: boolean;
}

export function isGroup(a: Address): a is Group {
  return (a as Group).group !== undefined;
}

class Parser {
  pos = 0;
  errors: string[] = [];
  constructor(
    readonly tokens: Token[],
    readonly trailing: string[],
    readonly decode: boolean,
    readonly binary: boolean,
  ) {}

  /** A byte string as text (binary mode), or the string itself. */
  text(s: string): string {
    return this.binary && /[\x80-\xff]/.test(s) ? decodeHeaderBytes(Buffer.from(s, 'latin1')) : s;
  }

  peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  isSpecial(ch: string, t = this.peek()): boolean {
    return t !== undefined && t.kind === 'special' && t.value === ch;
  }

  where(t = this.peek()): string {
    return t ? `offset ${t.offset}` : 'the end';
  }

  /** Words and dots (obs-phrase); returns the tokens read. */
  phrase(): Token[] {
    const out: Token[] = [];
    for (let t = this.peek(); t; t = this.peek()) {
      if (t.kind === 'atom' || t.kind === 'quoted' || (t.kind === 'special' && t.value === '.')) {
        out.push(t);
        this.pos++;
      } else break;
    }
    return out;
  }

  phraseText(words: Token[]): string {
    let s = '';
    words.forEach((w, i) => {
      if (i > 0 && w.space) s += ' ';
      s += w.value;
    });
    return this.decode ? decodeEncodedWords(s, { binary: this.binary }) : this.text(s);
  }

  /** dot-atom / obs-domain / domain-literal. */
  domain(): string {
    const t = this.peek();
    if (t?.kind === 'literal') {
      this.pos++;
      return t.value;
    }
    let d = '';
    let wantAtom = true; // atoms and dots alternate: `a@b c@d` stops after b
    for (let u = this.peek(); u; u = this.peek()) {
      const dot = u.kind === 'special' && u.value === '.';
      if (u.kind === 'atom' && (wantAtom || !u.space)) d += u.value;
      else if (dot) d += '.';
      else break;
      wantAtom = dot;
      this.pos++;
    }
    if (!d) this.errors.push(`expected a domain at ${this.where()}`);
    return d;
  }

  /** Comments carried by tokens [from, to) and the token at `to` (or the trailing ones). */
  commentsIn(from: number, to: number): string | undefined {
    const all: string[] = [];
    for (let i = from; i <= to && i < this.tokens.length; i++) all.push(...this.tokens[i].comments);
    if (to >= this.tokens.length) all.push(...this.trailing);
    const text = all.map((c) => c.trim()).filter((c) => c).join(' ');
    return text || undefined;
  }

  /** Skips to the next ',' (or ';' inside a group) outside angle brackets. */
  recover(inGroup: boolean): void {
    let depth = 0;
    for (let t = this.peek(); t; t = this.peek()) {
      if (t.kind === 'special') {
        if (t.value === '<') depth++;
        else if (t.value === '>') depth = Math.max(0, depth - 1);
        else if (depth === 0 && (t.value === ',' || (inGroup && t.value === ';'))) return;
      }
      this.pos++;
    }
  }

  /** `<` [route] [addr-spec] `>`: the '<' is the current token. */
  angle(): Omit<Mailbox, 'name'> {
    this.pos++;
    const route: string[] = [];
    if (this.isSpecial('@')) {
      while (this.isSpecial('@') || this.isSpecial(',')) {
        if (this.isSpecial(',')) {
          this.pos++;
          continue;
        }
        this.pos++;
        route.push(this.domain());
      }
      if (this.isSpecial(':')) this.pos++;
      else this.errors.push(`expected ':' after a route at ${this.where()}`);
    }
    let local = '';
    let domain = '';
    if (!this.isSpecial('>')) {
      local = this.localPart(this.phrase());
      if (this.isSpecial('@')) {
        this.pos++;
        domain = this.domain();
      } else this.errors.push(`expected '@' at ${this.where()}`);
    }
    if (this.isSpecial('>')) this.pos++;
    else {
      this.errors.push(`expected '>' at ${this.where()}`);
      let depth = 1;
      for (let t = this.peek(); t && depth > 0; t = this.peek()) {
        if (t.kind === 'special' && t.value === '<') depth++;
        if (t.kind === 'special' && t.value === '>') depth--;
        if (t.kind === 'special' && t.value === ',' && depth === 1) break;
        this.pos++;
      }
    }
    return route.length ? { local, domain, route } : { local, domain };
  }

  localPart(words: Token[]): string {
    return words.map((w) => w.value).join('');
  }

  /** One mailbox or group; undefined after an error that consumed nothing useful. */
  address(inGroup: boolean): Address | undefined {
    const start = this.pos;
    const words = this.phrase();
    const t = this.peek();
    if (t && t.kind === 'special' && t.value === '<') {
      const m: Mailbox = this.angle();
      if (words.length) m.name = this.phraseText(words);
      const comment = this.commentsIn(start, this.pos);
      if (comment) m.comment = comment;
      return withNameFirst(m);
    }
    if (t && t.kind === 'special' && t.value === '@' && words.length) {
      this.pos++;
      const m: Mailbox = { local: this.localPart(words), domain: this.domain() };
      if (this.isSpecial('<')) {
        // `phil@example.com <phil@example.com>`: an unquoted '@' in a display name.
        const nameTokens = this.tokens.slice(start, this.pos);
        const named: Mailbox = this.angle();
        named.name = this.phraseText(nameTokens);
        const comment = this.commentsIn(start, this.pos);
        if (comment) named.comment = comment;
        return withNameFirst(named);
      }
      const comment = this.commentsIn(start, this.pos);
      if (comment) m.comment = comment;
      return m;
    }
    if (t && t.kind === 'special' && t.value === ':' && !inGroup) {
      this.pos++;
      const group: Group = { group: this.phraseText(words), mailboxes: [] };
      for (;;) {
        const u = this.peek();
        if (!u) {
          this.errors.push(`group "${group.group}" not closed with ';'`);
          break;
        }
        if (u.kind === 'special' && u.value === ';') {
          this.pos++;
          break;
        }
        if (u.kind === 'special' && u.value === ',') {
          this.pos++;
          continue;
        }
        const before = this.pos;
        const a = this.address(true);
        if (a && !isGroup(a)) group.mailboxes.push(a);
        if (!this.isSpecial(',') && !this.isSpecial(';') && this.peek()) {
          this.errors.push(`unexpected '${this.peek()!.value}' at ${this.where()}`);
          this.recover(true);
        }
        if (this.pos === before) this.pos++;
      }
      return group;
    }
    if (words.length && (!t || (t.kind === 'special' && (t.value === ',' || t.value === ';')))) {
      // A local part alone (`undisclosed-recipients`, `NO`): kept, but it is not an address.
      this.errors.push(`address without '@' at offset ${words[0].offset}`);
      const m: Mailbox = { local: this.localPart(words), domain: '' };
      const comment = this.commentsIn(start, this.pos);
      if (comment) m.comment = comment;
      return m;
    }
    this.errors.push(`unexpected ${t ? `'${t.value}'` : 'end'} at ${this.where()}`);
    this.recover(inGroup);
    return undefined;
  }
}

function withNameFirst(m: Mailbox): Mailbox {
  const { name, local, domain, route, comment } = m;
  const out: Mailbox = name !== undefined ? { name, local, domain } : { local, domain };
  if (route) out.route = route;
  if (comment) out.comment = comment;
  return out;
}

/** Parses an address-list (From, To, Cc, ...). Never throws. */
export function parseAddressList(value: string, opts: AddressParseOptions = {}): AddressListResult {
  const lexed = lex(value);
  const p = new Parser(lexed.tokens, lexed.trailingComments, opts.decode ?? false, opts.binary ?? false);
  p.errors.push(...lexed.errors);
  const addresses: Address[] = [];
  while (p.peek()) {
    if (p.isSpecial(',')) {
      p.pos++;
      continue;
    }
    const before = p.pos;
    const a = p.address(false);
    if (a) addresses.push(a);
    // A group ends with ';', so a missing ',' after it is harmless (`A: x; B: y;`).
    if (p.peek() && !p.isSpecial(',') && !(a && isGroup(a) && p.tokens[p.pos - 1]?.value === ';')) {
      p.errors.push(`unexpected '${p.peek()!.value}' at ${p.where()}`);
      p.recover(false);
    }
    if (p.pos === before) p.pos++;
  }
  if (p.binary) {
    const fix = (m: Mailbox): void => {
      m.local = p.text(m.local);
      m.domain = p.text(m.domain);
      if (m.route) m.route = m.route.map((d) => p.text(d));
      if (m.comment) m.comment = p.text(m.comment);
    };
    for (const a of addresses) (isGroup(a) ? a.mailboxes : [a]).forEach(fix);
  }
  if (p.errors.length) return { ok: false, error: p.errors[0], addresses };
  return { ok: true, addresses };
}

/** Parses exactly one mailbox (Sender, a single From). */
export function parseMailbox(value: string, opts: AddressParseOptions = {}): MailboxResult {
  const r = parseAddressList(value, opts);
  if (!r.ok) return { ok: false, error: r.error };
  if (r.addresses.length !== 1 || isGroup(r.addresses[0])) {
    return { ok: false, error: `expected one mailbox, found ${r.addresses.length} addresses` };
  }
  return { ok: true, mailbox: r.addresses[0] };
}

/** Every mailbox of a list, groups expanded. */
export function flattenAddresses(list: Address[]): Mailbox[] {
  return list.flatMap((a) => (isGroup(a) ? a.mailboxes : [a]));
}

const DOT_ATOM = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\uffff]+(\.[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\uffff]+)*$/;

const PHRASE = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\uffff]+( [A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\uffff]+)*$/;

const ATOM = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\uffff]+$/;
const ENCODED_WORD = /^=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=$/;

function quote(s: string): string {
  return '"' + s.replace(/(["\\])/g, '\\$1') + '"';
}

/** `local@domain`, the local part quoted when it is not a dot-atom. */
export function addrSpec(m: Mailbox): string {
  const local = m.local === '' || DOT_ATOM.test(m.local) ? m.local : quote(m.local);
  return m.domain ? `${local}@${m.domain}` : local;
}

export interface FormatAddressOptions {
  /** Decode encoded-words in names (names are kept as written otherwise). */
  decode?: boolean;
}

function formatName(name: string, decode: boolean): string {
  const text = decode ? decodeEncodedWords(name) : name;
  // Atoms separated by single spaces read back as they are; anything else is quoted.
  if (PHRASE.test(text)) return text;
  // Encoded-words kept as written are atoms too (`=?utf-8?Q?J._Doe?=` must not be quoted).
  const words = text.split(' ');
  if (words.every((w) => w !== '' && (ATOM.test(w) || ENCODED_WORD.test(w)))) return text;
  return quote(text);
}

/** `Name <local@domain>`, `local@domain`, or `Group: a, b;`. */
export function formatAddress(a: Address, opts: FormatAddressOptions = {}): string {
  const decode = opts.decode ?? false;
  if (isGroup(a)) {
    const inner = a.mailboxes.map((m) => formatAddress(m, opts)).join(', ');
    return `${formatName(a.group, decode)}:${inner ? ' ' + inner : ''};`;
  }
  const spec = addrSpec(a);
  const route = a.route?.length ? a.route.map((d) => '@' + d).join(',') + ':' : '';
  if (a.name) return `${formatName(a.name, decode)} <${route}${spec}>`;
  return route || !spec ? `<${route}${spec}>` : spec;
}
