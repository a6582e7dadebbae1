export * from './types.ts';
export * from './run.ts';
export * from './system.ts';
export * from './static.ts';
export * from './memory.ts';
export * from './wire.ts';
export * from './raw.ts';
