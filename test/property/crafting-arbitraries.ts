// fast-check generators for messages blaze can write: header text in many
// scripts, addresses with display names and groups, nested multipart trees,
// text and binary bodies, long lines and long parameters.
import fc from 'fast-check';
import type { AddressOut, HeaderFieldSpec, MimeSpec, MailboxOut } from '../../src/mime/encoder/index.ts';

const SCRIPTS = [
  'Волим', 'слани', 'краставац.', 'Ελληνικά', 'שלום', 'مرحبا', '日本語のテキスト', '中文字符', '한국어', 'हिन्दी', 'ไทย',
  'Ünïcödé', 'façade', 'Ærøskøbing', 'naïve', 'Crème', 'brûlée', 'ÀÉÎÕÜ', 'Zürich', 'Ångström', 'AÄ', 'Mañana', 'ABCDEFGHIJKLMNOPQRSTUVWXYZé', 'abcdefghijklmnopqrstuvwxyz0123456789ü', 'Résumé-Final-Version-Approved', '😀👍🏽', 'ĀĒĪŌŪ', 'ẞtraße', 'ı', '𝔘𝔫𝔦',
];
const ASCII_WORDS = ['hello', 'World', 'a', 'Re:', '[list]', 'x=y', '"quoted"', 'semi;colon', 'a,b', '(paren)', '<angle>', 'q?', '=?', '?=', '=?utf-8?q?x?=', '_', 'tab', 'A=?Z', 'Hello=?World_!*+-/'];

const asciiWord = fc.stringMatching(/^[\x21-\x7e]{1,12}$/);
const word = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...SCRIPTS) },
  { weight: 3, arbitrary: fc.constantFrom(...ASCII_WORDS) },
  { weight: 3, arbitrary: asciiWord },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }).filter((s) => !/[\s\x00-\x1f\x7f\u0080-\u009f\u2028\u2029\u0085\ufeff]/u.test(s)) },
  { weight: 1, arbitrary: fc.stringMatching(/^[a-z]{60,200}$/) },
);
const space = fc.constantFrom(' ', ' ', ' ', '  ', '\t', ' \t ');

/** A header text: words and white space, no leading or trailing white space. */
export const headerText = fc
  .array(fc.tuple(word, space), { minLength: 1, maxLength: 14 })
  .map((ws) => ws.map(([w, s]) => w + s).join('').replace(/[ \t]+$/, ''));

const atom = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]{1,10}$/);
const localPart = fc.oneof(
  fc.array(atom, { minLength: 1, maxLength: 3 }).map((a) => a.join('.')),
  fc.constantFrom('john doe', 'a..b', '.lead', 'q"uote', 'back\\slash', 'x@y', 'with,comma'),
);
const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
const domain = fc.array(label, { minLength: 2, maxLength: 4 }).map((l) => l.join('.'));
/** Display names as Python keeps them: single spaces between words. */
const displayName = fc.array(word, { minLength: 1, maxLength: 5 }).map((w) => w.join(' '));

export const mailbox: fc.Arbitrary<MailboxOut> = fc.record(
  { name: displayName, local: localPart, domain },
  { requiredKeys: ['local', 'domain'] },
);
export const address: fc.Arbitrary<AddressOut> = fc.oneof(
  { weight: 4, arbitrary: mailbox },
  { weight: 1, arbitrary: fc.record({ group: displayName, mailboxes: fc.array(mailbox, { maxLength: 3 }) }) },
);
export const addressList = fc.array(address, { minLength: 1, maxLength: 4 });

export const fields: fc.Arbitrary<HeaderFieldSpec[]> = fc
  .record({
    from: fc.array(mailbox, { minLength: 1, maxLength: 2 }),
    to: fc.option(addressList, { nil: undefined }),
    cc: fc.option(addressList, { nil: undefined }),
    subject: fc.option(headerText, { nil: undefined }),
    comments: fc.option(headerText, { nil: undefined }),
  })
  .map((r) => {
    const f: HeaderFieldSpec[] = [{ kind: 'addresses', name: 'From', addresses: r.from }];
    if (r.to) f.push({ kind: 'addresses', name: 'To', addresses: r.to });
    if (r.cc) f.push({ kind: 'addresses', name: 'Cc', addresses: r.cc });
    if (r.subject !== undefined) f.push({ kind: 'unstructured', name: 'Subject', value: r.subject });
    if (r.comments !== undefined) f.push({ kind: 'unstructured', name: 'X-Comment', value: r.comments });
    return f;
  });

const textLine = fc.oneof(
  headerText,
  fc.stringMatching(/^[ -~]{0,120}$/),
  fc.stringMatching(/^[a-z .]{900,1500}$/),
  fc.constantFrom('', '.', 'From here', 'trailing  ', 'tab\t', '=3D', '--=_notaboundary'),
);
export const textBody = fc.array(textLine, { maxLength: 12 }).chain((lines) =>
  fc.boolean().map((finalNewline) => Buffer.from(lines.join('\r\n') + (finalNewline && lines.length ? '\r\n' : ''), 'utf8')),
);
export const binaryBody = fc.uint8Array({ maxLength: 3000 }).map((u) => Buffer.from(u));

const filename = fc.oneof(
  fc.stringMatching(/^[a-z0-9_-]{1,20}\.(png|txt|bin)$/),
  fc.constantFrom('Волим слани краставац.txt', 'résumé final.pdf', 'quote"d.txt', 'a;b=c.txt', '日本語.png'),
  fc.stringMatching(/^[a-z]{70,120}\.dat$/),
);

export const leaf: fc.Arbitrary<MimeSpec> = fc.oneof(
  fc.record({ body: textBody, sub: fc.constantFrom('plain', 'html') }).map(({ body, sub }) => ({
    fields: [], type: `text/${sub}`, params: [['charset', 'utf-8']] as [string, string][], body,
  })),
  fc.record({ body: binaryBody, name: filename }).map(({ body, name }) => ({
    fields: [], type: 'application/octet-stream', body, disposition: { type: 'attachment', filename: name },
  })),
);

export const tree: fc.Arbitrary<MimeSpec> = fc.letrec<{ node: MimeSpec }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.record({ subtype: fc.constantFrom('mixed', 'alternative', 'related'), parts: fc.array(tie('node'), { minLength: 1, maxLength: 3 }) }).map(
      (r) => ({ fields: [], subtype: r.subtype, parts: r.parts }) as MimeSpec,
    ),
  ),
})).node;

export const message = fc.tuple(fields, tree).map(([f, t]) => ({ ...t, fields: f }) as MimeSpec);
