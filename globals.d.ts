// Replaced by esbuild at build time (build.mjs `define`).
declare const BLAZE_VERSION: string;
declare module 'blaze:commands' {
  export const loaders: Record<string, () => Promise<{ default: (argv: string[]) => Promise<number> }>>;
}
