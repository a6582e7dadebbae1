// The original tool's `--dns-static DIR`: one file `<domain>.dns` per name, one
// record per line: `txt:<text>`, `a:<ipv4> ...`, `aaaa:<ipv6> ...`,
// `mx:<preference>:<host> ...`, `ptr:<name>`. Blank lines and lines starting
// with `#` are skipped; lines of another type are ignored. A name without a
// file is NXDOMAIN when there is no fallback (`--offline`), else the fallback
// answers. Reading the directory is this module's only I/O.
import { readFile } from 'node:fs';
import { join } from 'node:path';
import type { Answer, MxRecord, RRType, Resolver } from './types.ts';
import { normalizeName } from './types.ts';
import type { MemoryRecords } from './memory.ts';

/** Parses the text of a `<domain>.dns` file. */
export function parseStaticZone(text: string): Partial<MemoryRecords> & { TXT?: string[][] } {
  const out: { TXT: string[][]; A: string[]; AAAA: string[]; MX: MxRecord[]; PTR: string[] } = { TXT: [], A: [], AAAA: [], MX: [], PTR: [] };
  for (let line of text.split('\n')) {
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.trim() === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const kind = line.slice(0, colon).trim().toLowerCase();
    const rest = line.slice(colon + 1);
    const words = rest.trim().split(/\s+/).filter(Boolean);
    switch (kind) {
      case 'txt':
        out.TXT.push(splitCharacterStrings(rest));
        break;
      case 'a':
        out.A.push(...words);
        break;
      case 'aaaa':
        out.AAAA.push(...words);
        break;
      case 'mx':
        for (const w of words) {
          const c = w.indexOf(':');
          if (c > 0 && /^\d+$/.test(w.slice(0, c))) out.MX.push({ preference: Number(w.slice(0, c)), exchange: normalizeName(w.slice(c + 1)) });
        }
        break;
      case 'ptr':
        out.PTR.push(...words.map(normalizeName));
        break;
      default:
        break;
    }
  }
  return out;
}

/** A TXT value longer than 255 octets travels as several character-strings: split it as DNS would. */
function splitCharacterStrings(text: string): string[] {
  if (text.length <= 255) return [text];
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += 255) parts.push(text.slice(i, i + 255));
  return parts;
}

export interface StaticResolverOptions {
  /** Asked for names that have no file; absent = NXDOMAIN (`--offline`). */
  fallback?: Resolver;
}

export function staticResolver(dir: string, opts: StaticResolverOptions = {}): Resolver {
  const cache = new Map<string, Promise<ReturnType<typeof parseStaticZone> | undefined>>();
  const load = (name: string) => {
    let p = cache.get(name);
    if (!p) {
      // (callback readFile: node:fs/promises would load a dozen more modules at start-up)
      p = new Promise<string>((res, rej) => readFile(join(dir, `${name}.dns`), 'utf8', (err, text) => (err ? rej(err) : res(text)))).then(parseStaticZone, (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT' || err.code === 'ENOTDIR' || err.code === 'ENAMETOOLONG') return undefined;
        throw err;
      });
      cache.set(name, p);
    }
    return p;
  };
  return {
    async resolve<T extends RRType>(q: { name: string; type: T }): Promise<Answer<T>> {
      const name = normalizeName(q.name);
      if (name === '' || name.includes('/') || name.startsWith('.')) return { ok: false, type: q.type, error: 'nxdomain' };
      let zone: ReturnType<typeof parseStaticZone> | undefined;
      try {
        zone = await load(name);
      } catch (err) {
        return { ok: false, type: q.type, error: 'servfail', message: `${dir}/${name}.dns: ${(err as Error).message}` };
      }
      if (!zone) return opts.fallback ? opts.fallback.resolve(q) : { ok: false, type: q.type, error: 'nxdomain' };
      const data = zone[q.type] as unknown[] | undefined;
      if (!data || data.length === 0) return { ok: false, type: q.type, error: 'nodata' };
      return { ok: true, type: q.type, records: data } as Answer<T>;
    },
  };
}
