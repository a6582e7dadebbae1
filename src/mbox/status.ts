// Message state in an mbox (the Status and X-Status fields that mutt, Pine,
// Thunderbird and Dovecot's mbox driver write) and in a Maildir (the info
// flags of maildir(5)), both ways:
//   Status:   R read -> S (seen)   O old -> the message goes to cur/ (seen by a reader once)
//   X-Status: A answered -> R (replied)   F flagged -> F   T draft -> D   D deleted -> T (trashed)
// A message with neither R nor O in Status is new: it goes to new/.

export interface MaildirPlacement {
  folder: 'new' | 'cur';
  /** Maildir flags, ASCII order (`FRS`). */
  flags: string;
}

const X_STATUS_TO_FLAG: Record<string, string> = { A: 'R', F: 'F', T: 'D', D: 'T' };

/** Where a message read from an mbox goes in a Maildir, from its Status and X-Status values. */
export function placementFromStatus(status: string | undefined, xStatus: string | undefined): MaildirPlacement {
  const s = (status ?? '').toUpperCase();
  const x = (xStatus ?? '').toUpperCase();
  const flags = new Set<string>();
  if (s.includes('R')) flags.add('S');
  for (const c of x) if (X_STATUS_TO_FLAG[c]) flags.add(X_STATUS_TO_FLAG[c]);
  const old = s.includes('R') || s.includes('O');
  return { folder: old || flags.size > 0 ? 'cur' : 'new', flags: [...flags].sort().join('') };
}

/**
 * The Status and X-Status values for a Maildir message (as mblaze's
 * `mexport -S`): R when seen, O once out of new/; A, F, T, D from the flags.
 * Empty strings mean the field is not written.
 */
export function statusFromPlacement(p: MaildirPlacement): { status: string; xStatus: string } {
  const status = (p.flags.includes('S') ? 'R' : '') + (p.folder === 'cur' ? 'O' : '');
  let xStatus = '';
  if (p.flags.includes('R')) xStatus += 'A';
  if (p.flags.includes('F')) xStatus += 'F';
  if (p.flags.includes('D')) xStatus += 'T';
  if (p.flags.includes('T')) xStatus += 'D';
  return { status, xStatus };
}

/**
 * A header block (bytes up to and including the line end of its last field)
 * with its Status and X-Status fields (and their continuation lines) removed
 * and the given values appended (LF line ends; the mbox writer makes every
 * line end LF anyway).
 */
export function replaceStatusFields(header: Buffer, status: string, xStatus: string): Buffer {
  const lines = header.toString('latin1').split(/(?<=\n)/);
  const kept: string[] = [];
  let dropping = false;
  for (const l of lines) {
    if (dropping && (l[0] === ' ' || l[0] === '\t')) continue;
    dropping = /^(x-)?status[ \t]*:/i.test(l);
    if (!dropping) kept.push(l);
  }
  if (status) kept.push(`Status: ${status}\n`);
  if (xStatus) kept.push(`X-Status: ${xStatus}\n`);
  return Buffer.from(kept.join(''), 'latin1');
}

/** Where the header of a message held in HEAD ends: the offset just after the last field's line end, or -1 when HEAD has no blank line. */
export function headerEnd(head: Buffer): number {
  if (head[0] === 0x0a) return 0;
  if (head[0] === 0x0d && head[1] === 0x0a) return 0;
  for (let i = head.indexOf(0x0a); i !== -1 && i + 1 < head.length; i = head.indexOf(0x0a, i + 1)) {
    if (head[i + 1] === 0x0a || (head[i + 1] === 0x0d && head[i + 2] === 0x0a)) return i + 1;
  }
  return -1;
}
