// Reading the top-level header of a message for `hdr` and `addr`: fields one
// by one as they arrive, problems reported through a callback, and the body
// never read (the input stops being consumed at the blank line, so a 1 GB
// message costs what its header costs).
import { BlazeError, EXIT_USAGE } from './errors.ts';
import { inputName, readMessage, releaseItems } from './io.ts';
import { HeaderDecoder, type RawField } from '../../src/mime/header-decoder.ts';
import type { NewlineMode } from '../../src/mime/newline.ts';
import { addrSpec, isGroup, type Address, type Mailbox } from '../../src/mime/address.ts';
import { decodeEncodedWords } from '../../src/mime/encoded-word.ts';

export type HeaderProblem =
  | { kind: 'malformed'; line: number; reason: string }
  | { kind: 'too-long'; line: number; name: string; size: number };

/** Without a single field after this many bytes, the input is not a message. */
const GIVE_UP_BYTES = 1 << 20;
/** Bytes given to the header decoder at a time. */
const SLICE = 4096;

/**
 * The fields of the message header, in order. Throws a one-line BlazeError
 * (exit 2) when the input holds no header field at all.
 */
export async function* headerFields(
  input: string | undefined,
  newline: NewlineMode | undefined,
  onProblem: (p: HeaderProblem) => void,
): AsyncGenerator<RawField> {
  const dec = new HeaderDecoder();
  let count = 0;
  let bytes = 0;
  let ended = false;
  const handle = function* (events: ReturnType<HeaderDecoder['push']>): Generator<RawField> {
    for (const ev of events) {
      if (ev.type === 'field') {
        count++;
        releaseItems();
        yield ev.field;
      } else if (ev.type === 'malformed') onProblem({ kind: 'malformed', line: ev.line, reason: ev.reason });
      else if (ev.type === 'too-long') onProblem({ kind: 'too-long', line: ev.line, name: ev.name, size: ev.size });
      else if (ev.type === 'end') ended = true;
    }
  };
  for await (const chunk of readMessage(input, newline ?? 'auto')) {
    bytes += chunk.length;
    // In slices: the decoder returns a slice's fields at once (a megabyte of
    // tiny fields would be a hundred thousand objects alive together).
    for (let at = 0; at < chunk.length && !ended; at += SLICE) yield* handle(dec.push(chunk.subarray(at, at + SLICE)));
    if (ended) break;
    // A megabyte without a field begun is not a message (a field still being read counts: a long second field must not lose the first).
    if (count === 0 && bytes > GIVE_UP_BYTES && !dec.sawField) break;
  }
  if (!ended && !(count === 0 && bytes > GIVE_UP_BYTES && !dec.sawField)) yield* handle(dec.finish());
  if (count === 0) throw new BlazeError(`${inputName(input)}: no header field (not a message?)`, EXIT_USAGE);
}

/** The bytes after the colon, folds kept, the final CRLF removed. */
export function rawValue(raw: Buffer): Buffer {
  const colon = raw.indexOf(0x3a);
  let end = raw.length;
  while (end > colon + 1 && (raw[end - 1] === 0x0a || raw[end - 1] === 0x0d)) end--;
  return raw.subarray(colon + 1, end);
}

export const ADDRESS_FIELDS = new Set([
  'from',
  'sender',
  'reply-to',
  'to',
  'cc',
  'bcc',
  'resent-from',
  'resent-sender',
  'resent-reply-to',
  'resent-to',
  'resent-cc',
  'resent-bcc',
]);

export const DATE_FIELDS = new Set(['date', 'resent-date']);

function mailboxJson(m: Mailbox): Record<string, unknown> {
  const j: Record<string, unknown> = {};
  if (m.name !== undefined) j.name = m.name;
  j.address = addrSpec(m);
  j.local = m.local;
  j.domain = m.domain;
  if (m.route) j.route = m.route;
  if (m.comment) j.comment = m.comment;
  return j;
}

/** An address for --json: the parser's fields plus `address` (the addr-spec). */
export function addressJson(a: Address): Record<string, unknown> {
  return isGroup(a) ? { group: a.group, mailboxes: a.mailboxes.map(mailboxJson) } : mailboxJson(a);
}

/**
 * For display: a mailbox without a display name shows its comment as the name,
 * the RFC 822 habit (`bbb@ddd.com (John X. Doe)`), as mblaze's maddr does.
 */
export function withCommentName(m: Mailbox, decode: boolean): Mailbox {
  if (m.name || !m.comment) return m;
  return { ...m, name: decode ? decodeEncodedWords(m.comment) : m.comment };
}
