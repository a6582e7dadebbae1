// Message authentication (SPF, DKIM, DMARC, ARC) as one pipeline over a
// message read once: what dmarc verify, arc verify, arc sign and srv --verify run.
export { authenticateMessage } from './pipeline.ts';
export { authResultsOf } from './auth-results.ts';
export { receivedSpfVerdict, spfVerdictOf } from './spf-verdict.ts';
export { ChunkChannel } from './channel.ts';
export type { AuthError, AuthInput, AuthMethods, AuthPolicy, AuthReport, AuthResult, DkimVerdict, SessionFacts, SpfVerdict } from './types.ts';
