// Terminal presentation: colour and glyph choices (SPEC §1 "Terminal").
import type { ChalkInstance } from 'chalk';
import { Chalk } from 'chalk';
import { stdoutIsTTY } from './stdout.ts';

export type ColorMode = 'auto' | 'always' | 'never';

export interface Glyphs {
  tee: string; // ├──
  last: string; // └──
  pipe: string; // │
  ok: string; // ✓
  err: string; // ✗
  arrowOk: string; // -✓->
  arrowErr: string; // -✗->
  arrowUnchecked: string; // -?-> (a link never checked)
}

const UTF8: Glyphs = { tee: '├── ', last: '└── ', pipe: '│   ', ok: '✓', err: '✗', arrowOk: '-✓->', arrowErr: '-✗->', arrowUnchecked: '-?->' };
const ASCII: Glyphs = { tee: '|-- ', last: '`-- ', pipe: '|   ', ok: '[ok]', err: '[err]', arrowOk: '-[ok]->', arrowErr: '-[err]->', arrowUnchecked: '-[?]->' };

/** UTF-8 glyphs unless --ascii or BLAZE_UTF_8=false. */
export function glyphs(ascii: boolean | undefined, env: NodeJS.ProcessEnv = process.env): Glyphs {
  if (ascii) return ASCII;
  const v = env.BLAZE_UTF_8?.toLowerCase();
  if (v === 'false' || v === '0' || v === 'no') return ASCII;
  return UTF8;
}

/** Whether to colour a stream: --color, then NO_COLOR / FORCE_COLOR, then isatty. */
export function useColor(mode: ColorMode | undefined, stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (mode === 'always') return true;
  if (mode === 'never') return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return stream.isTTY === true;
}

export function painter(mode: ColorMode | undefined, stream: { isTTY?: boolean } = { get isTTY() { return stdoutIsTTY(); } }): ChalkInstance {
  return new Chalk({ level: useColor(mode, stream) ? 1 : 0 });
}
