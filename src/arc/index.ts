// ARC (RFC 8617): fields, reading a message, chain validation, sealing.
export * from './fields.ts';
export * from './reader.ts';
export * from './validate.ts';
export * from './seal.ts';
