// schemas/web-api.openapi.json documents every API route of the routing
// table, with the same methods, and nothing the server does not answer.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ROUTES } from '../../src/web/routes.ts';

const spec = JSON.parse(readFileSync(fileURLToPath(new URL('../../schemas/web-api.openapi.json', import.meta.url)), 'utf8'));

describe('OpenAPI file', () => {
  it('is OpenAPI 3.1 with a path per API route and the same methods', () => {
    expect(spec.openapi).toBe('3.1.0');
    const fromTable = ROUTES.filter((r) => r.pattern[0] === 'api')
      .map((r) => `${r.method} /${r.pattern.map((s) => (s.startsWith(':') ? `{${s.slice(1)}}` : s)).join('/')}`)
      .sort();
    const fromSpec = Object.entries(spec.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, ops]) => Object.keys(ops).filter((k) => k !== 'parameters').map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    expect(fromSpec).toEqual(fromTable);
  });
  it('every $ref resolves', () => {
    const refs = JSON.stringify(spec).match(/"#\/components\/schemas\/[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(10);
    for (const r of refs) expect(spec.components.schemas[r.slice(22, -1)], r).toBeDefined();
  });
});
