// Stalwart mail-parser's 181 Received-field vectors, read as they are.
// Each vector either matches (on the fields listed in test/received/stalwart-shape.ts) or
// is listed in received.known-failures.json with the reason; an unlisted
// failure, a listed vector that now passes, or a key naming no vector, fails the test.
import { expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { differences, type Vector } from '../received/stalwart-shape.ts';
import { describeCorpus } from '../support/corpus.ts';
import { judgeKnownFailures, loadKnownFailures } from '../support/known-failures.ts';

const KNOWN = loadKnownFailures(new URL('./received.known-failures.json', import.meta.url));

describeCorpus('Received (Stalwart)', 'mime/stalwart-mail-parser/received.json', 'Stalwart received.json', (VECTORS) => {
  const vectors = JSON.parse(readFileSync(VECTORS, 'utf8')) as Vector[];

  it('has the 181 vectors', () => {
    expect(vectors).toHaveLength(181);
  });

  it('matches every vector except the listed known failures', () => {
    const outcomes = vectors.map((v, i) => {
      const header = KNOWN.headers.get(String(i));
      if (header !== undefined) expect(v.header.startsWith(header), `known failure ${i} names another header`).toBe(true);
      const d = differences(v);
      return { id: String(i), ok: d.length === 0, detail: `${JSON.stringify(v.header)}\n  ${d.join('\n  ')}` };
    });
    judgeKnownFailures(KNOWN, 'received.json', outcomes);
  });
});
