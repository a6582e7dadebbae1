// Authentication-Results (RFC 8601): parsing and writing.
export { type AuthResProperty, type AuthResResult, type AuthResults, type AuthResParse } from './types.ts';
export { parseAuthResults } from './parse.ts';
export { authResValue, formatAuthResults, formatAuthResultsField } from './format.ts';
export { splitAuthResults, parseAuthResultsLenient, type LenientAuthResults, type LenientParse } from './lenient.ts';
