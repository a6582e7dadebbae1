// The message-authentication pipeline: one read of the message feeds the DKIM
// verifier and (when asked) the ARC reader, while SPF runs from the session
// facts; then DKIM, DMARC and ARC are evaluated against the resolver. It is
// what `dmarc verify`, `arc verify`, `arc sign` and `srv --verify` run.
// No I/O of its own: the message arrives as chunks, DNS through the resolver.
import { run } from '../dns/index.ts';
import { fieldValue, type RawField } from '../mime/header-decoder.ts';
import { DkimVerifier, evaluateSignature, parseTagList, stripFws } from '../dkim/index.ts';
import { ArcReader, evaluateArc, type ArcResult } from '../arc/index.ts';
import { authorDomain, evaluateDmarc, type DmarcResult } from '../dmarc/index.ts';
import { evaluateSpf } from '../spf/index.ts';
import { err, ok } from '../result.ts';
import { receivedSpfVerdict, recheckSession, spfVerdictOf } from './spf-verdict.ts';
import type { AuthInput, AuthResult, DkimVerdict, SpfVerdict } from './types.ts';

/** Characters of b= kept for header.b (RFC 6008 §4: at least 8). */
const B_PREFIX = 8;

export async function authenticateMessage(input: AuthInput): Promise<AuthResult> {
  const methods = input.methods ?? { spf: true, dkim: true, dmarc: true };
  const { policy, resolver, session } = input;
  const now = policy.now ?? new Date();
  const wantDkim = methods.dkim || methods.dmarc;
  const wantSpf = methods.spf || methods.dmarc;

  // SPF needs only the session: it runs while the message is read.
  const spfRun =
    wantSpf && session
      ? run(evaluateSpf({ ip: session.ip, sender: session.mailFrom, helo: session.helo, receiver: session.receiver, now }), resolver)
      : undefined;
  spfRun?.catch(() => {}); // awaited below; no unhandled rejection while the message is read

  const dkimV = wantDkim ? new DkimVerifier() : undefined;
  const arcR = methods.arc ? new ArcReader({ seal: input.seal }) : undefined;
  for await (const chunk of input.chunks) {
    dkimV?.push(chunk);
    arcR?.push(chunk);
    if (input.tee) await input.tee(chunk);
  }
  const prepared = dkimV?.finish();
  const arcRead = arcR?.finish();
  const read = prepared ?? arcRead!;
  if (!read.ok) return read;
  const fields = (dkimV ?? arcR!).fields;
  if (fields.length === 0) return err('not-a-message', 'no header field (not a message?)');

  const judgement = {
    keys: policy.keys,
    allowSha1: policy.allowSha1,
    allowWeakKeys: policy.allowWeakKeys,
    allowUnsignedDuplicates: policy.allowUnsignedDuplicates,
    strict: policy.strict,
  };
  const dkim: DkimVerdict[] = await Promise.all(
    (prepared?.ok ? prepared.value : []).map(async (p) => {
      const r = await run(evaluateSignature(p, { now, ...judgement }), resolver);
      return { ...r, bPrefix: bPrefixAt(fields, p.line) };
    }),
  );

  let spf: SpfVerdict | undefined;
  let spfProblem: string | undefined;
  if (spfRun) spf = spfVerdictOf(await spfRun);
  else if (wantSpf && !session && policy.spfFromMessage !== false) {
    if (policy.spfRecheck) {
      const again = recheckSession(fields);
      if (again.ok) {
        const s = again.session;
        spf = spfVerdictOf(await run(evaluateSpf({ ip: s.ip, sender: s.mailFrom, helo: s.helo, now }), resolver), 'recheck', again.identityFrom);
      } else spfProblem = again.why;
    } else spf = receivedSpfVerdict(fields);
  }

  const from = authorDomain(fields.filter((f) => f.name.toLowerCase() === 'from').map((f) => fieldValue(f.raw).toString('utf8')));
  let dmarc: DmarcResult | undefined;
  if (methods.dmarc && from.ok) {
    dmarc = await run(
      evaluateDmarc({
        fromDomain: from.value,
        spf: spf?.domain ? { result: spf.status, domain: spf.domain } : undefined,
        dkim: dkim.map((d) => ({ status: d.status, domain: d.domain ?? '' })),
        sample: policy.sample,
        treeWalk: policy.treeWalk === true,
      }),
      resolver,
    );
  }
  let arc: ArcResult | undefined;
  if (arcR) arc = await run(evaluateArc(arcR, judgement), resolver);
  const skipped = [...(dkimV ?? arcR!).skipped];
  return ok({ fields, spf, spfProblem, dkim: methods.dkim || methods.dmarc ? dkim : [], from, dmarc, arc, arcReader: input.seal ? arcR : undefined, skipped });
}

/** The first characters of the b= tag of the DKIM-Signature at LINE. */
function bPrefixAt(fields: readonly RawField[], line: number): string | undefined {
  const f = fields.find((x) => x.line === line && x.name.toLowerCase() === 'dkim-signature');
  if (!f) return undefined;
  const t = parseTagList(fieldValue(f.raw).toString('latin1'));
  return t.ok && t.value.tags.has('b') ? stripFws(t.value.tags.get('b')!).slice(0, B_PREFIX) : undefined;
}
