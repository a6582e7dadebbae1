export * from './encoder/index.ts';
