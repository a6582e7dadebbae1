// Finding `CRLF--boundary` (a delimiter line) in a stream of chunks without
// holding the stream: only the last few bytes are carried between chunks. The
// start of the body counts as a line start.

export class DelimiterSearch {
  private readonly needle: Buffer;
  private carry: Buffer;
  private done = false;

  constructor(boundary: string, suffix = '') {
    this.needle = Buffer.from(`\r\n--${boundary}${suffix}`, 'latin1');
    this.carry = Buffer.from('\r\n', 'latin1'); // the body starts at a line start
  }

  get found(): boolean {
    return this.done;
  }

  /**
   * Feeds a chunk; returns how many bytes of this chunk precede the match when
   * it is found in it (the match may start in the carried bytes: then a
   * negative number, -k meaning k bytes before this chunk), or undefined.
   */
  push(chunk: Buffer): number | undefined {
    if (this.done) return undefined;
    const hay = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    const at = hay.indexOf(this.needle);
    if (at !== -1) {
      this.done = true;
      return at - this.carry.length;
    }
    const keep = Math.min(hay.length, this.needle.length - 1);
    this.carry = Buffer.from(hay.subarray(hay.length - keep));
    return undefined;
  }
}
