// MimeKit's mbox test data (BLAZE_CORPUS mime/mimekit/mbox/), read as it is:
// for each mbox with expected offsets and summaries, `blaze mbox list --json`
// must find the same messages at the same byte offsets (From_ line, header,
// body, end) with the same From address, Subject and Date. The two mboxes
// without expectations are checked for their message count (hand-counted)
// and for the body lines that must not split them.
import { expect, it } from 'vitest';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeCorpus } from '../support/corpus.ts';
import { judgeKnownFailures, loadKnownFailures, type Outcome } from '../support/known-failures.ts';

const BLAZE = fileURLToPath(new URL('../../bin/blaze', import.meta.url));
/** Comparisons that differ on purpose, each with its reason; an entry that starts to agree, or names no comparison, fails the run (a ratchet). */
const KNOWN = loadKnownFailures(new URL('./mbox.known-failures.json', import.meta.url));

interface Offsets {
  mboxMarkerOffset: number;
  beginOffset: number;
  headersEndOffset: number;
  endOffset: number;
}
interface Listed {
  offset: number;
  headerOffset: number;
  bodyOffset: number | null;
  end: number;
  from: string | null;
  subject: string | null;
  timestamp: string | null;
}

async function list(path: string, format = 'auto'): Promise<Listed[]> {
  const r = await execa(BLAZE, ['mbox', 'list', '--json', '--format', format, path], { reject: false });
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(0);
  return JSON.parse(r.stdout) as Listed[];
}

/** The summary file: per message its From/Subject/Date lines (blocks start with the From_ marker). */
function summaries(text: string): Array<Record<string, string>> {
  const out: Array<Record<string, string>> = [];
  for (const line of text.split('\n')) {
    if (/^From /.test(line)) out.push({});
    const m = /^(From|Subject|Date): (.*)$/.exec(line);
    if (m && out.length) out[out.length - 1][m[1]] ??= m[2];
  }
  return out;
}

/** The addr-spec of a From value: inside <...>, else the value without (comments). */
const addrSpec = (s: string | null | undefined) =>
  s ? (/<([^>]*)>/.exec(s)?.[1] ?? s.replace(/\([^)]*\)/g, '')).trim().toLowerCase() : '';

describeCorpus('MIME MimeKit mbox', 'mime/mimekit/mbox/', 'MimeKit mbox offsets and summaries', (dir) => {
  for (const name of ['content-length', 'issue1189']) {
    for (const format of ['auto', 'mboxrd', 'mboxcl2']) {
      it(`${name}.mbox.txt (${format}): same messages at the same offsets`, async () => {
        const want = JSON.parse(readFileSync(join(dir, `${name}.unix-offsets.json`), 'utf8')) as Offsets[];
        const got = await list(join(dir, `${name}.mbox.txt`), format);
        expect(got).toHaveLength(want.length);
        const data = readFileSync(join(dir, `${name}.mbox.txt`));
        got.forEach((g, i) => {
          const w = want[i];
          expect([g.offset, g.headerOffset, g.bodyOffset], `message ${i + 1}`).toEqual([w.mboxMarkerOffset, w.beginOffset, w.headersEndOffset]);
          // MimeKit ends a message before the LF that precedes the next From_
          // line even when that LF ends a text line; RFC 4155 keeps it (the
          // message's last line keeps its line end) and takes away only a
          // blank line. So the ends agree when there is a blank line, and
          // blaze's is one byte later when there is none.
          const next = want[i + 1]?.mboxMarkerOffset ?? data.length;
          const blankBefore = next >= 2 && data[next - 1] === 0x0a && data[next - 2] === 0x0a;
          expect(g.end, `message ${i + 1} end`).toBe(i + 1 < want.length && !blankBefore ? w.endOffset + 1 : w.endOffset);
        });
      });
    }
    it(`${name}: From, Subject and Date as MimeKit's summary`, async () => {
      const want = summaries(readFileSync(join(dir, `${name}-summary.txt`), 'utf8'));
      const got = await list(join(dir, `${name}.mbox.txt`));
      expect(got).toHaveLength(want.length);
      const outcomes: Outcome[] = [];
      got.forEach((g, i) => {
        outcomes.push({ id: `${name}#${i + 1}:From`, ok: addrSpec(g.from) === addrSpec(want[i].From), detail: `${addrSpec(g.from)}, MimeKit ${addrSpec(want[i].From)}` });
        expect(g.subject ?? '', `message ${i + 1} Subject`).toBe(want[i].Subject ?? '');
        const wantDate = new Date(Date.parse(want[i].Date)).toISOString();
        outcomes.push({ id: `${name}#${i + 1}:Date`, ok: g.timestamp === wantDate, detail: `${g.timestamp}, MimeKit ${wantDate}` });
      });
      judgeKnownFailures(KNOWN, `${name} summary`, outcomes, `${name}#`);
    });
  }

  it('unmunged.mbox.txt: two messages; "From Russia with love" is body text (auto)', async () => {
    const got = await list(join(dir, 'unmunged.mbox.txt'));
    expect(got.map((g) => g.subject)).toEqual([
      'This is a test message with an unmunged From line',
      'Another test message with an unmunged From line',
    ]);
  });

  it('simple.mbox.txt: three messages', async () => {
    expect(await list(join(dir, 'simple.mbox.txt'))).toHaveLength(3);
  });
});
