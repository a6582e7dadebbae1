// The preview rewriter: cid: URLs to this server, <meta http-equiv> disabled,
// <base target=_blank> after a doctype; the same output whatever the chunking.
import { describe, expect, it } from 'vitest';
import { PreviewRewriter } from '../../src/web/preview.ts';

const url = (cid: string) => `/c/${encodeURIComponent(cid)}`;

function run(html: string, step: number): string {
  const rw = new PreviewRewriter(url);
  let out = '';
  for (let i = 0; i < html.length; i += step) out += rw.push(html.slice(i, i + step));
  return out + rw.finish();
}

const HTML = '<!DOCTYPE html><html><head><meta http-equiv="refresh" content="0;url=https://tracker.example/"><META HTTP-EQUIV=Refresh content=1></head>' +
  '<body style="background:url(cid:bg@x)"><img src="cid:logo%40example.org"><img src=cid:a.b@c alt="cid:not-an-url text">see cid:plain</body></html>';

const EXPECTED = '<!DOCTYPE html><base target="_blank"><html><head><meta data-blaze-disabled-http-equiv="refresh" content="0;url=https://tracker.example/"><META data-blaze-disabled-http-equiv=Refresh content=1></head>' +
  '<body style="background:url(/c/bg%40x)"><img src="/c/logo%40example.org"><img src=/c/a.b%40c alt="/c/not-an-url text">see /c/plain</body></html>';

describe('PreviewRewriter', () => {
  it('rewrites cid: references and disables meta http-equiv', () => {
    expect(run(HTML, HTML.length)).toBe(EXPECTED);
  });
  for (const step of [1, 3, 7, 64]) {
    it(`gives the same bytes in pieces of ${step}`, () => {
      expect(run(HTML, step)).toBe(EXPECTED);
    });
  }
  it('puts the base first when there is no doctype, and on an empty body', () => {
    expect(run('<p>hi</p>', 100)).toBe('<base target="_blank"><p>hi</p>');
    expect(run('', 1)).toBe('<base target="_blank">');
  });
});
