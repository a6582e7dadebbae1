// Stalwart mail-parser's 181 Received-field vectors, read as they are.
// Each vector either matches (on the fields listed in test/received/stalwart-shape.ts) or
// is listed in received.known-failures.json with the reason; an unlisted
// failure, or a listed vector that now passes, fails the test.
import { expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { differences, type Vector } from '../received/stalwart-shape.ts';
import { describeCorpus } from '../support/corpus.ts';

const KNOWN = JSON.parse(readFileSync(new URL('./received.known-failures.json', import.meta.url), 'utf8')) as {
  failures: Record<string, { header: string; reason: string }>;
};

describeCorpus('Received (Stalwart)', 'mime/stalwart-mail-parser/received.json', 'Stalwart received.json', (VECTORS) => {
  const vectors = JSON.parse(readFileSync(VECTORS, 'utf8')) as Vector[];

  it('has the 181 vectors', () => {
    expect(vectors).toHaveLength(181);
  });

  it('matches every vector except the listed known failures', () => {
    const unexpected: string[] = [];
    const stale: string[] = [];
    let pass = 0;
    vectors.forEach((v, i) => {
      const d = differences(v);
      const known = KNOWN.failures[String(i)];
      if (known) expect(v.header.startsWith(known.header), `known failure ${i} names another header`).toBe(true);
      if (d.length === 0) {
        pass++;
        if (known) stale.push(`${i}: passes now; remove it from received.known-failures.json`);
      } else if (!known) unexpected.push(`${i} ${JSON.stringify(v.header)}\n  ${d.join('\n  ')}`);
    });
    console.log(`received.json: ${pass}/${vectors.length} pass, ${Object.keys(KNOWN.failures).length} known failures`);
    expect(unexpected).toEqual([]);
    expect(stale).toEqual([]);
    expect(pass + Object.keys(KNOWN.failures).length).toBe(vectors.length);
  });
});
