// Replaced by esbuild at build time (build.mjs `define`).
declare const BLAZE_VERSION: string;
declare module 'blaze:commands' {
  export const loaders: Record<string, () => Promise<{ default: (argv: string[]) => Promise<number> }>>;
}
// The web inbox's page, bundled by build.mjs (src/web/page/).
declare module 'blaze:web-page' {
  export const html: string;
  export const js: string;
  export const css: string;
}
