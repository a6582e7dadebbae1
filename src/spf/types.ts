// The SPF evaluator's request and result values (RFC 7208 §2.6, §4).

export type SpfResultKind = 'none' | 'neutral' | 'pass' | 'fail' | 'softfail' | 'temperror' | 'permerror';

export const SPF_RESULTS: readonly SpfResultKind[] = ['none', 'neutral', 'pass', 'fail', 'softfail', 'temperror', 'permerror'];

export interface SpfRequest {
  /** The SMTP client's address (IPv4, IPv6, or IPv4-mapped IPv6). */
  ip: string;
  /** MAIL FROM; empty or absent = the HELO identity is checked (postmaster@helo). */
  sender?: string;
  /** HELO/EHLO name (the `h` macro, and the identity when there is no MAIL FROM). */
  helo?: string;
  /** The checking host (`r` macro in explanations); default "unknown". */
  receiver?: string;
  /** Clock for the `t` macro. */
  now?: Date;
  /** Check this identity; default: mailfrom when a sender is given, else helo. */
  identity?: 'mailfrom' | 'helo';
  /** Explanation when a fail has no (usable) exp=; default "SPF fail - not authorized". */
  defaultExplanation?: string;
}

export type SpfTraceEntry =
  | { step: 'query'; name: string; type: string; answer: string }
  | { step: 'record'; domain: string; record: string }
  | { step: 'term'; domain: string; term: string; outcome: string; lookups: number; voidLookups: number }
  | { step: 'result'; domain: string; result: SpfResultKind; term?: string; problem?: string };

export interface SpfResult {
  /** The verdict (RFC 7208 §2.6); `status` as in every area (the JSON key stays `result`). */
  status: SpfResultKind;
  /** The deciding term of the checked domain's record ("default" when none matched). */
  mechanism?: string;
  /** For fail: the exp= text, macro-expanded, or the default explanation. */
  explanation?: string;
  /** Why a permerror/temperror/none (human text). */
  problem?: string;
  /** The domain whose policy was checked (MAIL FROM domain or HELO name). */
  domain: string;
  identity: 'mailfrom' | 'helo';
  /** The sender as checked (postmaster@ substituted). */
  sender: string;
  ip: string;
  helo?: string;
  /** DNS-querying terms counted (limit 10) and void lookups (limit 2). */
  lookups: number;
  voidLookups: number;
  trace: SpfTraceEntry[];
}
