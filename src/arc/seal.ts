// Sealing (RFC 8617 §5.1): after chain validation, the next instance i=N+1
// gets an ARC-Authentication-Results (the ADMD's results), an
// ARC-Message-Signature (a DKIM-style signature, relaxed/relaxed) and an
// ARC-Seal over every set 1..N+1 with cv= the chain status. A chain whose
// newest seal already says cv=fail gets no new set (§5.1.2). Tags are written
// in alphabetical order, lower case, as the ARC suite expects.
import { fieldValue, type RawField } from '../mime/header-decoder.ts';
import { headerHashData, selectHeaders, signHeaderData, type LoadedKey } from '../dkim/index.ts';
import { parseAuthResults, formatAuthResults, splitAuthResults, type AuthResults } from '../authres/index.ts';
import { MAX_INSTANCE, type ChainStatus } from './fields.ts';
import type { ArcReader } from './reader.ts';
import { sealHashData, type ArcResult } from './validate.ts';
import { err, ok, type Result } from '../result.ts';

export interface SealOptions {
  key: LoadedKey;
  domain: string;
  /** Selector of the ARC-Seal (and of the AMS unless signatureSelector). */
  selector: string;
  signatureSelector?: string;
  /** t= (seconds); default now. */
  timestamp?: number;
  /** Field names the AMS signs (h=). */
  fields: string[];
  /**
   * The AAR content: this ADMD's own results, or (the ARC suite's rule) the
   * results of the message's Authentication-Results fields with this authserv-id.
   */
  aar: { results: AuthResults } | { fromAuthResults: string };
}

/** The three fields of the new set, each folded and CRLF-terminated, to prepend in this order. */
export interface SealedSet {
  instance: number;
  cv: ChainStatus;
  seal: string;
  signature: string;
  results: string;
}

/**
 * `malformed`: the reader's header cannot be read; `chain-failed`: the newest
 * seal says cv=fail (RFC 8617 §5.1.2); `temperror`: validation could not
 * finish; `too-many`: past i=50; `not-sealing`: a reader made without {seal}.
 */
export type SealResult = Result<SealedSet, 'malformed' | 'chain-failed' | 'temperror' | 'too-many' | 'not-sealing'>;

/** Splits an Authentication-Results value at the ';' outside quotes and comments, whitespace collapsed. */
export const splitResinfo = splitAuthResults;

/** The AAR results (after `authserv-id;`) consolidated from the message's Authentication-Results with this id. */
export function consolidateAuthResults(fields: readonly RawField[], authservId: string): string[] {
  const out: string[] = [];
  for (const f of fields) {
    if (f.name.toLowerCase() !== 'authentication-results') continue;
    const value = fieldValue(f.raw).toString('latin1');
    const parts = splitResinfo(value);
    const parsed = parseAuthResults(value);
    const id = parsed.ok ? parsed.value.authservId : parts[0].split(' ')[0];
    if (id.toLowerCase() !== authservId.toLowerCase()) continue;
    out.push(...parts.slice(1).filter((p) => p !== '' && p.toLowerCase() !== 'none'));
  }
  return out;
}

/**
 * `Name: t1=v1; t2=v2` folded between tags only (a new line before a tag that
 * would pass 78 columns), never inside a value. The seal of this hop, and of
 * every later hop, signs the AMS with its b= value through relaxed
 * canonicalisation, which keeps one SP wherever a fold is: a b= left whole
 * is what the ARC suite's expected seals were computed over.
 */
export function writeTags(name: string, tags: Array<[string, string]>): string {
  let text = `${name}:`;
  let col = text.length;
  tags.forEach(([k, v], i) => {
    const item = `${k}=${v}${i < tags.length - 1 ? ';' : ''}`;
    if (col > 1 && col + 1 + item.length > 78 && i > 0) {
      text += '\r\n ';
      col = 1;
    } else {
      text += ' ';
      col++;
    }
    text += item;
    col += item.length;
  });
  return `${text}\r\n`;
}

function aarField(instance: number, id: string, results: string[]): string {
  const items = [`i=${instance};`, `${id};`.replace(/;$/, results.length ? ';' : '; none')];
  results.forEach((r, j) => items.push(j < results.length - 1 ? `${r};` : r));
  const one = `ARC-Authentication-Results: ${items.join(' ')}`;
  if (one.length <= 78) return `${one}\r\n`;
  // One result per line, as the suite's examples are written.
  return `ARC-Authentication-Results: ${items[0]} ${items[1]}${items.slice(2).map((x) => `\r\n ${x}`).join('')}\r\n`;
}

/** Seals a finished reader (built with {seal: true}) given its chain result. */
export function sealMessage(reader: ArcReader, chain: ArcResult, opts: SealOptions): SealResult {
  const read = reader.outcome ?? reader.finish();
  if (!read.ok) return read;
  const st = reader.structure;
  if (st.kind === 'broken' && st.newestCv === 'fail') return err('chain-failed', 'the newest ARC-Seal says cv=fail: no further set is added (RFC 8617 §5.1.2)');
  if (chain.status === 'temperror') return err('temperror', `chain validation failed temporarily: ${chain.reason}`);
  const instance = chain.instances + 1;
  if (instance > MAX_INSTANCE) return err('too-many', `the chain already has ${chain.instances} sets (limit ${MAX_INSTANCE})`);
  const cv: ChainStatus = chain.status;
  const body = reader.bodyHash('relaxed', 'sha256');
  if (!body) return err('not-sealing', 'the reader did not hash the body for sealing (make it with {seal: true})');
  const hash = 'sha256' as const;
  const alg = `${opts.key.type}-${hash}`;
  const t = String(opts.timestamp ?? Math.floor(Date.now() / 1000));

  let id: string;
  let results: string[];
  if ('results' in opts.aar) {
    const parts = splitResinfo(formatAuthResults(opts.aar.results));
    id = parts[0];
    results = parts.slice(1).filter((p) => p !== '' && p !== 'none');
  } else {
    id = opts.aar.fromAuthResults;
    results = consolidateAuthResults(reader.fields, id);
  }
  const aar = aarField(instance, id, results);
  const aarRaw = Buffer.from(aar, 'latin1');
  const fieldsWithAar: RawField[] = [{ name: 'ARC-Authentication-Results', raw: aarRaw, line: 0 } as RawField, ...reader.fields];

  const names = opts.fields.map((n) => n.toLowerCase());
  for (const f of selectHeaders(reader.fields, names)) {
    const k = f && reader.skippedAs(f);
    if (k) return err('malformed', `the ${k.name} field is too long to sign (${k.size} bytes)`, k.line);
  }
  const amsTags = (b: string): Array<[string, string]> => [
    ['a', alg],
    ['b', b],
    ['bh', body.hash.toString('base64')],
    ['c', 'relaxed/relaxed'],
    ['d', opts.domain],
    ['h', names.join(':')],
    ['i', String(instance)],
    ['s', opts.signatureSelector ?? opts.selector],
    ['t', t],
  ];
  const amsUnsigned = Buffer.from(writeTags('ARC-Message-Signature', amsTags('')), 'latin1');
  const amsData = headerHashData(fieldsWithAar, names, amsUnsigned, 'relaxed');
  const ams = writeTags('ARC-Message-Signature', amsTags(signHeaderData(opts.key.type, hash, amsData, opts.key.key).toString('base64')));

  const asTags = (b: string): Array<[string, string]> => [
    ['a', alg],
    ['b', b],
    ['cv', cv],
    ['d', opts.domain],
    ['i', String(instance)],
    ['s', opts.selector],
    ['t', t],
  ];
  const asUnsigned = Buffer.from(writeTags('ARC-Seal', asTags('')), 'latin1');
  const previous = st.kind === 'ok' ? st.sets : [];
  // A failing chain: the new seal covers its own set only (RFC 8617 §5.1.1: the chain is not vouched for).
  const covered = cv === 'fail' ? [] : previous;
  const asData = sealHashData([...covered, { aar: aarRaw, ams: Buffer.from(ams, 'latin1'), as: asUnsigned }]);
  const seal = writeTags('ARC-Seal', asTags(signHeaderData(opts.key.type, hash, asData, opts.key.key).toString('base64')));
  return ok({ instance, cv, seal, signature: ams, results: aar });
}
