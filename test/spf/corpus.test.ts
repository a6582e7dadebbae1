// Received-SPF fields found in the real messages of $BLAZE_CORPUS/mime
// (Gmail-, Exchange-, FastMail-, ASSP-, rspamd-style writers) are read, and
// what a re-evaluation needs is found in them.
import { expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseReceivedSpf, receivedSpfIdentity } from '../../src/spf/index.ts';
import { describeCorpus } from '../support/corpus.ts';

const FILES = [
  'postal-mime/bounce.eml', 'postal-mime/calendar-event.eml', 'mimekit/messages/delivery-status2.txt', 'mimekit/messages/issue358.txt',
  'mimekit/messages/bounce.txt', 'stalwart-mail-parser/eml/thirdparty/015.eml', 'nodemailer-mailparser/nodemailer.eml',
];

/** Every Received-SPF field of a file (nested messages too), unfolded. */
function fields(MIME: string, file: string): string[] {
  const lines = readFileSync(`${MIME}${file}`, 'latin1').split(/\r?\n/);
  const out: string[] = [];
  lines.forEach((l, i) => {
    if (!/^received-spf:/i.test(l)) return;
    let v = l.slice(l.indexOf(':') + 1);
    for (let j = i + 1; j < lines.length && /^[ \t]/.test(lines[j]); j++) v += lines[j];
    out.push(v);
  });
  return out;
}

describeCorpus('MIME', 'mime/', 'Received-SPF written by others', (MIME) => {
  const all = FILES.flatMap((f) => fields(MIME, f).map((v) => ({ f, v })));
  it('finds the fields', () => expect(all.length).toBeGreaterThanOrEqual(10));
  it('reads every field that has a result word; an empty one is an error value', () => {
    for (const { f, v } of all) {
      const p = parseReceivedSpf(v);
      if (v.trim() === '') expect(p.ok, f).toBe(false);
      else expect(p.ok, `${f}: ${v}`).toBe(true);
    }
  });
  it('finds the client address and identity, from keys or from the comment', () => {
    const got = all.filter(({ v }) => v.trim() !== '').map(({ v }) => {
      const p = parseReceivedSpf(v);
      return p.ok ? { result: p.value.status, ...receivedSpfIdentity(p.value) } : undefined;
    });
    expect(got).toContainEqual({ result: 'pass', ip: '209.85.167.74', sender: 'andris@postalsys.com', helo: undefined });
    expect(got).toContainEqual({ result: 'pass', ip: '94.136.29.106', sender: 'training@proxmox.com', helo: 'proxmox-new.maurer-it.com' });
    expect(got).toContainEqual({ result: 'none', ip: undefined, sender: undefined, helo: undefined });
  });
  it('falls back to Return-Path for the sender', () => {
    const p = parseReceivedSpf('pass (mx.example: neutral words) client-ip=192.0.2.1;');
    expect(p.ok && receivedSpfIdentity(p.value, ' <bounce@example.org>')).toEqual({ ip: '192.0.2.1', sender: 'bounce@example.org', helo: undefined });
  });
});
