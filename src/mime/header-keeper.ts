// The header fields a verifier keeps (DKIM, ARC, DMARC need the raw bytes of
// every field a signature may cover), within a memory budget: a hostile
// header of millions of tiny fields must not cost hundreds of megabytes.
// Past the budget the header is refused (one line, exit 2 in the CLI), and no
// further field is kept; the decoder still reads to the end of the header so
// the body can be hashed and a caller that copies the message loses nothing.
//
// A field longer than the decoder's bound is not kept either, but it is not
// forgotten: it stays in `fields` as a placeholder (its name and line, an
// empty value) so that counting fields by name (RFC 6376 §8.15 duplicates,
// RFC 7489 §6.6.1 one From) still sees it, and a signature that covers it
// can say so instead of verifying something else.
import type { HeaderEvent, RawField } from './header-decoder.ts';

/** A field skipped because it is longer than the decoder's bound. */
export interface SkippedField {
  name: string;
  line: number;
  /** Its size in bytes. */
  size: number;
}

/**
 * What a kept field costs beyond its bytes (the RawField, the Buffer object,
 * the name string): measured with node 20, about 200 bytes.
 */
const FIELD_OVERHEAD = 200;

/** Default budget: 2 MiB of kept fields: any header Exim accepts (header_maxsize, 1 MB) with up to some 5,000 fields. */
export const HEADER_BUDGET = 2 * 1024 * 1024;

export class HeaderKeeper {
  readonly fields: RawField[] = [];
  /** Fields skipped as too long, in header order (each also a placeholder in `fields`). */
  readonly skipped: SkippedField[] = [];
  /** The first problem that makes the header unreadable. */
  malformed: { line: number; reason: string } | undefined;
  /** Set at the `end` event. */
  ended = false;
  private cost = 0;
  private readonly placeholders = new WeakMap<RawField, SkippedField>();

  constructor(private readonly budget = HEADER_BUDGET) {}

  /**
   * Takes one decoder event; returns the field when it was kept (the caller
   * may look at it), undefined otherwise.
   */
  take(e: HeaderEvent): RawField | undefined {
    if (e.type === 'end') {
      this.ended = true;
      return undefined;
    }
    if (e.type === 'malformed') {
      this.malformed ??= { line: e.line, reason: e.reason };
      return undefined;
    }
    if (this.cost > this.budget) return undefined;
    let field: RawField;
    if (e.type === 'too-long') {
      const skipped = { name: e.name, line: e.line, size: e.size };
      this.skipped.push(skipped);
      field = { name: e.name, raw: Buffer.from(`${e.name}:\r\n`, 'latin1'), line: e.line };
      this.placeholders.set(field, skipped);
    } else field = e.field;
    this.cost += field.raw.length + FIELD_OVERHEAD;
    if (this.cost > this.budget) {
      const bytes = this.fields.reduce((n, f) => n + f.raw.length, 0);
      this.malformed ??= {
        line: field.line,
        reason: `header too large to check: ${this.fields.length} fields (${Math.ceil(bytes / 1024)} KiB) before this one pass the bound of ${this.budget / 1024 / 1024} MiB kept`,
      };
      return undefined;
    }
    this.fields.push(field);
    return field;
  }

  /** The skipped field a placeholder stands for, or undefined for a real field. */
  skippedAs(f: RawField): SkippedField | undefined {
    return this.placeholders.get(f);
  }
}

/** The one-line warning for a skipped field (the wording of hdr and descr). */
export function skippedFieldWarning(s: SkippedField): string {
  return `line ${s.line}: field ${s.name || '(no name)'} is too long (${s.size} bytes), skipped`;
}
