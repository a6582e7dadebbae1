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

export interface Spinner {
  stop(): void;
}

/**
 * A spinner with LABEL on a terminal's stderr while work of unknown length
 * runs, erased by stop(). It turns while the event loop does; work that
 * blocks the loop (STILL) shows the label alone.
 */
export function spinner(enabled: boolean, label: string, still = false): Spinner {
  if (!enabled || !process.stderr.isTTY) return { stop() {} };
  if (still) {
    process.stderr.write(`\r${label}\x1b[K`);
    return { stop: () => void process.stderr.write('\r\x1b[K') };
  }
  const frames = ['|', '/', '-', '\\'];
  let i = 0;
  const draw = (): void => {
    process.stderr.write(`\r${frames[i++ % frames.length]} ${label}\x1b[K`);
  };
  draw();
  const timer = setInterval(draw, 100);
  return {
    stop() {
      clearInterval(timer);
      process.stderr.write('\r\x1b[K');
    },
  };
}
