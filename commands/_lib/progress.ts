// Progress on stderr for long work (SPEC §1 "Terminal"): a large submit, a
// maildir scan, a batch. Only when stderr is a terminal and not -q; redrawn at
// most every 100 ms; the line is cleared at the end.

export interface Progress {
  /** `n` units done so far. */
  update(n: number): void;
  done(): void;
}

const NONE: Progress = { update: () => {}, done: () => {} };
const REDRAW_MS = 100;
const BAR_WIDTH = 30;

/** Whether progress may be drawn: stderr is a terminal and the user did not ask for quiet. */
export function progressWanted(o: { quiet?: boolean }): boolean {
  return !o.quiet && process.stderr.isTTY === true;
}

function bar(fraction: number): string {
  const filled = Math.round(Math.min(1, fraction) * BAR_WIDTH);
  return `[${'#'.repeat(filled)}${' '.repeat(BAR_WIDTH - filled)}]`;
}

/** Bytes sent of a message: a bar with percent when the size is known, from 1 MB on. */
export function byteProgress(enabled: boolean, total: number | undefined): Progress {
  if (!enabled) return NONE;
  let last = 0;
  let shown = false;
  const mb = (n: number): string => (n / 1048576).toFixed(1) + ' MB';
  return {
    update(n) {
      if (n < 1048576) return;
      const now = Date.now();
      if (now - last < REDRAW_MS) return;
      last = now;
      shown = true;
      if (total && total > 0) {
        const f = Math.min(1, n / total);
        process.stderr.write(`\r${bar(f)} ${Math.round(f * 100)}% ${mb(n)} / ${mb(total)}`);
      } else process.stderr.write(`\rsent ${mb(n)}`);
    },
    done() {
      if (shown) process.stderr.write('\r\x1b[K');
    },
  };
}

/** Items done out of a total: `[####      ] 120/400`, or `LABEL: 120/400` with a label. */
export function countProgress(enabled: boolean, total: number, label?: string): Progress {
  if (!enabled) return NONE;
  let last = 0;
  let shown = false;
  return {
    update(n) {
      const now = Date.now();
      if (n < total && now - last < REDRAW_MS) return;
      last = now;
      shown = true;
      const text = label !== undefined ? `${label}: ${n}/${total}` : `${bar(total ? n / total : 1)} ${n}/${total}`;
      process.stderr.write(`\r\x1b[K${text}`);
    },
    done() {
      if (shown) process.stderr.write('\r\x1b[K');
    },
  };
}
