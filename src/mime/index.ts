export * from './encoder/index.ts';
export * from './charset.ts';
export * from './encoded-word.ts';
export * from './address.ts';
export * from './date.ts';
export * from './message-id.ts';
export * from './unstructured.ts';
export * from './content-type.ts';
