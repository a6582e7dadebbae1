// Writing a message out: in wire form (CRLF), or with LF line ends for
// --newline lf (SPEC §1 "Output"). The one writer of the commands that print
// a message: make, wrap, put, and those that prepend fields to the message
// they read (make add-field, dkim sign, spf stamp, dmarc verify -h, arc sign,
// recv stamp).
import { Output } from './io.ts';
import { CrlfToLf } from '../../src/mime/newline.ts';

/**
 * Writes a message to -o FILE or stdout. The output is opened at the first
 * write, so a command that fails before writing leaves no empty file behind.
 */
export class MessageWriter {
  private readonly lf: CrlfToLf | undefined;
  private out: Output | undefined;

  constructor(private readonly path: string | undefined, newline: string | undefined) {
    this.lf = newline === 'lf' ? new CrlfToLf() : undefined;
  }

  private output(): Output {
    return (this.out ??= new Output(this.path));
  }

  async write(data: Buffer | string): Promise<void> {
    const b = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    if (!b.length) return;
    const out = this.lf ? this.lf.push(b) : b;
    if (out.length) await this.output().write(out);
  }

  async end(): Promise<void> {
    if (this.lf) {
      const t = this.lf.finish();
      if (t.length) await this.output().write(t);
    }
    await this.output().end();
  }
}

/**
 * Prepends FIELDS (complete header fields, CRLF-terminated) to MESSAGE (wire
 * form) and writes the whole through a MessageWriter. The first chunk of the
 * message is read before anything is written, so an input that cannot be read
 * leaves the output untouched. Returns the number of message bytes copied.
 */
export async function writePrepended(
  fields: string | Buffer,
  message: AsyncIterable<Buffer>,
  to: { output?: string; newline?: string },
): Promise<number> {
  const it = message[Symbol.asyncIterator]();
  const first = await it.next();
  const w = new MessageWriter(to.output, to.newline);
  let copied = 0;
  await w.write(fields);
  for (let r = first; !r.done; r = await it.next()) {
    copied += r.value.length;
    await w.write(r.value);
  }
  await w.end();
  return copied;
}
