// src/mime/header-keeper.ts: the fields a verifier keeps, within a budget, and
// too-long fields kept as placeholders (counted by name, never verified).
import { describe, expect, it } from 'vitest';
import { HeaderDecoder } from '../../src/mime/header-decoder.ts';
import { HeaderKeeper, skippedFieldWarning } from '../../src/mime/header-keeper.ts';

function keep(message: string, budget?: number, maxFieldBytes?: number): HeaderKeeper {
  const k = new HeaderKeeper(budget);
  const d = new HeaderDecoder({ maxFieldBytes });
  for (const e of [...d.push(Buffer.from(message.replace(/\n/g, '\r\n'))), ...d.finish()]) k.take(e);
  return k;
}

describe('HeaderKeeper', () => {
  it('keeps every field of an ordinary header, in order', () => {
    const k = keep('From: a@example.org\nSubject: hi\n\nbody\n');
    expect(k.fields.map((f) => [f.name, f.line])).toEqual([['From', 1], ['Subject', 2]]);
    expect(k.malformed).toBeUndefined();
    expect(k.ended).toBe(true);
  });
  it('a too-long field stays as an empty placeholder with its name and line, and is listed as skipped', () => {
    const k = keep(`From: a@example.org\nX-Long: ${'a'.repeat(200)}\nSubject: hi\n\n`, undefined, 100);
    expect(k.fields.map((f) => f.name)).toEqual(['From', 'X-Long', 'Subject']);
    expect(k.fields[1].raw.toString()).toBe('X-Long:\r\n');
    expect(k.skippedAs(k.fields[1])).toEqual({ name: 'X-Long', line: 2, size: 210 });
    expect(k.skippedAs(k.fields[0])).toBeUndefined();
    expect(skippedFieldWarning(k.skipped[0])).toBe('line 2: field X-Long is too long (210 bytes), skipped');
  });
  it('past the budget the header is refused at the field that passes it, and nothing more is kept', () => {
    // Each short field costs its bytes plus 200: three fit in 700, the fourth does not.
    const k = keep('A: 1\nB: 2\nC: 3\nD: 4\nE: 5\n\n', 700);
    expect(k.fields.map((f) => f.name)).toEqual(['A', 'B', 'C']);
    expect(k.malformed).toMatchObject({ line: 4 });
    expect(k.malformed!.reason).toMatch(/^header too large to check: 3 fields/);
  });
  it('a line that is not a field makes the header malformed (first one kept)', () => {
    const k = keep('From: a@example.org\nnot a field\nalso not\n\n');
    expect(k.malformed).toEqual({ line: 2, reason: 'header field without a colon' });
  });
});
