// The routing table: names and parameters, 404/405, and every way of
// smuggling a path through a parameter refused.
import { describe, expect, it } from 'vitest';
import { matchRoute } from '../../src/web/routes.ts';

describe('matchRoute', () => {
  it('names routes and decodes parameters', () => {
    expect(matchRoute('GET', '/api/v1/messages')).toEqual({ ok: true, name: 'list', params: {} });
    expect(matchRoute('DELETE', '/api/v1/messages')).toEqual({ ok: true, name: 'deleteAll', params: {} });
    expect(matchRoute('GET', '/api/v1/messages/1700.M1P2.host%2C%3A2%2CS/parts/2.1')).toEqual({ ok: true, name: 'part', params: { id: '1700.M1P2.host,:2,S', part: '2.1' } });
    expect(matchRoute('HEAD', '/api/v1/messages/x/raw')).toMatchObject({ ok: true, name: 'raw' });
    expect(matchRoute('GET', '/')).toMatchObject({ ok: true, name: 'page' });
  });
  it('says 405 with the methods allowed, 404 otherwise', () => {
    expect(matchRoute('POST', '/api/v1/messages')).toMatchObject({ ok: false, status: 405, allow: ['GET', 'DELETE'] });
    expect(matchRoute('GET', '/api/v2/messages')).toMatchObject({ ok: false, status: 404 });
    expect(matchRoute('GET', '/api/v1/messages/x/parts/1/extra')).toMatchObject({ ok: false, status: 404 });
  });
  it('refuses parameters that could name a path', () => {
    for (const p of [
      '/api/v1/messages/..%2F..%2Fetc%2Fpasswd/raw',
      '/api/v1/messages/%2E%2E/raw',
      '/api/v1/messages/a%5Cb/raw',
      '/api/v1/messages/a%00b/raw',
      '/api/v1/messages/x/parts/..%2F..%2Fetc%2Fpasswd',
      '/api/v1/messages//raw',
    ]) expect(matchRoute('GET', p), p).toMatchObject({ ok: false, status: 404 });
    expect(matchRoute('GET', '/api/v1/messages/%E0%A4%A/raw')).toMatchObject({ ok: false, status: 400 });
  });
});
