// Folding a header field (RFC 5322 §2.2.3): break lines before whitespace so
// that each line keeps to 78 columns where it can and never passes 998 octets.
// A fold is only put before the first white-space character of a run, so no
// line is ever made of white space alone, and unfolding (removing the CRLFs)
// gives back exactly the value written.
import { err, ok, type Result } from '../../result.ts';

export const FOLD_SOFT_LIMIT = 78;
export const FOLD_HARD_LIMIT = 998;

/** The folded field with its CRLF, or `too-long`: a word that cannot fit in 998 octets. */
export type FoldResult = Result<string, 'too-long'>;

function isWsp(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** `Name: value` folded, with the final CRLF. The value must hold no CR or LF. */
export function foldField(name: string, value: string, width = FOLD_SOFT_LIMIT): FoldResult {
  // never fold right after the colon: some readers (Python's email) keep the
  // white space of such a fold as part of the value
  return foldLine(value === '' ? `${name}:` : `${name}: ${value}`, width, name.length + 2);
}

/** Folds one logical line (already `Name: value`), returning it with CRLF. */
export function foldLine(s: string, width = FOLD_SOFT_LIMIT, firstBreak = 1): FoldResult {
  const lines: string[] = [];
  let start = 0;
  let col = 0; // octets on the current line
  let cand = -1; // last place a fold may go on the current line
  let colAtCand = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isWsp(c) && i > start && i >= firstBreak && !isWsp(s.charCodeAt(i - 1))) {
      cand = i;
      colAtCand = col;
    }
    col += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdfff ? 2 : 3;
    if (col > width && cand > start) {
      lines.push(s.slice(start, cand));
      start = cand;
      col -= colAtCand;
      cand = -1;
    }
    if (col > FOLD_HARD_LIMIT) {
      return err('too-long', `a word too long to fold within ${FOLD_HARD_LIMIT} octets`);
    }
  }
  lines.push(s.slice(start));
  return ok(lines.join('\r\n') + '\r\n');
}
