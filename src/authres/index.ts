// Authentication-Results (RFC 8601): parsing and writing.
export * from './types.ts';
export * from './parse.ts';
export * from './format.ts';
export * from './lenient.ts';
