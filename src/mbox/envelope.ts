// What a From_ line says about a message that has none yet (`mbox make`,
// `fetch --mbox`): the envelope sender from Return-Path, else the first
// From mailbox, else MAILER-DAEMON; the time from the Date field, else the
// caller's fallback (a file's mtime, the time of arrival). mblaze's mexport
// reads the same fields.
import { parseAddressList, flattenAddresses, addrSpec, parseDate } from '../mime/index.ts';

/** The sender for a From_ line: an addr-spec with no white space, or MAILER-DAEMON. */
export function envelopeSender(returnPath: Buffer | undefined, from: Buffer | undefined): string {
  if (returnPath) {
    const v = returnPath.toString('latin1').trim();
    const m = /^<([^<>\s]*)>/.exec(v) ?? /^([^<>\s]+)$/.exec(v);
    if (m) return m[1] === '' ? 'MAILER-DAEMON' : m[1];
  }
  if (from) {
    const r = parseAddressList(from.toString('latin1'), { binary: true });
    const first = flattenAddresses(r.addresses)[0];
    if (first && first.local) {
      const spec = addrSpec(first);
      if (!/[\s\x00-\x1f\x7f]/.test(spec)) return spec;
    }
  }
  return 'MAILER-DAEMON';
}

/** The instant of the Date field, or the fallback (a value, or a function asked only then) when it is absent or does not parse. */
export function envelopeTime(date: Buffer | undefined, fallback: number | (() => number)): number {
  if (date) {
    const d = parseDate(date.toString('latin1'));
    if (d.ok) return d.epochMs;
  }
  return typeof fallback === 'function' ? fallback() : fallback;
}
