// The Received-SPF header field (RFC 7208 §9.1):
//   Received-SPF: pass (mybox.example.org: domain of myname@example.com
//     designates 192.0.2.1 as permitted sender) receiver=mybox.example.org;
//     client-ip=192.0.2.1; envelope-from="myname@example.com"; helo=foo.example.com;
// formatting (folded at 78 columns) and a lenient reading of what others wrote.
import type { SpfResultKind } from './types.ts';
import { SPF_RESULTS } from './types.ts';
// lexer.ts directly, not ../mime/index.ts: the index pulls in iconv-lite and the encoder (+7 ms at spf start-up)
import { readComment } from '../mime/lexer.ts';
import { headerSafe } from '../mime/safe-text.ts';
import { err, ok, type Result } from '../result.ts';

export interface ReceivedSpfInput {
  status: SpfResultKind;
  ip: string;
  /** The identity checked as a mailbox (postmaster@helo for the HELO identity). */
  sender: string;
  /** The MAIL FROM as received; undefined when there was none. */
  envelopeFrom?: string;
  helo?: string;
  receiver?: string;
  identity?: 'mailfrom' | 'helo';
  mechanism?: string;
  problem?: string;
  domain?: string;
  /** Replaces the generated comment. */
  comment?: string;
}

/** The usual human comment for a result. */
export function receivedSpfComment(r: ReceivedSpfInput): string {
  const who = r.receiver ? `${r.receiver}: ` : '';
  const dom = r.domain ?? r.sender.slice(r.sender.lastIndexOf('@') + 1);
  switch (r.status) {
    case 'pass':
      return `${who}domain of ${r.sender} designates ${r.ip} as permitted sender`;
    case 'fail':
      return `${who}domain of ${r.sender} does not designate ${r.ip} as permitted sender`;
    case 'softfail':
      return `${who}transitioning domain of ${r.sender} does not designate ${r.ip} as permitted sender`;
    case 'neutral':
      return `${who}${r.ip} is neither permitted nor denied by domain of ${r.sender}`;
    case 'none':
      return `${who}domain of ${dom} does not designate permitted sender hosts`;
    case 'temperror':
      return `${who}error in processing during lookup of ${dom}`;
    case 'permerror':
      return `${who}permanent error in processing domain of ${dom}${r.problem ? `: ${r.problem}` : ''}`;
  }
}

const DOT_ATOM = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+(\.[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+)*$/;

// Values may come from the network (a HELO name, a record's text in problem=):
// a control character becomes '?' (src/mime/safe-text.ts), never a raw CR.
function kvValue(value: string): string {
  const v = headerSafe(value);
  return DOT_ATOM.test(v) ? v : `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function commentText(c: string): string {
  return headerSafe(c.replace(/[\r\n]+/g, ' ')).replace(/[\\()]/g, (x) => `\\${x}`);
}

/** The key=value pairs in RFC 7208 order of appearance in its examples. */
export function receivedSpfPairs(r: ReceivedSpfInput): [string, string][] {
  const pairs: [string, string][] = [];
  if (r.receiver) pairs.push(['receiver', r.receiver]);
  pairs.push(['client-ip', r.ip]);
  if (r.envelopeFrom !== undefined) pairs.push(['envelope-from', r.envelopeFrom]);
  if (r.helo) pairs.push(['helo', r.helo]);
  if (r.mechanism && r.mechanism !== 'default') pairs.push(['mechanism', r.mechanism]);
  if (r.problem && (r.status === 'permerror' || r.status === 'temperror')) pairs.push(['problem', r.problem]);
  if (r.identity) pairs.push(['identity', r.identity]);
  return pairs;
}

/** The whole field, "Received-SPF: ...\r\n", folded at whitespace to 78 columns where it can. */
export function formatReceivedSpf(r: ReceivedSpfInput): string {
  const words: string[] = [r.status];
  const comment = `(${commentText(r.comment ?? receivedSpfComment(r))})`;
  words.push(...comment.split(' '));
  for (const [k, v] of receivedSpfPairs(r)) {
    // A quoted value keeps its spaces: it is one unbreakable word.
    words.push(`${k}=${kvValue(v)};`);
  }
  return foldWords('Received-SPF:', words);
}

function foldWords(name: string, words: string[]): string {
  let out = name;
  let line = name.length;
  for (const w of words) {
    if (line + 1 + w.length > 78 && line > 1) {
      out += '\r\n ';
      line = 1;
      out += w;
      line += w.length;
    } else {
      out += ` ${w}`;
      line += 1 + w.length;
    }
  }
  return `${out}\r\n`;
}

export interface ReceivedSpfValue {
  /** The result word the field records. */
  status: SpfResultKind;
  comment?: string;
  /** key=value pairs, keys lower-cased, values unquoted. */
  pairs: Record<string, string>;
  clientIp?: string;
  envelopeFrom?: string;
  helo?: string;
  receiver?: string;
  identity?: string;
  mechanism?: string;
  problem?: string;
}

/** `malformed`: the field does not follow RFC 7208 §9.1 (the message says where). */
export type ReceivedSpfParse = Result<ReceivedSpfValue, 'malformed'>;

/** Reads an unfolded Received-SPF value. Unknown keys are kept; stray text after the pairs is an error. */
export function parseReceivedSpf(value: string): ReceivedSpfParse {
  const s = value.replace(/\r?\n/g, '');
  let i = 0;
  const comments: string[] = [];
  const skipCfws = (): string | undefined => {
    for (;;) {
      while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
      if (s[i] !== '(') return undefined;
      const c = readComment(s, i);
      if (!c.closed) return 'unterminated comment';
      comments.push(c.text);
      i = c.end;
    }
  };
  let problem = skipCfws();
  if (problem) return err('malformed', problem);
  const rm = /^[A-Za-z]+/.exec(s.slice(i));
  if (!rm) return err('malformed', 'no result word');
  const result = rm[0].toLowerCase() as SpfResultKind;
  if (!SPF_RESULTS.includes(result)) return err('malformed', `unknown result '${rm[0]}'`);
  i += rm[0].length;
  if (i < s.length && s[i] !== ' ' && s[i] !== '\t' && s[i] !== '(') return err('malformed', `unknown result '${rm[0]}${s[i]}'`);
  const pairs: Record<string, string> = {};
  for (;;) {
    problem = skipCfws();
    if (problem) return err('malformed', problem);
    if (i >= s.length) break;
    const km = /^([A-Za-z][A-Za-z0-9_.-]*)[ \t]*=[ \t]*/.exec(s.slice(i));
    if (!km) return err('malformed', `expected key=value at '${s.slice(i, i + 20)}'`);
    i += km[0].length;
    let v = '';
    if (s[i] === '"') {
      i++;
      for (; i < s.length && s[i] !== '"'; i++) v += s[i] === '\\' && i + 1 < s.length ? s[++i] : s[i];
      if (s[i] !== '"') return err('malformed', `unterminated quoted value of ${km[1]}`);
      i++;
    } else {
      const vm = /^[^\s;()"]*/.exec(s.slice(i))!;
      v = vm[0];
      i += v.length;
    }
    pairs[km[1].toLowerCase()] = v;
    problem = skipCfws();
    if (problem) return err('malformed', problem);
    if (s[i] === ';') i++;
    else if (i < s.length) return err('malformed', `expected ';' after ${km[1]}`);
  }
  return ok({
    status: result,
    comment: comments[0],
    pairs,
    clientIp: pairs['client-ip'],
    envelopeFrom: pairs['envelope-from'],
    helo: pairs.helo,
    receiver: pairs.receiver,
    identity: pairs.identity,
    mechanism: pairs.mechanism,
    problem: pairs.problem,
  });
}

/**
 * What a re-evaluation of a read field needs: the client address and the
 * identity. Fields written by others often lack the keys (Gmail writes only
 * client-ip; Exchange Online none), so the comment's "domain of X designates
 * IP" and the message's Return-Path fill in what they can.
 */
export function receivedSpfIdentity(v: ReceivedSpfValue, returnPath?: string): { ip?: string; sender?: string; helo?: string } {
  const comment = v.comment ?? '';
  const ip = v.clientIp || /\b(?:designates|designate) ([0-9A-Fa-f:.]+) as permitted sender/.exec(comment)?.[1] || /(?:^|\s)([0-9A-Fa-f:.]*[.:][0-9A-Fa-f:.]+) is neither permitted nor denied/.exec(comment)?.[1];
  const helo = v.helo || undefined;
  if (v.identity?.toLowerCase() === 'helo') return { ip, sender: '', helo };
  let sender = v.envelopeFrom?.replace(/^<|>$/g, '');
  if (!sender) {
    const m = /domain of (\S+?) (?:designates|does not designate)/.exec(comment) ?? /by domain of (\S+?)\)?$/.exec(comment);
    if (m) sender = m[1].includes('@') ? m[1] : `postmaster@${m[1]}`;
  }
  if (!sender && returnPath) sender = returnPath.trim().replace(/^<|>$/g, '');
  return { ip, sender: sender || (helo ? '' : undefined), helo };
}
