// mbox files (RFC 4155 and its four variants): a streaming reader, an mboxrd
// writer, From_ lines, and the Status/X-Status <-> Maildir flags mapping.
export { MBOX_FORMATS, formatRules, type MboxFormat, type MboxReadFormat, type Unquoting, type FormatRules } from './format.ts';
export { parseFromLine, isCredibleFromLine, parseAsctime, formatAsctime, formatFromLine, type FromLine } from './from-line.ts';
export { MAX_FROM_LINE, MAX_LOOKAHEAD, MboxDecoder, type MboxEvent } from './reader.ts';
export { MboxrdMessageWriter, mboxrdEntry } from './writer.ts';
export { placementFromStatus, statusFromPlacement, replaceStatusFields, headerEnd, type MaildirPlacement } from './status.ts';
export { HeaderTap } from './header-tap.ts';
export { envelopeSender, envelopeTime } from './envelope.ts';
// The file-system glue (locking, fsync): the only part of src/mbox that does I/O.
export { MboxAppender, acquireDotLock, releaseDotLock, type MboxAppendOptions, type MboxMessageAppend } from './append.ts';
