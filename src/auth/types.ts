// The message-authentication pipeline's input and result (RFC 7208 SPF,
// RFC 6376 DKIM, RFC 7489 DMARC, RFC 8617 ARC), as plain data.
import type { Resolver } from '../dns/index.ts';
import type { RawField } from '../mime/header-decoder.ts';
import type { SkippedField } from '../mime/header-keeper.ts';
import type { DkimResult, LoadedKey } from '../dkim/index.ts';
import type { ArcReader, ArcResult } from '../arc/index.ts';
import type { DmarcResult, FromDomainResult } from '../dmarc/index.ts';
import type { SpfResultKind } from '../spf/index.ts';
import type { Result } from '../result.ts';

/**
 * What the receiving MTA saw of the SMTP session: the SPF identities
 * (RFC 7208 §2.3 HELO, §2.4 MAIL FROM), already checked for syntax.
 */
export interface SessionFacts {
  /** The client's address. */
  ip: string;
  /** MAIL FROM; absent for the null reverse-path (then HELO is the identity). */
  mailFrom?: string;
  helo?: string;
  /** The receiving host (the SPF `r` macro). */
  receiver?: string;
}

/** Policy knobs; every non-deterministic input (clock, pct draw) is a parameter. */
export interface AuthPolicy {
  /** The clock for signature expiry and the SPF `t` macro (default: now). */
  now?: Date;
  /** Accept rsa-sha1 (RFC 8301 forbids it). */
  allowSha1?: boolean;
  /** Accept RSA keys under 1024 bits (RFC 8301 forbids them). */
  allowWeakKeys?: boolean;
  /**
   * Keep the bare RFC 6376 result of a signature (DKIM or AMS) that leaves a
   * copy of a signed once-only field unsigned (by default a fail, §8.15).
   */
  allowUnsignedDuplicates?: boolean;
  /** Fail a signature (DKIM or AMS) whose l= leaves body bytes unsigned (§8.2). */
  strict?: boolean;
  /** Public keys by `selector:domain` (lower case), used instead of DNS. */
  keys?: Map<string, LoadedKey>;
  /** The DMARC pct draw, 0..99: the policy applies when sample < pct (RFC 7489 §6.6.4). */
  sample: number;
  /** Discover the DMARC policy by the RFC 9989 DNS tree walk instead of the PSL. */
  treeWalk?: boolean;
  /**
   * Without session facts, take the SPF verdict from the newest Received-SPF
   * field (RFC 7208 §9.1). A receiver that saw the session says false: the
   * message's own fields are then not trusted.
   */
  spfFromMessage?: boolean;
  /**
   * With spfFromMessage: evaluate SPF again (with DNS) from the client-ip and
   * envelope identity the Received-SPF field records, instead of trusting its
   * result.
   */
  spfRecheck?: boolean;
}

/** Which methods to run; by default SPF, DKIM and DMARC (ARC on request). */
export interface AuthMethods {
  spf?: boolean;
  dkim?: boolean;
  dmarc?: boolean;
  arc?: boolean;
}

export interface AuthInput {
  /** The message in wire form (CRLF), chunk by chunk; read once. */
  chunks: AsyncIterable<Buffer>;
  resolver: Resolver;
  session?: SessionFacts;
  policy: AuthPolicy;
  methods?: AuthMethods;
  /** Keep what ARC sealing needs (the `arc sign` case). */
  seal?: boolean;
  /** Called with each chunk as it is read (a spool that keeps the message). */
  tee?: (chunk: Buffer) => Promise<void> | void;
}

/**
 * Where the SPF identity of a Received-SPF verdict was found: its
 * envelope-from, the message's Return-Path, the "domain of X" of its
 * comment, or the HELO name (identity=helo, or the null reverse-path).
 */
export type SpfIdentitySource = 'envelope-from' | 'return-path' | 'comment' | 'helo';

/** The SPF verdict DMARC aligns with, and where it came from. */
export interface SpfVerdict {
  status: SpfResultKind;
  /** The domain SPF authenticated (MAIL FROM domain, else HELO), for DMARC alignment. */
  domain?: string;
  /** The identity checked as a mailbox (postmaster@HELO for a null MAIL FROM), when MAIL FROM was checked. */
  mailfrom?: string;
  helo?: string;
  /** Evaluated from the session, trusted from Received-SPF, or evaluated again from what Received-SPF records. */
  source: 'session' | 'received-spf' | 'recheck';
  /** For a verdict from the message: where its identity came from. */
  identityFrom?: SpfIdentitySource;
}

/** A DKIM signature's verdict, with the start of its b= for Authentication-Results (RFC 6008 header.b). */
export interface DkimVerdict extends DkimResult {
  bPrefix?: string;
}

export interface AuthReport {
  /** The top-level header fields, raw. */
  fields: RawField[];
  spf?: SpfVerdict;
  dkim: DkimVerdict[];
  from: FromDomainResult;
  dmarc?: DmarcResult;
  arc?: ArcResult;
  /** The reader ARC sealing continues from (when `seal`). */
  arcReader?: ArcReader;
  /** Header fields skipped as too long (the caller warns about each). */
  skipped: SkippedField[];
  /** Why SPF has no verdict although one was asked for (`spfRecheck` without a client address...). */
  spfProblem?: string;
}

/** `malformed`: the header cannot be read; `not-a-message`: no header field at all. */
export type AuthError = 'malformed' | 'not-a-message';

export type AuthResult = Result<AuthReport, AuthError>;
