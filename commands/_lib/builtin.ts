// A Node built-in module loaded when first needed. Not `await import()`: the
// bundle runs in a vm.Script (bin/blaze, for the code cache), where dynamic
// import() of a built-in fails (no dynamic-import callback); a CommonJS
// require of it works, in the bundle and under vitest alike.
import { createRequire } from 'node:module';

const req = createRequire('/');

export function builtin<T>(name: string): T {
  return req(name) as T;
}
