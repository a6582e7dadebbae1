// The form of every known-failures file of test/conformance (no corpus needed):
// each entry cites an RFC section or says plainly that blaze's behaviour is a
// choice, and why; each key carries the prefix of a suite its runner judges
// (the runner then fails on a key that names no case, test/support/known-failures.ts).
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { expectKeysWithin, loadKnownFailures } from '../support/known-failures.ts';

/** Each file, and the prefixes of the suites its runner judges ('' = one suite owns every key). */
const FILES: Record<string, string[]> = {
  'arc.known-failures.json': ['validate:', 'sign:'],
  'authres.known-failures.json': ['parse:', 'gen:'],
  'dkim.deviations.json': ['rfc8463/', 'dkimpy/', 'mail-dkim/'],
  'dmarc.known-failures.json': ['psl:', 'record_parse:', 'alignment:', 'find_domain:'],
  'mbox.known-failures.json': ['content-length#', 'issue1189#'],
  'mime.known-failures.json': [''],
  'received.known-failures.json': [''],
  'spf.known-failures.json': ['rfc7208-tests:', 'pyspf-extra-tests:'],
  'stalwart-fields.known-failures.json': ['address#', 'date#', 'id#', 'list#', 'unstructured#', 'content_type#'],
};

/** "RFC 2046 §5.1.1", "RFC 5322 §A.1.3", "RFC 2047 §5(1)". */
const RFC_SECTION = /\bRFC \d{3,4} §\s?(?:\d|[A-Z]\.\d)/;
/** "Choice: what we do ..., because ..." (the why may also follow "so" or "as"). */
const CHOICE = /^Choice: .{20,}\b(because|so|as)\b/;

describe('known-failures files', () => {
  it('every file of test/conformance is checked here', () => {
    const files = readdirSync(new URL('.', import.meta.url)).filter((f) => f.endsWith('.json')).sort();
    expect(files).toEqual(Object.keys(FILES).sort());
  });

  for (const [file, prefixes] of Object.entries(FILES)) {
    it(`${file}: each entry cites an RFC section or states a choice and why; keys name a suite`, () => {
      const known = loadKnownFailures(new URL(`./${file}`, import.meta.url));
      const bad = [...known.reasons].filter(([, reason]) => !RFC_SECTION.test(reason) && !CHOICE.test(reason)).map(([id, reason]) => `${id}: ${reason}`);
      expect(bad).toEqual([]);
      expectKeysWithin(known, prefixes);
    });
  }

  it('the form check itself tells a reason from a bare description', () => {
    expect(RFC_SECTION.test('RFC 5322 §4.3: PST is -0800')).toBe(true);
    expect(RFC_SECTION.test('RFC 5322 §A.1.3: an empty group')).toBe(true);
    expect(RFC_SECTION.test('two-digit year, RFC 5322 says 2003')).toBe(false);
    expect(CHOICE.test('Choice: we read asctime dates because old MTAs wrote them')).toBe(true);
    expect(CHOICE.test('we read the bytes as Windows-1252')).toBe(false);
  });
});
