// Received trace fields (RFC 5321 §4.4): generation and parsing.
export { formatRfc5322Date, addressLiteral, foldUnits, formatReceived, type ReceivedFrom, type ReceivedStamp } from './format.ts';
export { parseReceivedDate, type ReceivedDate } from './date.ts';
export {
  parseReceived, normalizeIp, type ReceivedFromInfo, type ReceivedHost, type ReceivedTls, type ParsedReceived, type ReceivedError,
  type ReceivedResult,
} from './parse.ts';
export { tokenize, type Token } from './tokens.ts';
export { buildRoute, formatDelay, hopFrom, hopBy, formatHopText, formatRouteDot, hopJson, type RouteField, type Hop } from './route.ts';
