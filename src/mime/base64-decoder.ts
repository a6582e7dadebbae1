// A streaming base64 decoder for MIME bodies (RFC 2045 §6.8): chunks in,
// bytes out, any chunking giving the same bytes. Line breaks and other
// characters outside the alphabet are skipped (the latter counted, RFC 2045
// says to ignore them); `=` ends a quantum, so concatenated encodings decode
// as most readers do. Well-formed bodies (lines of equal length, a multiple
// of 4 characters in all) take a native fast path; anything else goes through
// a table-driven loop. Memory: one line of carry plus the output. What push
// returns may be reused by the next push: copy it to keep it.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** 1 for an alphabet byte, 2 for CR/LF/SP/TAB, 3 for `=`, 0 for anything else. */
const CLASS = new Uint8Array(256);
for (const c of ALPHABET) CLASS[c.charCodeAt(0)] = 1;
for (const c of [0x0d, 0x0a, 0x20, 0x09]) CLASS[c] = 2;
CLASS[0x3d] = 3;

const LF = 0x0a;
const CR = 0x0d;
const SLICE = 60 * 1024;

export class Base64Decoder {
  /** Alphabet characters of an unfinished quantum (0 to 3). */
  private quantum = '';
  /** Bytes after the last line break of the previous chunk (an unfinished line). */
  private line: Buffer | undefined;
  private scratch: Buffer = Buffer.alloc(0);
  /** Bytes that are neither alphabet, white space nor `=` (skipped). */
  invalid = 0;
  /** Decoded bytes of the fast path go here: what push returns is valid until the next push. */
  private output: Buffer = Buffer.alloc(0);
  private readonly target = (size: number): Buffer => {
    if (this.output.length < size) this.output = Buffer.allocUnsafeSlow(Math.max(size, 64 * 1024));
    return this.output;
  };

  push(chunk: Buffer): Buffer {
    if (chunk.length === 0) return EMPTY;
    const out: Buffer[] = [];
    let start = 0;
    if (this.line) {
      // Finish the unfinished line first, so the rest of the chunk starts at a line start.
      const nl = chunk.indexOf(LF);
      if (nl === -1) {
        this.line = this.line.length + chunk.length > 4096 ? this.flushLine(Buffer.concat([this.line, chunk]), out) : Buffer.concat([this.line, chunk]);
        return join(out);
      }
      out.push(this.slow(Buffer.concat([this.line, chunk.subarray(0, nl + 1)])));
      this.line = undefined;
      start = nl + 1;
    }
    const last = chunk.lastIndexOf(LF);
    if (last >= start) {
      const region = chunk.subarray(start, last + 1);
      out.push(this.quantum === '' ? (fast(region, this.target) ?? this.slow(region)) : this.slow(region));
      start = last + 1;
    }
    if (start < chunk.length) this.line = Buffer.from(chunk.subarray(start));
    return join(out);
  }

  /** End of the body: the unfinished line and quantum (2 or 3 characters give 1 or 2 bytes). */
  finish(): Buffer {
    const out: Buffer[] = [];
    if (this.line) out.push(this.slow(this.line));
    this.line = undefined;
    out.push(this.endQuantum());
    return join(out);
  }

  /** A long unfinished line: decode all of it but keep the quantum. */
  private flushLine(b: Buffer, out: Buffer[]): undefined {
    out.push(this.slow(b));
    return undefined;
  }

  private endQuantum(): Buffer {
    const q = this.quantum;
    this.quantum = '';
    if (q.length === 1) this.invalid++;
    return q.length >= 2 ? Buffer.from(q, 'base64') : EMPTY;
  }

  /** Any bytes: alphabet characters gathered, whole quanta decoded natively. */
  private slow(b: Buffer): Buffer {
    if (this.scratch.length < b.length + 4) this.scratch = Buffer.allocUnsafe(Math.max(b.length + 4, 4096));
    const s = this.scratch;
    const out: Buffer[] = [];
    let n = 0;
    for (let k = 0; k < this.quantum.length; k++) s[n++] = this.quantum.charCodeAt(k);
    this.quantum = '';
    for (let i = 0; i < b.length; i++) {
      const c = b[i];
      const k = CLASS[c];
      if (k === 1) s[n++] = c;
      else if (k === 3) {
        // Padding: the quantum ends here.
        const whole = n - (n % 4);
        if (n % 4 >= 2) {
          if (whole) out.push(Buffer.from(s.toString('latin1', 0, whole), 'base64'));
          out.push(Buffer.from(s.toString('latin1', whole, n), 'base64'));
          n = 0;
        } else if (n % 4 === 1) {
          if (whole) out.push(Buffer.from(s.toString('latin1', 0, whole), 'base64'));
          this.invalid++;
          n = 0;
        }
      } else if (k === 0) this.invalid++;
    }
    const whole = n - (n % 4);
    if (whole) out.push(Buffer.from(s.toString('latin1', 0, whole), 'base64'));
    this.quantum = s.toString('latin1', whole, n);
    return join(out);
  }
}

const EMPTY = Buffer.alloc(0);

function join(parts: Buffer[]): Buffer {
  const kept = parts.filter((p) => p.length);
  return kept.length === 0 ? EMPTY : kept.length === 1 ? kept[0] : Buffer.concat(kept);
}

/**
 * Complete lines of equal length L (CRLF ended) whose characters are all in
 * the alphabet and number a multiple of 4: decoded natively in one call.
 * Undefined when the region is not like that (the caller takes the slow path).
 */
function fast(region: Buffer, target: (size: number) => Buffer): Buffer | undefined {
  const first = region.indexOf(LF);
  const width = first + 1; // bytes per line, CRLF included
  if (first < 1 || region[first - 1] !== CR || region.length % width !== 0) return undefined;
  const lines = region.length / width;
  for (let p = first; p < region.length; p += width) if (region[p] !== LF || region[p - 1] !== CR) return undefined;
  const chars = lines * (width - 2);
  if (chars % 4 !== 0) return undefined;
  // node's decoder also takes base64url's `-` and `_`, which RFC 2045 does not.
  if (region.indexOf(0x2d) !== -1 || region.indexOf(0x5f) !== -1) return undefined;
  // Decoded in slices of whole lines under 64 KiB: the strings stay in V8's young
  // generation (a large one would live until a full GC and swell the RSS).
  let linesPerSlice = Math.max(1, Math.floor(SLICE / width));
  if ((width - 2) % 4 !== 0) linesPerSlice = Math.max(4, linesPerSlice - (linesPerSlice % 4)); // whole quanta per slice
  const size = (chars / 4) * 3;
  const out = target(size);
  let o = 0;
  for (let l = 0; l < lines; l += linesPerSlice) {
    const n = Math.min(linesPerSlice, lines - l);
    const want = ((n * (width - 2)) / 4) * 3;
    const got = out.write(region.toString('latin1', l * width, (l + n) * width), o, want, 'base64');
    // Fewer bytes than the characters promise: some were not alphabet (or `=`): redo slowly.
    if (got !== want) return undefined;
    o += got;
  }
  return out.subarray(0, o);
}
