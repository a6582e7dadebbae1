// DKIM (RFC 6376, RFC 8463, RFC 8301) primitives, also used by ARC.
export * from './tag-list.ts';
export * from './canon-header.ts';
export * from './canon-body.ts';
export * from './select.ts';
export * from './key-record.ts';
export * from './keys.ts';
export * from './signature.ts';
export * from './crypto.ts';
export * from './fold.ts';
export * from './sign.ts';
export * from './verify.ts';
export * from './report.ts';
