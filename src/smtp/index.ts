// SMTP: the wire codec, DATA transparency, client and server state machines
// (sans-IO), and the node:net/node:tls transport.
export * from './codec.ts';
export * from './dotstuff.ts';
export * from './server.ts';
export * from './client.ts';
export * from './transport.ts';
export * from './selfsigned.ts';
export * from './envelope.ts';
export * from './mx.ts';
export * from './store.ts';
export * from './sasl.ts';
export * from './dry-run.ts';
