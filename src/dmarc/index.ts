// DMARC (RFC 7489, RFC 9989 options): author domain, policy records, discovery, alignment, evaluation.
export * from './org-domain.ts';
export * from './align.ts';
export * from './record.ts';
export * from './from.ts';
export * from './discover.ts';
export * from './evaluate.ts';
export * from './results.ts';
