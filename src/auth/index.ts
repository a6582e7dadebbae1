// Message authentication (SPF, DKIM, DMARC, ARC) as one pipeline over a
// message read once: what dmarc verify, arc verify, arc sign and srv --verify run.
export { authenticateMessage } from './pipeline.ts';
export { authResultsOf } from './auth-results.ts';
export { spfVerdictOf, receivedSpfVerdict } from './spf-verdict.ts';
export { ChunkChannel } from './channel.ts';
export {
  type SessionFacts, type AuthPolicy, type AuthMethods, type AuthInput, type SpfVerdict, type DkimVerdict, type AuthReport, type AuthError,
  type AuthResult,
} from './types.ts';
