// mbox files (RFC 4155 and its four variants): a streaming reader, an mboxrd
// writer, From_ lines, and the Status/X-Status <-> Maildir flags mapping.
export * from './format.ts';
export * from './from-line.ts';
export * from './reader.ts';
export * from './writer.ts';
export * from './status.ts';
export * from './header-tap.ts';
export * from './envelope.ts';
// The file-system glue (locking, fsync): the only part of src/mbox that does I/O.
export * from './append.ts';
