// How an SPF result is shown: the one-line verdict, the -v trace, the --json
// shape, the exit status, and the checks of user-given identities.
import type { SpfResult, SpfResultKind, SpfTraceEntry } from './types.ts';
import { err, ok, type Result } from '../result.ts';

/** SPEC §1: 0 for pass/neutral/none, 1 for fail/softfail/permerror, 75 for temperror. */
export function spfExitCode(result: SpfResultKind): number {
  if (result === 'temperror') return 75;
  return result === 'fail' || result === 'softfail' || result === 'permerror' ? 1 : 0;
}

/** "pass: ip4:192.0.2.0/24 (example.com)", "permerror: example.com: 2 SPF records at example.com". */
export function spfResultLine(r: SpfResult): string {
  if (r.mechanism && r.status !== 'permerror' && r.status !== 'temperror') {
    return `${r.status}: ${r.mechanism === 'default' ? 'no mechanism matched' : r.mechanism} (${r.domain})`;
  }
  const why = r.problem ?? (r.status === 'none' ? `no SPF record at ${r.domain}` : r.mechanism ?? '');
  return `${r.status}: ${why}${r.mechanism && r.problem ? ` [${r.mechanism}]` : ''}`;
}

export function spfTraceLine(t: SpfTraceEntry): string {
  switch (t.step) {
    case 'query':
      return `dns: ${t.name} ${t.type} -> ${t.answer}`;
    case 'record':
      return `record: ${t.domain}: ${JSON.stringify(t.record)}`;
    case 'term':
      return `term: ${t.domain}: ${t.term}: ${t.outcome} (lookups ${t.lookups}/10, void ${t.voidLookups}/2)`;
    case 'result':
      return `check_host(${t.domain}) = ${t.result}${t.term ? ` by ${t.term}` : ''}${t.problem ? ` (${t.problem})` : ''}`;
  }
}

/** The documented --json shape of one evaluation. */
export function spfResultJson(r: SpfResult): Record<string, unknown> {
  return {
    result: r.status,
    mechanism: r.mechanism ?? null,
    explanation: r.explanation ?? null,
    problem: r.problem ?? null,
    domain: r.domain,
    identity: r.identity,
    sender: r.sender,
    ip: r.ip,
    helo: r.helo ?? null,
    lookups: r.lookups,
    voidLookups: r.voidLookups,
    trace: r.trace,
  };
}

/**
 * A MAIL FROM as typed: "<>" or "" (null sender), "<a@b>" or "a@b"; the local
 * part may be empty ("@b"). Returns the address or why it is unusable.
 */
export function checkSpfSender(text: string): Result<string, 'not-an-address' | 'no-domain'> {
  let s = text.trim();
  if (s.startsWith('<') && s.endsWith('>')) s = s.slice(1, -1);
  if (s === '') return ok('');
  const at = s.lastIndexOf('@');
  if (at < 0) return err('not-an-address', `'${text}' is not an address (no '@')`);
  const domain = s.slice(at + 1);
  if (domain === '' || /[\s<>()\[\],;\\]/.test(domain) || /[\x00-\x1f\x7f]/.test(s)) return err('no-domain', `'${text}' has no usable domain`);
  return ok(s);
}

/**
 * A HELO/EHLO argument as received: not empty, no control characters. Bogus
 * names (spaces, no dot) are kept: they only feed the h macro, and the HELO
 * identity of a non-FQDN is "none" (RFC 7208 §2.3, §4.3).
 */
export function checkSpfHelo(text: string): Result<string, 'not-a-helo'> {
  if (text === '' || /[\x00-\x1f\x7f]/.test(text)) return err('not-a-helo', `'${text.replace(/[\x00-\x1f\x7f]/g, '?')}' is not a HELO name`);
  return ok(text);
}
