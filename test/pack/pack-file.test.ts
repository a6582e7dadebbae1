// The archive written and read back in-process: messages rebuild byte for
// byte; identical attachments and messages are stored once; the .idx finds
// every object by id and by unique prefix; a damaged pack or a foreign .idx
// is an error value, not a crash.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PackFileWriter, openArchive, scanPack, PackReader, RangeFile, structureBlobs, isStructure, oidHex } from '../../src/pack/index.ts';

const dir = () => mkdtempSync(join(tmpdir(), 'blaze-pack-'));

function message(subject: string, attachment: string, body = 'Hello,\r\nsee the attached file.\r\n'): Buffer {
  return Buffer.from(
    [
      `From: Alice <alice@example.org>\r\nTo: bob@example.net\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/\W/g, '')}@example.org>\r\n`,
      'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="=_b1"\r\n\r\n',
      `--=_b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}\r\n`,
      `--=_b1\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="a.bin"\r\n\r\n${attachment}\r\n`,
      '--=_b1--\r\n',
    ].join(''),
  );
}

const ATTACHMENT = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919 + 13) % 256)).toString('base64').replace(/.{76}/g, '$&\r\n');

describe('PackFileWriter + openArchive', () => {
  it('rebuilds each message byte for byte, and stores a repeated attachment once', async () => {
    const d = dir();
    const path = join(d, 'a.pack');
    const w = PackFileWriter.create(path);
    const m1 = message('first', ATTACHMENT);
    const m2 = message('second', ATTACHMENT, 'Another body.\r\n');
    const r1 = await w.addMessage([m1.subarray(0, 100), m1.subarray(100)]);
    const r2 = w.addMessageBytes(m2);
    const again = w.addMessageBytes(m1);
    expect(again).toEqual({ id: r1.id, added: false, size: m1.length });
    const res = w.close();
    expect(res.messages).toBe(2);
    expect(existsSync(join(d, 'a.idx'))).toBe(true);
    expect(readdirSync(d).filter((f) => f.includes('.tmp-'))).toEqual([]);

    const a = openArchive(path);
    if (typeof a === 'string') throw new Error(a);
    try {
      for (const [r, m] of [[r1, m1], [r2, m2]] as const) {
        const items = a.archive.structure(r.id);
        if (typeof items === 'string') throw new Error(items);
        expect(Buffer.concat([...a.archive.message(items)]).equals(m)).toBe(true);
      }
      // two messages: header, text body, attachment, structure each; the attachment once
      const s1 = a.archive.structure(r1.id);
      const s2 = a.archive.structure(r2.id);
      if (typeof s1 === 'string' || typeof s2 === 'string') throw new Error('no structure');
      const b1 = structureBlobs(s1).map(oidHex);
      const b2 = structureBlobs(s2).map(oidHex);
      expect(b1).toHaveLength(3);
      expect(b1[2]).toBe(b2[2]);
      expect(res.objects).toBe(7);
      expect(a.archive.lookup(r1.id.toString('hex').slice(0, 8))).toMatchObject({ ok: true, oid: r1.id });
      expect(a.archive.lookup('zz')).toMatchObject({ ok: false });
      expect(a.archive.lookup('0000000000')).toMatchObject({ ok: false, error: expect.stringMatching(/no object/) });
    } finally {
      a.close();
    }
  });

  it('scanPack finds every object the writer wrote, with the .idx offsets and CRCs', async () => {
    const d = dir();
    const path = join(d, 'b.pack');
    const w = PackFileWriter.create(path);
    for (let i = 0; i < 30; i++) w.addMessageBytes(message(`note ${i}`, i % 3 ? ATTACHMENT : 'QUJD\r\n', `Body number ${i} with some shared text that repeats.\r\n`.repeat(5)));
    const res = w.close();
    const f = RangeFile.open(path);
    const reader = PackReader.open(f.read, f.size) as PackReader;
    const a = openArchive(path);
    if (typeof a === 'string') throw new Error(a);
    let n = 0;
    let deltas = 0;
    let structures = 0;
    for (const step of scanPack(reader)) {
      if (!step.ok) throw new Error(step.error);
      const k = a.archive.idx.find(step.object.oid);
      expect(k).toBeGreaterThanOrEqual(0);
      expect(a.archive.idx.offsetAt(k)).toBe(step.object.offset);
      expect(a.archive.idx.crcAt(k)).toBe(step.object.crc);
      if (step.object.delta) deltas++;
      if (isStructure(step.object.data)) structures++;
      n++;
    }
    expect(n).toBe(res.objects);
    expect(structures).toBe(30);
    expect(deltas).toBeGreaterThan(20); // similar headers and bodies are stored as deltas
    f.close();
    a.close();
  });

  it('a damaged entry or a foreign .idx is reported, not thrown', () => {
    const d = dir();
    const path = join(d, 'c.pack');
    const w = PackFileWriter.create(path);
    const r = w.addMessageBytes(message('x', ATTACHMENT));
    w.close();
    const bytes = readFileSync(path);
    bytes[40] ^= 0xff;
    writeFileSync(path, bytes);
    const a = openArchive(path);
    expect(a).toBeTypeOf('object');
    if (typeof a === 'string') return;
    const items = a.archive.structure(r.id);
    let failed = typeof items === 'string';
    if (typeof items !== 'string') {
      try {
        [...a.archive.message(items)];
      } catch {
        failed = true;
      }
    }
    expect(failed).toBe(true);
    a.close();
    // another pack's .idx
    const other = join(d, 'd.pack');
    const w2 = PackFileWriter.create(other);
    w2.addMessageBytes(message('y', 'QQ==\r\n'));
    w2.close();
    writeFileSync(join(d, 'c.idx'), readFileSync(join(d, 'd.idx')));
    expect(openArchive(path)).toMatch(/does not describe/);
  });
});
