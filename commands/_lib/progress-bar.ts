// A one-line progress bar on stderr for long work (SPEC §1 "Terminal"): only
// when stderr is a terminal and not --quiet; redrawn at most every 100 ms;
// erased at the end so the terminal is left clean.

export interface ProgressBar {
  /** DONE units of TOTAL (TOTAL 0 or undefined: unknown), with an optional note (`3 messages`). */
  update(done: number, total?: number, note?: string): void;
  done(): void;
}

const NONE: ProgressBar = { update() {}, done() {} };

export function progressBar(enabled: boolean, unit: 'bytes' | 'count' = 'count'): ProgressBar {
  if (!enabled || !process.stderr.isTTY) return NONE;
  let last = 0;
  let shown = false;
  const fmt = (n: number): string => (unit === 'bytes' ? `${(n / 1048576).toFixed(1)} MB` : String(n));
  return {
    update(done, total, note) {
      const now = Date.now();
      if (now - last < 100 && done !== total) return;
      last = now;
      shown = true;
      const tail = note ? ` ${note}` : '';
      if (total && total > 0) {
        const f = Math.min(1, done / total);
        const w = 30;
        const fill = Math.round(f * w);
        const pct = unit === 'bytes' ? `${Math.round(f * 100)}% ` : '';
        const of = unit === 'bytes' ? `${fmt(done)} / ${fmt(total)}` : `${done}/${total}`;
        process.stderr.write(`\r[${'#'.repeat(fill)}${' '.repeat(w - fill)}] ${pct}${of}${tail}\x1b[K`);
      } else process.stderr.write(`\r${fmt(done)}${tail}\x1b[K`);
    },
    done() {
      if (shown) process.stderr.write('\r\x1b[K');
    },
  };
}
