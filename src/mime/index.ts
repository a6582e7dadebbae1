export * from './encoder/index.ts';
export * from './charset.ts';
