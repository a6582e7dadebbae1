// MIME conformance: every message of $BLAZE_CORPUS/mime goes through
// the streaming decoder (no exception, same tree in any chunking); Stalwart's
// messages are compared with its expected parse (NNN.crlf.json: the input with
// bare LF read as CRLF, as blaze reads it): the tree, each part's content type,
// and each leaf's decoded body (text in its charset, binary byte for byte).
// Differences are listed with their reason in mime.known-failures.json; an
// unlisted difference, a listed message that now matches, or a key naming no
// message, fails the run.
import { expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseToTree, type MimeNode } from '../../src/mime/tree.ts';
import { decodeCharset } from '../../src/mime/charset.ts';
import { describeCorpus } from '../support/corpus.ts';
import { judgeKnownFailures, loadKnownFailures, type Outcome } from '../support/known-failures.ts';

const KNOWN = loadKnownFailures(new URL('./mime.known-failures.json', import.meta.url));

function messages(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const p = join(dir, n);
      if (statSync(p).isDirectory()) return messages(p);
      return /\.(eml|txt)$/.test(n) && !/SOURCE|COPYING|LICENSE|EXPECTATIONS|summary|structure|README/i.test(n) ? [p] : [];
    });
}

/** The tree without bodies, for comparing chunkings. */
function outline(n: MimeNode): unknown {
  return [n.part.path.join('.'), n.part.kind, `${n.part.contentType.type}/${n.part.contentType.subtype}`, n.size, n.body?.toString('base64').length, n.children.map(outline)];
}

interface StalwartMessage {
  parts: Array<{ headers: Array<{ name: string; value: any }>; body: Record<string, any> | string }>;
}

/** Differences between our tree and Stalwart's, as short strings. */
function compare(ours: MimeNode, msg: StalwartMessage, id: number, where: string, out: string[]): void {
  const p = msg.parts[id];
  const ct = p.headers.find((h) => h.name === 'content_type')?.value?.ContentType;
  const kind = typeof p.body === 'string' ? p.body : Object.keys(p.body)[0];
  const value = typeof p.body === 'string' ? undefined : p.body[kind];
  const type = `${ours.part.contentType.type}/${ours.part.contentType.subtype}`;
  if (ct && ct.c_subtype && ours.part.contentType.explicit && `${ct.c_type}/${ct.c_subtype}`.toLowerCase() !== type) {
    out.push(`${where}: type ${type}, expected ${ct.c_type}/${ct.c_subtype}`);
  }
  if (kind === 'Multipart') {
    if (ours.part.kind !== 'multipart') return void out.push(`${where}: ${ours.part.kind}, expected multipart`);
    const ids = value as number[];
    if (ids.length !== ours.children.length) return void out.push(`${where}: ${ours.children.length} parts, expected ${ids.length}`);
    ids.forEach((cid, i) => compare(ours.children[i], msg, cid, `${where}.${i + 1}`, out));
  } else if (kind === 'Message') {
    if (ours.part.kind !== 'message') return void out.push(`${where}: ${ours.part.kind}, expected an enclosed message`);
    compare(ours.children[0], value as StalwartMessage, 0, `${where}/`, out);
  } else {
    if (ours.part.kind !== 'leaf') return void out.push(`${where}: ${ours.part.kind}, expected a ${kind} body`);
    const body = ours.body ?? Buffer.alloc(0);
    if (kind === 'Text' || kind === 'Html') {
      const text = decodeCharset(body, ours.part.contentType.params.charset);
      if (text !== value) out.push(`${where}: text differs (${text.length} vs ${String(value).length} chars)`);
    } else if (kind === 'Binary' || kind === 'InlineBinary') {
      if (!body.equals(Buffer.from(value as number[]))) out.push(`${where}: ${body.length} bytes, expected ${(value as number[]).length}`);
    }
  }
}

describeCorpus('MIME', 'mime/', 'MIME conformance corpus', (CORPUS) => {
  const files = messages(CORPUS);

  it('every message parses to a tree, the same in 1 KiB, 4099-byte and whole chunks', () => {
    expect(files.length).toBeGreaterThan(200);
    for (const file of files) {
      const data = readFileSync(file);
      const whole = parseToTree(data);
      expect(whole.root, file).toBeDefined();
      for (const size of [1024, 4099]) expect(outline(parseToTree(data, { chunkSize: size }).root), `${file} in ${size}-byte chunks`).toEqual(outline(whole.root));
    }
  });

  it('the line-endings variants give one tree', () => {
    const dir = join(CORPUS, 'line-endings');
    const trees = ['cr', 'crlf', 'lf', 'lfcr', 'simple'].map((v) => {
      const t = parseToTree(readFileSync(join(dir, `${v}.txt`)));
      return [t.root.fields.map((f) => `${f.name}: ${f.value}`), t.root.body!.toString('latin1').replace(/(\r\n)+$/, '')];
    });
    expect(trees[0][0]).toHaveLength(7);
    for (const t of trees) expect(t).toEqual(trees[1]);
  });

  it('Stalwart messages match the expected parse, except the listed differences', () => {
    const dir = join(CORPUS, 'stalwart-mail-parser', 'eml');
    const outcomes: Outcome[] = [];
    for (const file of messages(dir)) {
      const expectedFile = file.replace(/\.eml$/, '.crlf.json');
      if (!existsSync(expectedFile)) continue;
      const diffs: string[] = [];
      compare(parseToTree(readFileSync(file)).root, JSON.parse(readFileSync(expectedFile, 'utf8')), 0, 'message', diffs);
      outcomes.push({ id: relative(dir, file), ok: diffs.length === 0, detail: diffs.slice(0, 3).join('; ') });
    }
    expect(outcomes).toHaveLength(107);
    judgeKnownFailures(KNOWN, 'stalwart-mail-parser messages', outcomes);
  });
});
