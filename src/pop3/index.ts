// POP3 (RFC 1939 with CAPA, STLS, SASL and response codes): the wire codec,
// the client state machine (sans-IO), the node:net/node:tls transport, and
// the file of unique ids already fetched.
export * from './codec.ts';
export * from './client.ts';
export * from './transport.ts';
export * from './uid-state.ts';
export * from './url.ts';
