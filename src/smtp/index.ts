// SMTP: the wire codec, DATA transparency, client and server state machines
// (sans-IO), and the node:net/node:tls transport.
export {
  LineReader, replyText, isPositive, ReplyReader, formatReply, splitCommand, parsePathArgument, parseExtensions, isAscii, type LineEvent,
  type Reply, type PathArgument,
} from './codec.ts';
export { DotStuffer, DotUnstuffer, type UnstuffResult } from './dotstuff.ts';
export { SmtpServer, type ServerOptions, type Envelope, type ServerAction, type ServerState } from './server.ts';
export { SmtpClient, type TlsMode, type ClientOptions, type RecipientResult, type Failure, type ClientResult, type ClientAction } from './client.ts';
export { deliver, type ConnectOptions } from './client-transport.ts';
export { listen, type ListenOptions, type RunningServer } from './server-transport.ts';
export { selfSignedCertificate, type CertificatePair } from './selfsigned.ts';
export {
  readMessageHeader, extractAddresses, chooseEnvelope, messageChunks, type MessageHeader, type HeaderResult, type EnvelopeChoice,
  type EnvelopeError,
} from './envelope.ts';
export { resolveMx, type MxHost, type MxRoute } from './mx.ts';
export { SinkDriver, traceClientLines, type MessageSink } from './store.ts';
export { decodeSaslBase64, parseSaslPlain, encodeSaslPlain } from './sasl.ts';
export { dryRunDialogue, type DryRun } from './dry-run.ts';
