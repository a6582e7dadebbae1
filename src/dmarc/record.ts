// DMARC policy records (RFC 7489 §6.3, RFC 9989 adds np, psd and t; drops pct,
// rf and ri, which are still read here).
// - Tag names are case-insensitive: the ABNF of §6.4 writes them as quoted
//   strings, which RFC 5234 §2.3 makes case-insensitive. The v= value is
//   %x44.4d.41.52.43.31, so `DMARC1` exactly.
// - Only v and p decide whether the record is usable: a missing or bad v is
//   not a DMARC record; a missing or bad p makes it invalid (the caller applies
//   §6.6.3 step 6: act as p=none when rua has a valid URI).
// - Everything after them follows §6.3: "Unknown tags MUST be ignored. Syntax
//   errors in the remainder of the record SHOULD be discarded in favor of
//   default values": a bad value of an optional tag is dropped with a warning
//   and the tag's default applies.

export type DmarcPolicy = 'none' | 'quarantine' | 'reject';

export interface DmarcRecord {
  p: DmarcPolicy;
  sp?: DmarcPolicy;
  np?: DmarcPolicy;
  adkim: 'r' | 's';
  aspf: 'r' | 's';
  pct: number;
  fo: string[];
  rua: string[];
  ruf: string[];
  rf: string[];
  ri: number;
  /** RFC 9989 t=y: testing mode (like pct=0 for the disposition). */
  testing: boolean;
  /** RFC 9989 psd=y|n|u. */
  psd: 'y' | 'n' | 'u';
}

export type DmarcRecordError = 'empty' | 'bad-version' | 'bad-value' | 'no-p';

export type DmarcRecordParse =
  | { ok: true; record: DmarcRecord; /** Optional tags that were ignored, and why. */ warnings: string[] }
  | { ok: false; error: DmarcRecordError; message: string; rua: string[] };

const POLICIES = new Set(['none', 'quarantine', 'reject']);
const TAG_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const WSP = /^[ \t\r\n]+|[ \t\r\n]+$/g;

function uriList(v: string): string[] {
  return v
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
}

/** A reporting URI that could be used: mailto: with an address (RFC 7489 §6.2). */
export function isValidReportUri(u: string): boolean {
  return /^mailto:[^@\s]+@[^@\s!]+(![0-9]+[kmgt]?)?$/i.test(u);
}

/** Is this TXT string a DMARC record at all (RFC 7489 §6.6.3 step 2: starts with v=DMARC1, the tag name in any case)? */
export function looksLikeDmarcRecord(txt: string): boolean {
  return /^[vV][ \t]*=[ \t]*DMARC1[ \t]*(;|$)/.test(txt);
}

interface Tag {
  name: string;
  value: string;
}

/** `name=value` pairs split at ';', names lower-cased; pieces that are not tag=value come back as `bad`. */
function splitTags(text: string): { tags: Tag[]; bad: string[] } {
  const tags: Tag[] = [];
  const bad: string[] = [];
  for (const spec of text.split(';')) {
    const s = spec.replace(WSP, '');
    if (s === '') continue; // a trailing ';' (or an empty spec between two)
    const eq = s.indexOf('=');
    const name = eq < 0 ? '' : s.slice(0, eq).replace(WSP, '');
    if (!TAG_NAME.test(name)) {
      bad.push(s);
      continue;
    }
    tags.push({ name: name.toLowerCase(), value: s.slice(eq + 1).replace(WSP, '') });
  }
  return { tags, bad };
}

/** How each optional tag's value is read; null = invalid (the default applies). */
const OPTIONAL: Record<string, { read: (v: string) => unknown; what: string }> = {
  sp: { read: (v) => (POLICIES.has(v.toLowerCase()) ? v.toLowerCase() : null), what: 'none, quarantine or reject' },
  np: { read: (v) => (POLICIES.has(v.toLowerCase()) ? v.toLowerCase() : null), what: 'none, quarantine or reject' },
  adkim: { read: (v) => (/^[rs]$/i.test(v) ? v.toLowerCase() : null), what: 'r or s' },
  aspf: { read: (v) => (/^[rs]$/i.test(v) ? v.toLowerCase() : null), what: 'r or s' },
  pct: { read: (v) => (/^\d{1,3}$/.test(v) && Number(v) <= 100 ? Number(v) : null), what: 'an integer from 0 to 100' },
  // ri is a 32-bit unsigned integer (RFC 7489 §6.4 dmarc-ainterval = 1*DIGIT, §6.3 "32-bit").
  ri: { read: (v) => (/^\d{1,10}$/.test(v) && Number(v) <= 0xffffffff ? Number(v) : null), what: 'a number of seconds' },
  rf: { read: (v) => colonList(v, ['afrf', 'iodef']), what: 'afrf or iodef, colon-separated' },
  fo: { read: (v) => colonList(v, ['0', '1', 'd', 's']), what: '0, 1, d or s, colon-separated' },
  t: { read: (v) => (/^[yn]$/i.test(v) ? v.toLowerCase() : null), what: 'y or n' },
  psd: { read: (v) => (/^[ynu]$/i.test(v) ? v.toLowerCase() : null), what: 'y, n or u' },
};

/** A value from DNS as shown in a message: at most 40 characters, controls as '?'. */
function shown(v: string): string {
  return v.slice(0, 40).replace(/[\x00-\x1f\x7f]/g, '?');
}

function colonList(v: string, allowed: string[]): string[] | null {
  const items = v.split(':').map((x) => x.trim().toLowerCase());
  return items.every((x) => allowed.includes(x)) ? items : null;
}

export function parseDmarcRecord(text: string): DmarcRecordParse {
  const fail = (error: DmarcRecordError, message: string, rua: string[] = []): DmarcRecordParse => ({ ok: false, error, message, rua });
  if (text.trim() === '') return fail('empty', 'empty record');
  // v=DMARC1 must be the first tag (RFC 7489 §6.3); a record that does not start with it is not DMARC.
  const specs = text.split(';');
  const version = /^[ \t\r\n]*[vV][ \t\r\n]*=[ \t\r\n]*(.*?)[ \t\r\n]*$/s.exec(specs[0]);
  if (!version || version[1] !== 'DMARC1') return fail('bad-version', 'the record does not start with v=DMARC1');
  const { tags, bad } = splitTags(specs.slice(1).join(';'));
  const warnings = bad.map((s) => `ignored '${shown(s)}': not tag=value`);
  const values = new Map<string, string>();
  let secondP: string | undefined;
  for (const t of tags) {
    if (values.has(t.name) || t.name === 'v') {
      if (t.name === 'p') secondP ??= t.value;
      else warnings.push(`ignored a second ${t.name}=${shown(t.value)}; the first one applies`);
      continue;
    }
    values.set(t.name, t.value);
  }
  const rua = uriList(values.get('rua') ?? '');
  const pv = values.get('p');
  // Two p= tags: no valid p (which one would the domain mean?).
  if (secondP !== undefined) return fail('bad-value', `p= given twice (p=${shown(pv ?? '')}, p=${shown(secondP)})`, rua);
  if (pv !== undefined && !POLICIES.has(pv.toLowerCase())) return fail('bad-value', `bad value p=${shown(pv)}`, rua);
  if (pv === undefined) return fail('no-p', 'no p= tag', rua);
  const opt = (tag: string): unknown => {
    const v = values.get(tag);
    if (v === undefined) return undefined;
    const r = OPTIONAL[tag].read(v);
    if (r === null) warnings.push(`ignored ${tag}=${shown(v)} (expected ${OPTIONAL[tag].what}); the default applies`);
    return r ?? undefined;
  };
  const sp = opt('sp') as DmarcPolicy | undefined;
  const np = opt('np') as DmarcPolicy | undefined;
  const adkim = (opt('adkim') ?? 'r') as 'r' | 's';
  const aspf = (opt('aspf') ?? 'r') as 'r' | 's';
  const pct = (opt('pct') ?? 100) as number;
  const ri = (opt('ri') ?? 86400) as number;
  const rf = (opt('rf') ?? ['afrf']) as string[];
  const fo = (opt('fo') ?? ['0']) as string[];
  const t = (opt('t') ?? 'n') as string;
  const psd = (opt('psd') ?? 'u') as 'y' | 'n' | 'u';
  return {
    ok: true,
    record: { p: pv.toLowerCase() as DmarcPolicy, sp, np, adkim, aspf, pct, fo, rua, ruf: uriList(values.get('ruf') ?? ''), rf, ri, testing: t === 'y', psd },
    warnings,
  };
}
