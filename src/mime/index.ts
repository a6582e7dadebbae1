export * from './encoder/index.ts';
export * from './charset.ts';
export * from './encoded-word.ts';
