// Authentication-Results (RFC 8601) as plain data. The same shape serves the
// ARC-Authentication-Results field (RFC 8617 §4.1.1), whose value starts with i=.
import type { Result } from '../result.ts';

export interface AuthResProperty {
  /** ptype, lower case: smtp, header, body, policy, or an extension. */
  type: string;
  /** property, lower case. */
  name: string;
  value: string;
  comment?: string;
}

export interface AuthResResult {
  /** Method, lower case (spf, dkim, dmarc, arc, iprev, auth, unknown ones kept). */
  method: string;
  version?: number;
  /** Result keyword, lower case. */
  result: string;
  reason?: string;
  /** The comment after the result, if any. */
  comment?: string;
  properties: AuthResProperty[];
}

export interface AuthResults {
  authservId: string;
  version?: number;
  /** Empty for `none`. */
  results: AuthResResult[];
  /** The comment after `none`, if any. */
  comment?: string;
}

/** `syntax`: not an Authentication-Results value (RFC 8601 §2.2); `offset` says where. */
export type AuthResParse = Result<AuthResults, 'syntax', { offset: number }>;
