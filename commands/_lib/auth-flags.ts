// The flags of the authentication pipeline shared by dmarc verify and arc
// sign: the SMTP session's SPF identities (--ip, --sender, --helo), the
// DMARC discovery and sampling (--tree-walk, --sample), how a Received-SPF
// field is used (--spf trust|recheck), the signature judgement shared with
// arc verify (--allow-sha1, --allow-weak-keys, --allow-unsigned-duplicates,
// --strict), and the pipeline's policy from them.
import { randomInt } from 'node:crypto';
import { Option, type Command } from 'commander';
import { usageError } from './errors.ts';
import { parseCount, parseNow } from './flags.ts';
import { checkSpfHelo, checkSpfSender, parseIp } from '../../src/spf/index.ts';
import type { AuthPolicy, AuthReport, AuthResult, SessionFacts } from '../../src/auth/index.ts';
import type { LoadedKey } from '../../src/dkim/index.ts';
import { skippedFieldWarning } from '../../src/mime/header-keeper.ts';

export interface CheckFlags {
  ip?: string;
  sender?: string;
  helo?: string;
  treeWalk?: boolean;
  sample?: string;
  /** Also the SPF receiver (the `r` macro). */
  hostname?: string;
  now?: string;
  spf?: 'trust' | 'recheck';
}

export interface JudgementFlags {
  allowSha1?: boolean;
  allowWeakKeys?: boolean;
  allowUnsignedDuplicates?: boolean;
  strict?: boolean;
}

/** --allow-sha1, --allow-weak-keys, --allow-unsigned-duplicates, --strict (as dkim verify has them). */
export function addJudgementOptions(cmd: Command): Command {
  return cmd
    .option('--allow-sha1', 'accept rsa-sha1 signatures (RFC 8301 forbids them)')
    .option('--allow-weak-keys', 'accept RSA keys under 1024 bits (RFC 8301 forbids them)')
    .option('--allow-unsigned-duplicates', 'keep the bare result when a once-only field (From, Subject...) has an unsigned copy (RFC 6376 §8.15)')
    .option('--strict', 'fail a signature whose l= leaves body bytes unsigned (RFC 6376 §8.2)');
}

/** The judgement part of the pipeline policy. */
export function judgementFromFlags(o: JudgementFlags): Pick<AuthPolicy, 'allowSha1' | 'allowWeakKeys' | 'allowUnsignedDuplicates' | 'strict'> {
  return { allowSha1: o.allowSha1 === true, allowWeakKeys: o.allowWeakKeys === true, allowUnsignedDuplicates: o.allowUnsignedDuplicates === true, strict: o.strict === true };
}

/** --ip, --sender, --helo, --tree-walk, --sample. */
export function addCheckOptions(cmd: Command): Command {
  return cmd
    .option('--ip <ip>', 'SMTP client address (SPF)')
    .option('--sender <addr>', 'MAIL FROM (SPF)')
    .option('--helo <host>', 'HELO/EHLO name (SPF)')
    .option('--tree-walk', 'find the DMARC policy by the RFC 9989 DNS tree walk instead of the PSL')
    .option('--sample <n>', 'pct sampling draw, 0-99 (default: random); the policy applies when n < pct')
    .addOption(
      new Option('--spf <mode>', 'without --ip: trust the result of the newest Received-SPF, or recheck it (evaluate SPF again from its client-ip and envelope identity, with DNS)')
        .choices(['trust', 'recheck'])
        .default('trust'),
    );
}

/**
 * The session of --ip with --sender and/or --helo, checked as `spf check`
 * checks them (bad input: exit 2); undefined when none is given.
 */
export function sessionFromFlags(o: CheckFlags): SessionFacts | undefined {
  if (o.ip === undefined && o.sender === undefined && o.helo === undefined) return undefined;
  const ip = o.ip;
  if (ip === undefined) throw usageError('--sender/--helo need --ip (the SMTP client address)');
  if (!parseIp(ip.trim())) throw usageError(`--ip: '${ip}' is not an IPv4 or IPv6 address`);
  let mailFrom: string | undefined;
  if (o.sender !== undefined) {
    const s = checkSpfSender(String(o.sender));
    if (!s.ok) throw usageError(`--sender: ${s.message}`);
    mailFrom = s.value || undefined;
  }
  if (o.helo !== undefined) {
    const h = checkSpfHelo(o.helo);
    if (!h.ok) throw usageError(`--helo: ${h.message}`);
  }
  if (!mailFrom && !o.helo) throw usageError('--ip needs --sender ADDR or --helo HOST (the SPF identity)');
  return { ip: ip.trim(), mailFrom, helo: o.helo, receiver: o.hostname };
}

/** --sample N (0..99), or a random draw (RFC 7489 §6.6.4 pct). */
export function sampleFromFlags(o: { sample?: string }): number {
  if (o.sample === undefined) return randomInt(100);
  if (!/^\d{1,2}$/.test(String(o.sample))) throw usageError(`--sample ${o.sample}: expected 0 to 99`);
  return parseCount(String(o.sample), '--sample', { max: 99 });
}

/** The pipeline policy of the flags: --now, --sample, --tree-walk, --spf, the judgement flags, given keys. */
export function policyFromFlags(o: CheckFlags & JudgementFlags, keys?: Map<string, LoadedKey>): AuthPolicy {
  if (o.spf === 'recheck' && o.ip !== undefined) throw usageError('--spf recheck reads the Received-SPF field; with --ip the session is evaluated');
  return { now: parseNow(o.now), sample: sampleFromFlags(o), treeWalk: o.treeWalk === true, keys, spfFromMessage: true, spfRecheck: o.spf === 'recheck', ...judgementFromFlags(o) };
}

/** The report, or the pipeline's refusal as a usage error naming the input and line (exit 2). */
export function reportOrUsage(r: AuthResult, name: string): AuthReport {
  if (r.ok) return r.value;
  throw usageError(`${name}: ${r.line !== undefined ? `line ${r.line}: ` : ''}${r.message}`);
}

/** One warning line on stderr per header field the pipeline skipped as too long. */
export function warnSkipped(r: Pick<AuthReport, 'skipped'>, command: string, name: string, quiet?: boolean): void {
  if (quiet) return;
  for (const s of r.skipped) process.stderr.write(`blaze: ${command}: ${name}: ${skippedFieldWarning(s)}\n`);
}
