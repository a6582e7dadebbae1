// The media type of a content from its first bytes, when neither the user nor
// the file name says it: magic numbers of the common attachment formats, else
// text or binary by what the bytes hold.
import { looksBinary, scanBody } from './encoding-choice.ts';

const MAGIC: Array<[number[], string]> = [
  [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'image/png'],
  [[0xff, 0xd8, 0xff], 'image/jpeg'],
  [[0x47, 0x49, 0x46, 0x38], 'image/gif'],
  [[0x25, 0x50, 0x44, 0x46, 0x2d], 'application/pdf'],
  [[0x50, 0x4b, 0x03, 0x04], 'application/zip'],
  [[0x1f, 0x8b], 'application/gzip'],
];

/** How many leading bytes sniffType looks at. */
export const SNIFF_BYTES = 4096;

/** The media type from the content's first bytes: magic numbers, else text/plain or application/octet-stream. */
export function sniffType(head: Uint8Array): string {
  for (const [sig, type] of MAGIC) if (head.length >= sig.length && sig.every((b, i) => head[i] === b)) return type;
  if (Buffer.from(head.subarray(0, 5)).toString('latin1') === '%!PS-') return 'application/postscript';
  return looksBinary(scanBody(head)) ? 'application/octet-stream' : 'text/plain';
}
