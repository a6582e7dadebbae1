// The envelope from the message itself (as `sendmail -t` does): the header is
// read (and only the header is held, bounded), From gives the sender, To, Cc
// and Bcc the recipients, and Bcc fields are removed from what is sent. The
// body then streams through untouched.
import { HeaderDecoder, fieldValue } from '../mime/header-decoder.ts';
import { err, ok, type Result } from '../result.ts';

export interface MessageHeader {
  /** The header as it will be sent: every field, Bcc removed, then the blank line. */
  header: Buffer;
  /** The start of the body (what followed the blank line in the last chunk). */
  bodyStart: Buffer;
  from: string[];
  /** Sender field addresses (used when From has several). */
  sender: string[];
  to: string[];
  cc: string[];
  bcc: string[];
  /** The header had no blank line (a message of fields only). */
  noBody: boolean;
}

/** `malformed`: a header line that is not a field (with its line); `too-large`: over the bound. */
export type HeaderResult = Result<MessageHeader, 'malformed' | 'too-large'>;

/** Reads the header from a chunk source, leaving the source positioned after what `bodyStart` holds. */
export async function readMessageHeader(
  source: AsyncIterator<Buffer>,
  opts: { maxHeaderBytes?: number } = {},
): Promise<HeaderResult> {
  const max = opts.maxHeaderBytes ?? 1024 * 1024;
  const dec = new HeaderDecoder();
  const kept: Buffer[] = [];
  let size = 0;
  const r: MessageHeader = { header: Buffer.alloc(0), bodyStart: Buffer.alloc(0), from: [], sender: [], to: [], cc: [], bcc: [], noBody: false };
  for (;;) {
    const next = await source.next();
    const events = next.done ? dec.finish() : dec.push(next.value);
    for (const e of events) {
      if (e.type === 'field') {
        size += e.field.raw.length;
        if (size > max) return err('too-large', `header larger than ${max} bytes`);
        const name = e.field.name.toLowerCase();
        const value = fieldValue(e.field.raw).toString('utf8');
        if (name === 'from') r.from.push(...extractAddresses(value));
        else if (name === 'sender') r.sender.push(...extractAddresses(value));
        else if (name === 'to') r.to.push(...extractAddresses(value));
        else if (name === 'cc') r.cc.push(...extractAddresses(value));
        else if (name === 'bcc') {
          r.bcc.push(...extractAddresses(value));
          continue; // never sent
        }
        kept.push(e.field.raw);
      } else if (e.type === 'malformed') {
        return err('malformed', e.reason, e.line);
      } else if (e.type === 'too-long') {
        return err('too-large', `header field ${e.name} too long`, e.line);
      } else if (e.type === 'end') {
        r.noBody = !e.sawBlankLine;
        kept.push(Buffer.from(e.sawBlankLine ? '\r\n' : ''));
        r.header = Buffer.concat(kept);
        r.bodyStart = e.body;
        return ok(r);
      }
    }
    if (next.done) {
      r.header = Buffer.concat(kept);
      r.noBody = true;
      return ok(r);
    }
  }
}

/**
 * The addr-specs of an address-list field value (RFC 5322 §3.4): display
 * names, comments, quoted strings and groups are understood; each mailbox
 * gives `local@domain` as written (angle brackets and source routes removed).
 */
export function extractAddresses(value: string): string[] {
  const out: string[] = [];
  let piece = '';
  let angle = '';
  let inAngle = false;
  let sawAngle = false;
  let depth = 0;
  let quoted = false;
  const flush = (): void => {
    const a = (sawAngle ? angle : piece).trim().replace(/^@[^:]*:/, '');
    if (a) out.push(a.replace(/\s+/g, ''));
    piece = '';
    angle = '';
    sawAngle = false;
  };
  const v = value.replace(/\r?\n/g, '');
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (quoted) {
      if (c === '\\' && i + 1 < v.length) {
        const pair = c + v[++i];
        if (inAngle) angle += pair;
        else piece += pair;
        continue;
      }
      if (c === '"') quoted = false;
      if (inAngle) angle += c;
      else piece += c;
      continue;
    }
    if (depth > 0) {
      if (c === '\\') i++;
      else if (c === '(') depth++;
      else if (c === ')') depth--;
      continue;
    }
    if (c === '(') {
      depth = 1;
      continue;
    }
    if (c === '"') {
      quoted = true;
      if (inAngle) angle += c;
      else piece += c;
      continue;
    }
    if (inAngle) {
      if (c === '>') inAngle = false;
      else angle += c;
      continue;
    }
    if (c === '<') {
      inAngle = true;
      sawAngle = true;
      angle = '';
      continue;
    }
    if (c === ':') {
      piece = ''; // a group's display name
      continue;
    }
    if (c === ',' || c === ';') {
      flush();
      continue;
    }
    piece += c;
  }
  flush();
  return out.filter((a) => a.includes('@') || /^[^\s"]+$/.test(a)).filter((a) => !/\s/.test(a) || a.startsWith('"'));
}

export interface EnvelopeChoice {
  from: string;
  recipients: string[];
}

export type EnvelopeError = 'no-sender' | 'no-recipient' | 'bad-address';

/**
 * The envelope: the given sender and recipients, else the header's (RFC 5322
 * §3.6.2: Sender when From names several authors; To, Cc and Bcc, each
 * address once). `''` is the null reverse-path.
 */
export function chooseEnvelope(given: { sender?: string; recipients: readonly string[] }, h: MessageHeader): Result<EnvelopeChoice, EnvelopeError> {
  const from = given.sender ?? (h.from.length > 1 && h.sender.length ? h.sender[0] : h.from[0]);
  if (from === undefined) return err('no-sender', 'no sender: the message has no From field (use --sender)');
  const recipients = given.recipients.length ? [...given.recipients] : [...new Set([...h.to, ...h.cc, ...h.bcc])];
  if (!recipients.length) return err('no-recipient', 'no recipient: the message has no To, Cc or Bcc (use -r)');
  for (const a of [from, ...recipients]) {
    if (/[<>\s]/.test(a) || (a !== '' && !a.includes('@'))) return err('bad-address', `bad address: ${JSON.stringify(a)}`);
  }
  return ok({ from, recipients });
}

/** The message as chunks: the (rewritten) header, the body start, then the rest of the source. */
export async function* messageChunks(h: MessageHeader, rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  yield h.header;
  if (h.bodyStart.length) yield h.bodyStart;
  for (;;) {
    const n = await rest.next();
    if (n.done) return;
    yield n.value;
  }
}
