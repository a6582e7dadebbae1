// SPF (RFC 7208): record syntax, macros, the check_host() evaluator as a
// generator of DNS questions, and the Received-SPF header field.
export * from './types.ts';
export * from './ip.ts';
export * from './macro.ts';
export * from './record.ts';
export * from './evaluate.ts';
export * from './received-spf.ts';
export * from './report.ts';
