// The encoder: everything blaze needs to write messages (make, wrap, put).
export * from './qp-encoder.ts';
export * from './base64-encoder.ts';
export * from './fold.ts';
export * from './encoded-word-encoder.ts';
export * from './address-encoder.ts';
export * from './param-encoder.ts';
export * from './date-encoder.ts';
export * from './identifiers.ts';
export * from './encoding-choice.ts';
export * from './field-encoder.ts';
export * from './delimiter-search.ts';
export * from './content-type-lite.ts';
export * from './wrapper.ts';
export * from './appender.ts';
export * from './address-input.ts';
export * from './builder.ts';
