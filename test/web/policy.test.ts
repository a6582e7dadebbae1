// Access and browser policy: DNS-rebinding Host check, the same-origin rule
// for writes, tokens, htpasswd files made by Apache's own htpasswd (bcrypt
// and SHA-1), Content-Disposition (RFC 6266) and part types.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import bcrypt from 'bcryptjs';
import { checkAccess, contentDisposition, crossOriginWrite, hostAllowed, parseHtpasswd, previewCsp, safeContentType } from '../../src/web/policy.ts';
import { safeFileName, parsePartId } from '../../src/web/structure.ts';

describe('hostAllowed', () => {
  it('lets loopback names through and refuses others when bound to loopback', () => {
    for (const h of ['localhost:8025', '127.0.0.1:8025', '[::1]:8025', 'inbox.localhost', '127.0.0.1']) expect(hostAllowed(h, true), h).toBe(true);
    for (const h of ['evil.example:8025', 'localhost.evil.example', '10.0.0.1:8025', undefined]) expect(hostAllowed(h, true), String(h)).toBe(false);
    expect(hostAllowed('mail.example:8025', false)).toBe(true);
  });
});

describe('crossOriginWrite', () => {
  const host = '127.0.0.1:8025';
  it('allows reads, same-origin writes and non-browser clients', () => {
    expect(crossOriginWrite('GET', { origin: 'https://evil.example', host })).toBeUndefined();
    expect(crossOriginWrite('DELETE', { origin: 'http://127.0.0.1:8025', host, 'sec-fetch-site': 'same-origin' })).toBeUndefined();
    expect(crossOriginWrite('DELETE', { host })).toBeUndefined();
  });
  it('refuses writes from another origin', () => {
    expect(crossOriginWrite('DELETE', { origin: 'https://evil.example', host })).toMatch(/cross-origin/);
    expect(crossOriginWrite('PATCH', { origin: 'http://127.0.0.1:9999', host })).toMatch(/cross-origin/);
    expect(crossOriginWrite('DELETE', { origin: 'null', host })).toMatch(/opaque/);
    expect(crossOriginWrite('DELETE', { host, 'sec-fetch-site': 'cross-site' })).toMatch(/cross-site/);
    expect(crossOriginWrite('DELETE', { host, 'sec-fetch-site': 'same-site' })).toMatch(/same-site/);
  });
});

describe('checkAccess', () => {
  it('is open without a rule', () => {
    expect(checkAccess({}, {})).toEqual({ ok: true });
  });
  it('takes the token as bearer, cookie, or once from the URL (then a cookie)', () => {
    const rule = { token: 'sesame-1234' };
    expect(checkAccess(rule, {})).toMatchObject({ ok: false, challenge: expect.stringMatching(/^Bearer/) });
    expect(checkAccess(rule, { authorization: 'Bearer sesame-1234' })).toEqual({ ok: true });
    expect(checkAccess(rule, { authorization: 'Bearer sesame-12345' }).ok).toBe(false);
    expect(checkAccess(rule, { cookie: 'a=b; blaze_web_token=sesame-1234' })).toEqual({ ok: true });
    const v = checkAccess(rule, { queryToken: 'sesame-1234' });
    expect(v).toMatchObject({ ok: true, setCookie: expect.stringContaining('HttpOnly; SameSite=Strict') });
  });
  it('checks Basic credentials against hashes made by htpasswd -B and -s', () => {
    const file = [
      execFileSync('htpasswd', ['-nbB', 'alice', 'wonder land']).toString().trim(),
      execFileSync('htpasswd', ['-nbs', 'bob', 'builder']).toString().trim(),
      'carol:plain-text',
    ].join('\n');
    const p = parseHtpasswd(file);
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    const rule = { users: p.users, bcrypt: (pw: string, h: string) => bcrypt.compareSync(pw, h.replace(/^\$2y\$/, '$2b$')) };
    const basic = (u: string, pw: string) => ({ authorization: 'Basic ' + Buffer.from(`${u}:${pw}`).toString('base64') });
    expect(checkAccess(rule, basic('alice', 'wonder land'))).toEqual({ ok: true });
    expect(checkAccess(rule, basic('alice', 'wonderland')).ok).toBe(false);
    expect(checkAccess(rule, basic('bob', 'builder'))).toEqual({ ok: true });
    expect(checkAccess(rule, basic('carol', 'plain-text'))).toEqual({ ok: true });
    expect(checkAccess(rule, basic('dave', 'x'))).toMatchObject({ ok: false, challenge: expect.stringMatching(/^Basic realm=/) });
  });
  it('refuses MD5-crypt files by name', () => {
    const md5 = execFileSync('htpasswd', ['-nbm', 'eve', 'x']).toString().trim();
    expect(parseHtpasswd(md5)).toMatchObject({ ok: false, error: expect.stringContaining('MD5') });
    expect(parseHtpasswd('# nothing\n')).toMatchObject({ ok: false });
  });
});

describe('downloads', () => {
  it('file names lose directories, control characters and leading dots', () => {
    expect(safeFileName('../../etc/passwd', 'x')).toBe('passwd');
    expect(safeFileName('C:\\Windows\\system.ini', 'x')).toBe('system.ini');
    expect(safeFileName('..', 'fallback.bin')).toBe('fallback.bin');
    expect(safeFileName('.bashrc', 'x')).toBe('bashrc');
    expect(safeFileName('a\r\nContent-Type: text/html\u0000.txt', 'x')).toBe('html.txt'); // after the last slash
    expect(safeFileName(undefined, 'part-2.bin')).toBe('part-2.bin');
  });
  it('Content-Disposition has an ASCII name and the UTF-8 one (RFC 6266 §4.3)', () => {
    expect(contentDisposition('attachment', 'données "été".csv')).toBe(`attachment; filename="donn_es __t__.csv"; filename*=UTF-8''donn%C3%A9es%20%22%C3%A9t%C3%A9%22.csv`);
  });
  it('part types are token pairs or octet-stream', () => {
    expect(safeContentType('image/png')).toBe('image/png');
    expect(safeContentType('text/csv', 'iso-8859-1')).toBe('text/csv; charset=iso-8859-1');
    expect(safeContentType('text/html\r\nX-Evil: 1')).toBe('application/octet-stream');
  });
  it('part numbers are descr numbers and nothing else', () => {
    expect(parsePartId('0')).toEqual([]);
    expect(parsePartId('2.1')).toEqual([1, 0]);
    for (const bad of ['', '0.1', '1..2', '-1', '1/2', '../1', '01', '1.', 'x']) expect(parsePartId(bad), bad).toBeUndefined();
  });
  it('the preview policy blocks scripts and remote content until asked', () => {
    const off = previewCsp(false);
    expect(off).toMatch(/^sandbox allow-same-origin allow-popups allow-popups-to-escape-sandbox;/);
    expect(off).toContain("default-src 'none'");
    expect(off).not.toMatch(/https?:/);
    expect(previewCsp(true)).toContain("img-src 'self' data: http: https:");
  });
});
