// The streaming MIME decoder: structure, bodies, warnings, and the same
// events whatever the chunking (byte at a time included).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { parseToTree, type MimeNode } from '../../src/mime/tree.ts';
import { MimeDecoder } from '../../src/mime/multipart.ts';
import { parseContentType } from '../../src/mime/content-type.ts';

/** A compact picture of a tree: type(size)[children]. */
function shape(n: MimeNode): string {
  const t = `${n.part.contentType.type}/${n.part.contentType.subtype}`;
  if (n.part.kind === 'leaf') return `${t}(${n.size})`;
  return `${t}[${n.children.map(shape).join(',')}]`;
}

const NESTED = [
  'From: a@example.org',
  'Subject: nested',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="outer"',
  '',
  'This is the preamble.',
  '--outer',
  'Content-Type: multipart/alternative; boundary=inner',
  '',
  '--inner',
  'Content-Type: text/plain; charset=utf-8',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  'Caf=C3=A9',
  '--inner',
  'Content-Type: text/html',
  '',
  '<p>Café</p>',
  '--inner--',
  'inner epilogue',
  '--outer',
  'Content-Type: application/octet-stream; name="a.bin"',
  'Content-Disposition: attachment; filename="a.bin"',
  '',
  'AAECAwQF',
  '--outerX is not a delimiter',
  'AAEC',
  '--outer',
  'Content-Type: message/rfc822',
  '',
  'Subject: inside',
  'Content-Type: multipart/mixed; boundary=deep',
  '',
  '--deep',
  '',
  'default part',
  '--deep--',
  '--outer--',
  'epilogue',
  '',
].join('\r\n');

describe('MimeDecoder', () => {
  it('reads nested multiparts, preamble and epilogue, message/rfc822 and decoded sizes', () => {
    const t = parseToTree(Buffer.from(NESTED));
    expect(shape(t.root)).toBe(
      'multipart/mixed[multipart/alternative[text/plain(5),text/html(12)],application/octet-stream(43),message/rfc822[multipart/mixed[text/plain(12)]]]',
    );
    const [alt, bin, msg] = t.root.children;
    expect(alt.children[0].body!.toString('utf8')).toBe('Café');
    // a line that starts with the boundary but goes on is content (RFC 2046 §5.1.1)
    expect(bin.part.disposition).toEqual({ type: 'attachment', params: { filename: 'a.bin' } });
    expect(bin.body!.toString()).toBe('AAECAwQF\r\n--outerX is not a delimiter\r\nAAEC');
    expect(msg.children[0].fields.map((f) => f.name)).toEqual(['Subject', 'Content-Type']);
    expect(msg.children[0].children[0].part.contentType).toMatchObject({ type: 'text', subtype: 'plain', explicit: false });
    expect(t.warnings).toEqual([]);
  });

  it('gives the same tree and bodies byte at a time and for random chunkings', () => {
    const whole = parseToTree(Buffer.from(NESTED));
    const bytewise = parseToTree(Buffer.from(NESTED), { chunkSize: 1 });
    expect(JSON.stringify(bytewise)).toBe(JSON.stringify(whole));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), (n) => JSON.stringify(parseToTree(Buffer.from(NESTED), { chunkSize: n })) === JSON.stringify(whole)),
      { numRuns: 100 },
    );
  });

  it('reads an LF message as its CRLF form', () => {
    const lf = parseToTree(Buffer.from(NESTED.replace(/\r\n/g, '\n')));
    expect(JSON.stringify(lf)).toBe(JSON.stringify(parseToTree(Buffer.from(NESTED))));
  });

  it('closes a multipart whose close delimiter is missing, with a fatal warning', () => {
    const cut = NESTED.slice(0, NESTED.indexOf('--outer\r\nContent-Type: message/rfc822'));
    const t = parseToTree(Buffer.from(cut));
    expect(shape(t.root)).toBe('multipart/mixed[multipart/alternative[text/plain(5),text/html(12)],application/octet-stream(45)]');
    expect(t.warnings).toEqual([{ path: [], message: 'no close delimiter "--outer--" (the input ended first)', fatal: true }]);
  });

  it('lets an enclosing boundary close an inner multipart that was never closed', () => {
    const msg = 'Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\none\r\n--a\r\n\r\ntwo\r\n--a--\r\n';
    const t = parseToTree(Buffer.from(msg));
    expect(shape(t.root)).toBe('multipart/mixed[multipart/mixed[text/plain(3)],text/plain(3)]');
    expect(t.warnings.map((w) => w.message)).toEqual(['no close delimiter "--b--" (an enclosing boundary came first)']);
  });

  it('ignores boundary-like lines in base64 and accepts transport padding after a delimiter', () => {
    const data = randomBytes(3000);
    const b64 = data.toString('base64').replace(/.{76}/g, '$&\r\n');
    const msg = `Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b \t\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64}\r\n--b--  \r\n`;
    const t = parseToTree(Buffer.from(msg), { chunkSize: 97 });
    expect(t.root.children[0].body!.equals(data)).toBe(true);
    expect(t.warnings).toEqual([]);
  });

  it('makes message/rfc822 the default type inside multipart/digest', () => {
    const msg = 'Content-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\r\nSubject: one\r\n\r\nbody\r\n--d--\r\n';
    const t = parseToTree(Buffer.from(msg));
    expect(shape(t.root)).toBe('multipart/digest[message/rfc822[text/plain(4)]]');
  });

  it('reads a multipart without boundary, an unknown encoding and deep nesting as leaves, with warnings', () => {
    const noBoundary = parseToTree(Buffer.from('Content-Type: multipart/mixed\r\n\r\nx\r\n'));
    expect(shape(noBoundary.root)).toBe('multipart/mixed(3)');
    expect(noBoundary.warnings[0].message).toMatch(/without a boundary/);
    const unknown = parseToTree(Buffer.from('Content-Transfer-Encoding: x-foo\r\n\r\nabc'));
    expect(unknown.root.size).toBe(3);
    expect(unknown.warnings[0].message).toMatch(/unknown Content-Transfer-Encoding 'x-foo'/);
    let deep = 'body';
    for (let i = 0; i < 40; i++) deep = `Content-Type: multipart/mixed; boundary=b${i}\r\n\r\n--b${i}\r\n${deep}\r\n--b${i}--\r\n`;
    const d = parseToTree(Buffer.from(deep));
    expect(d.warnings.some((w) => /nested deeper than 32/.test(w.message))).toBe(true);
  });

  it('bounds what it keeps: a huge header field is an event, not held', () => {
    const dec = new MimeDecoder();
    const events = [...dec.push(Buffer.from('Subject: ' + 'x'.repeat(2_000_000) + '\r\n\r\nbody')), ...dec.finish()];
    expect(events.find((e) => e.type === 'warning')).toMatchObject({ message: expect.stringMatching(/too long/) });
    expect(events.find((e) => e.type === 'part-end')).toMatchObject({ size: 4 });
  });

  it('returns a value for random bytes, whatever they are', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.integer({ min: 1, max: 500 }), (bytes, chunk) => {
        const prefix = Buffer.from('Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n');
        const t = parseToTree(Buffer.concat([prefix, Buffer.from(bytes)]), { chunkSize: chunk });
        return t.root.part.kind === 'multipart';
      }),
      { numRuns: 300 },
    );
  });
});

// A DSN whose returned message comes without its header (as in enmime's test
// data), and a Content-Transfer-Encoding with a comment (RFC 2045 §5.1 allows CFWS).
const DSN = [
  'Content-Type: multipart/report; report-type=delivery-status; boundary=R',
  '',
  '--R',
  'Content-Type: message/rfc822',
  '',
  'This is the first line of the returned text.',
  'Second: a line that looks like a field',
  '--R',
  'Content-Type: text/plain',
  'Content-Transfer-Encoding: base64 (the usual)',
  '',
  'aGVsbG8gd29ybGQK',
  '--R--',
  '',
].join('\r\n');

describe('MimeDecoder on what DSNs and odd senders write', () => {
  it('an enclosed message whose content does not start with a field has an empty header; no line is lost', () => {
    for (const chunkSize of [undefined, 1, 7]) {
      const t = parseToTree(Buffer.from(DSN), { chunkSize });
      const [msg, b64] = t.root.children;
      expect(msg.children[0].fields).toEqual([]);
      expect(msg.children[0].body!.toString()).toBe('This is the first line of the returned text.\r\nSecond: a line that looks like a field');
      expect(b64.part.encoding).toBe('base64');
      expect(b64.body!.toString()).toBe('hello world\n');
      expect(t.warnings).toEqual([]);
    }
  });
  it('an enclosed message with a header or an empty one reads as before', () => {
    const t = parseToTree(Buffer.from(DSN.replace('\r\nThis is', '\r\nSubject: x\r\n\r\nThis is')));
    expect(t.root.children[0].children[0].fields.map((f) => f.name)).toEqual(['Subject']);
    const e = parseToTree(Buffer.from(DSN.replace('\r\nThis is', '\r\n\r\nThis is')));
    expect(e.root.children[0].children[0].body!.toString()).toMatch(/^This is the first line/);
  });
});

describe('parseContentType', () => {
  it('takes the RFC 2045 default when absent or unreadable', () => {
    expect(parseContentType(undefined)).toMatchObject({ type: 'text', subtype: 'plain', params: { charset: 'us-ascii' }, explicit: false });
    expect(parseContentType('text')).toMatchObject({ type: 'text', subtype: 'plain', explicit: false });
    expect(parseContentType('/plain')).toMatchObject({ explicit: false });
    expect(parseContentType(undefined, { inDigest: true })).toMatchObject({ type: 'message', subtype: 'rfc822' });
  });

  it('joins RFC 2231 continuations in their charset and keeps the first of a repeated name', () => {
    const ct = parseContentType("Application/X-Stuff; title*0*=iso-8859-1'fr'%E9t%E9; title*1=\" chaud\"; a=1; A=2");
    expect(ct).toMatchObject({ type: 'application', subtype: 'x-stuff', params: { title: 'été chaud', a: '1' } });
  });
});

describe('MimeDecoder chunk edges', () => {
  it('finds the first delimiter when the header ends exactly at a chunk end', () => {
    const msg = Buffer.from('Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nx\r\n--b--\r\n');
    const end = msg.indexOf('\r\n\r\n') + 4;
    const dec = new MimeDecoder();
    const events = [...dec.push(msg.subarray(0, end)), ...dec.push(msg.subarray(end)), ...dec.finish()];
    expect(events.filter((e) => e.type === 'part-start').map((e) => (e as { part: { path: number[] } }).part.path)).toEqual([[], [0]]);
    expect(events.some((e) => e.type === 'warning')).toBe(false);
  });
});
