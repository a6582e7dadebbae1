// POP3 (RFC 1939 with CAPA, STLS, SASL and response codes): the wire codec,
// the client state machine (sans-IO), the node:net/node:tls transport, and
// the file of unique ids already fetched.
export {
  parseStatus, isTemporary, apopTimestamp, apopDigest, parseCapabilities, parseUidlLine, parseListLine, unstuffLine, type Status,
} from './codec.ts';
export {
  MAX_LISTED, Pop3Client, type TlsMode, type AuthMethod, type Pop3ClientOptions, type ListedMessage, type FailureKind, type Pop3Result,
  type Pop3Action,
} from './client.ts';
export { fetchSession, errorText, type Pop3ConnectOptions, type MessageStore, type StoredMessage, type SessionHooks } from './transport.ts';
export { UidState, parseState } from './uid-state.ts';
export { parsePop3Url, type Pop3Url } from './url.ts';
