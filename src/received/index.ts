// Received trace fields (RFC 5321 §4.4): generation and parsing.
export * from './format.ts';
export * from './date.ts';
export * from './parse.ts';
export * from './tokens.ts';
export * from './route.ts';
