// The one result shape of src/ (DESIGN.md, "Results"): a function that can
// fail on its input returns a value, never throws for it.
//
//   { ok: true, value }                       the success payload, always `value`
//   { ok: false, error, message, line? }      `error` a closed union of kinds
//                                             (what a caller branches on),
//                                             `message` the human text
//
// src/dns/types.ts Answer and src/dmarc/record.ts were the models. Verdicts
// (a DKIM signature, an SPF check, a DMARC policy) are not failures: they are
// values with a `status` field ('pass' | 'fail' | ...), returned inside `ok`.

export interface Ok<T> {
  ok: true;
  value: T;
}

export interface Err<K extends string> {
  ok: false;
  /** What went wrong, from a closed set the caller can switch on. */
  error: K;
  /** For people: one line, no trailing period. */
  message: string;
  /** Where in the input (1-based line), when the input has lines. */
  line?: number;
}

/** D: what a failure can still tell (a partly read signature's d= and s=), beside error and message. */
export type Result<T, K extends string, D extends object = object> = Ok<T> | (Err<K> & D);

export function ok<T>(value: T): Ok<T> {
  return { ok: true, value };
}

export function err<K extends string>(error: K, message: string, line?: number): Err<K> {
  return line === undefined ? { ok: false, error, message } : { ok: false, error, message, line };
}
