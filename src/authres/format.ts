// Writing Authentication-Results (and ARC-Authentication-Results) values:
// `authserv-id; method=result (comment) reason="..." ptype.prop=value; ...`,
// `none` when there is no result, then folded at 78 columns between items.
// Values and comments may carry text from the message or the network (a
// signature's d=, a reason quoting it): a control character becomes '?'
// (src/mime/safe-text.ts), never a raw CR that would end the field.
import type { AuthResResult, AuthResults } from './types.ts';
import { headerSafe } from '../mime/safe-text.ts';

const TOKEN = /^[^\s()<>,;:\\"[\]?=\x00-\x1f\x7f]+$/;

/** A value as written: bare when it is a token or local@domain, else quoted. */
export function authResValue(value: string): string {
  const v = headerSafe(value);
  if (v !== '' && TOKEN.test(v)) return v;
  return `"${v.replace(/["\\]/g, (m) => `\\${m}`)}"`;
}

function comment(text: string): string {
  return `(${headerSafe(text).replace(/[()\\]/g, (m) => `\\${m}`)})`;
}

/** The items of one result, each an unbreakable unit. */
function resultItems(r: AuthResResult): string[] {
  const items = [`${headerSafe(r.method)}${r.version !== undefined ? `/${r.version}` : ''}=${headerSafe(r.result)}`];
  if (r.comment) items.push(comment(r.comment));
  if (r.reason !== undefined) items.push(`reason=${authResValue(r.reason)}`);
  for (const p of r.properties) {
    items.push(`${headerSafe(p.type)}.${headerSafe(p.name)}=${authResValue(p.value)}`);
    if (p.comment) items.push(comment(p.comment));
  }
  return items;
}

/** The items of a whole value (the `;` kept with the item it ends). */
function items(ar: AuthResults, prefix?: string): string[] {
  const out: string[] = [];
  if (prefix) out.push(prefix);
  out.push(`${authResValue(ar.authservId)}${ar.version !== undefined ? ` ${ar.version}` : ''};`);
  if (ar.results.length === 0) {
    out.push('none');
    if (ar.comment) out.push(comment(ar.comment));
  }
  ar.results.forEach((r, i) => {
    const it = resultItems(r);
    if (i < ar.results.length - 1) it[it.length - 1] += ';';
    out.push(...it);
  });
  return out;
}

/** The value on one line (no folding): the form the authres doctests compare. */
export function formatAuthResults(ar: AuthResults, prefix?: string): string {
  return items(ar, prefix).join(' ');
}

/**
 * The whole field `Name: value\r\n`, folded at 78 columns: a new line (CRLF
 * and one SP) before an item that would pass the limit; each result starts on
 * a line of its own when the field does not fit on one.
 */
export function formatAuthResultsField(ar: AuthResults, opts: { name?: string; prefix?: string } = {}): string {
  const name = opts.name ?? 'Authentication-Results';
  const oneLine = `${name}: ${formatAuthResults(ar, opts.prefix)}`;
  if (oneLine.length <= 78) return `${oneLine}\r\n`;
  let text = `${name}:`;
  let col = text.length;
  const list = items(ar, opts.prefix);
  let startOfResult = false;
  for (const item of list) {
    if ((col > 1 && col + 1 + item.length > 78) || (startOfResult && col > 1)) {
      text += '\r\n ';
      col = 1;
    } else {
      text += ' ';
      col += 1;
    }
    text += item;
    col += item.length;
    startOfResult = item.endsWith(';') && item !== opts.prefix;
  }
  return `${text}\r\n`;
}
