// The MIME tree of a whole message held in memory: a convenience over
// MimeDecoder for tests and small messages (commands stream instead).
import { MimeDecoder, type MimeEvent, type MimePart } from './multipart.ts';
import { NewlineNormalizer } from './newline.ts';
import { fieldValue } from './header-decoder.ts';
import { decodeHeaderBytes } from './charset.ts';

export interface MimeNode {
  part: MimePart;
  /** Header fields: name, raw bytes, unfolded value (raw 8-bit read as UTF-8, else Latin-1). */
  fields: Array<{ name: string; raw: Buffer; value: string }>;
  children: MimeNode[];
  /** The decoded body of a leaf. */
  body?: Buffer;
  size: number;
  warnings: string[];
}

export interface MimeTree {
  root: MimeNode;
  warnings: Array<{ path: number[]; message: string; fatal: boolean }>;
}

/** Parses a message (LF or CRLF) fed in chunks of `chunkSize` bytes (default: all at once). */
export function parseToTree(bytes: Uint8Array, opts: { chunkSize?: number } = {}): MimeTree {
  const norm = new NewlineNormalizer('auto');
  const dec = new MimeDecoder({ data: true });
  const nodes = new Map<string, MimeNode>();
  const bodies = new Map<string, Buffer[]>();
  const warnings: MimeTree['warnings'] = [];
  let root: MimeNode | undefined;
  const on = (events: MimeEvent[]): void => {
    for (const ev of events) {
      if (ev.type === 'part-start') {
        const node: MimeNode = {
          part: ev.part,
          fields: ev.part.fields.map((f) => ({ name: f.name, raw: f.raw, value: decodeHeaderBytes(fieldValue(f.raw)) })),
          children: [],
          size: 0,
          warnings: [],
        };
        nodes.set(ev.part.path.join('.'), node);
        if (ev.part.path.length === 0) root = node;
        else nodes.get(ev.part.path.slice(0, -1).join('.'))?.children.push(node);
      } else if (ev.type === 'data') {
        const k = ev.path.join('.');
        bodies.set(k, [...(bodies.get(k) ?? []), Buffer.from(ev.data)]);
      } else if (ev.type === 'part-end') {
        const node = nodes.get(ev.path.join('.'))!;
        node.size = ev.size;
        if (node.part.kind === 'leaf') node.body = Buffer.concat(bodies.get(ev.path.join('.')) ?? []);
      } else {
        warnings.push({ path: ev.path, message: ev.message, fatal: ev.fatal });
        nodes.get(ev.path.join('.'))?.warnings.push(ev.message);
      }
    }
  };
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const step = opts.chunkSize ?? Math.max(buf.length, 1);
  for (let i = 0; i < buf.length; i += step) on(dec.push(norm.push(buf.subarray(i, i + step))));
  on(dec.push(norm.finish()));
  on(dec.finish());
  return { root: root!, warnings };
}
