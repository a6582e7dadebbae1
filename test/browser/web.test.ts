// The web inbox in a real browser: Debian's chromium driven by playwright-core
// (never a downloaded browser). swaks delivers into `blaze srv --http`; the
// page shows the message without a reload; the HTML preview is shown, its
// script does not run, its remote image is not fetched until asked; the
// attachment downloads byte for byte; j/k, /, Enter and d work; delete
// removes the file. Screenshots go to test-output/web/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { tempDir } from '../smtp/support.ts';
import { startBlaze, until, crlf, type Running } from '../web/support.ts';

const CHROMIUM = '/usr/bin/chromium';
const SWAKS = '/usr/bin/swaks';
const OUT = fileURLToPath(new URL('../../test-output/web/', import.meta.url));

describe('web inbox in chromium', () => {
  let work: string;
  let srv: Running;
  let web: string;
  let smtpPort: number;
  let browser: Browser;
  let page: Page;
  let remote: Server;
  let remoteHits: string[] = [];
  let remoteBase: string;
  const attachment = randomBytes(2000);

  beforeAll(async () => {
    work = tempDir('blaze-browser-');
    mkdirSync(join(work, 'home'), { recursive: true });
    mkdirSync(OUT, { recursive: true });
    // A "remote" server: any request it gets is a leak the preview should have blocked.
    remote = createServer((req, res) => {
      remoteHits.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'image/gif' });
      res.end(Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64'));
    });
    await new Promise<void>((r) => remote.listen(0, '127.0.0.1', r));
    remoteBase = `http://127.0.0.1:${(remote.address() as AddressInfo).port}`;
    srv = await startBlaze(['srv', '127.0.0.1:0', '-o', join(work, 'Maildir'), '-h', 'mx.test', '--http', '127.0.0.1:0'], /listening on 127\.0\.0\.1:(\d+)/);
    smtpPort = srv.port;
    web = /web inbox on (http:\/\/127\.0\.0\.1:\d+)\//.exec(srv.stderr())![1];
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      env: { ...process.env, HOME: join(work, 'home') },
    });
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 760 }, acceptDownloads: true });
    page = await ctx.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await srv?.stop();
    await new Promise<void>((r) => (remote ? remote.close(() => r()) : r()));
    rmSync(work, { recursive: true, force: true });
  });

  async function swaks(file: string, to: string): Promise<void> {
    const r = await execa(SWAKS, ['--server', `127.0.0.1:${smtpPort}`, '--from', 'app@example.org', '--to', to, '--helo', 'app.test', '--data', `@${file}`], { reject: false, timeout: 20_000 });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
  }

  it('shows a delivered message without a reload, previews its HTML safely, downloads, deletes', async () => {
    await page.goto(`${web}/`);
    await page.waitForSelector('#count');
    await until(async () => (await page.textContent('#count')) === '0 messages', 10_000, 'empty list');

    const html = [
      '<html><head><style>p { color: #1a7f37 }</style></head><body>',
      '<h1 id="greeting">Welcome aboard</h1>',
      '<p>Confirm your address: <a href="https://example.org/confirm?t=42">confirm</a></p>',
      `<img id="tracker" src="${remoteBase}/pixel.gif" width="1" height="1">`,
      '<script>document.body.setAttribute("data-script-ran", "yes"); fetch("/api/v1/messages", {method: "DELETE"});</script>',
      '<img src="x" onerror="document.body.setAttribute(\'data-handler-ran\', \'yes\')">',
      '<form action="/api/v1/messages"><button id="submit">go</button></form>',
      '</body></html>',
    ].join('\r\n');
    const msg = crlf([
      'From: Shop <shop@example.org>', 'To: alice@example.org', 'Subject: Welcome to the shop', 'Date: Thu, 05 Nov 2026 12:00:00 +0000',
      'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="m"', '',
      '--m', 'Content-Type: multipart/alternative; boundary="a"', '',
      '--a', 'Content-Type: text/plain; charset=utf-8', '', 'Welcome aboard. Confirm: https://example.org/confirm?t=42',
      '--a', 'Content-Type: text/html; charset=utf-8', '', html, '--a--',
      '--m', 'Content-Type: application/pdf; name="terms.pdf"', 'Content-Disposition: attachment; filename="terms.pdf"', 'Content-Transfer-Encoding: base64', '',
      attachment.toString('base64').replace(/.{76}/g, '$&\r\n'), '--m--', '',
    ]);
    const file = join(work, 'welcome.eml');
    writeFileSync(file, msg);
    await swaks(file, 'alice@example.org');
    writeFileSync(join(work, 'second.eml'), crlf(['From: Bank <bank@example.net>', 'To: alice@example.org', 'Subject: Your statement', '', 'Nothing to see.', '']));

    // Live: it appears in the list the page already shows.
    await page.waitForSelector('#list li:has-text("Welcome to the shop")', { timeout: 15_000 });
    await swaks(join(work, 'second.eml'), 'alice@example.org');
    await page.waitForSelector('#list li:has-text("Your statement")', { timeout: 15_000 });
    expect(await page.textContent('#count')).toBe('2 messages');
    await page.screenshot({ path: join(OUT, 'list.png') });

    // Keyboard: j selects the first (newest), j the next, k back; Enter opens.
    await page.locator('#list').focus();
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    expect(await page.textContent('#list li.selected .subject')).toBe('Your statement');
    await page.keyboard.press('j');
    expect(await page.textContent('#list li.selected .subject')).toBe('Welcome to the shop');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#view:not([hidden])');
    expect(await page.textContent('#v-subject')).toBe('Welcome to the shop');

    // The HTML preview, in a sandboxed frame (a locator re-finds the frame when the page replaces it).
    const frameEl = await page.waitForSelector('#panel iframe');
    expect(await frameEl.getAttribute('sandbox')).toBe('allow-same-origin allow-popups allow-popups-to-escape-sandbox');
    const frame = page.frameLocator('#panel iframe');
    await expect.poll(() => frame.locator('#greeting').textContent({ timeout: 5000 }).catch(() => null), { timeout: 20_000 }).toBe('Welcome aboard');
    // Inline style is allowed.
    expect(await frame.locator('p').evaluate((p: any) => p.ownerDocument.defaultView.getComputedStyle(p).color)).toBe('rgb(26, 127, 55)');
    // Neither the script nor the event handler ran; nothing was deleted; the form cannot submit.
    expect(await frame.locator('body').getAttribute('data-script-ran')).toBeNull();
    expect(await frame.locator('body').getAttribute('data-handler-ran')).toBeNull();
    await frame.locator('#submit').click();
    expect(await page.textContent('#count')).toBe('2 messages');
    // The remote image was not fetched...
    expect(await frame.locator('#tracker').evaluate((img: any) => img.naturalWidth)).toBe(0);
    expect(remoteHits).toEqual([]);
    await page.screenshot({ path: join(OUT, 'message.png') });
    // ... until asked.
    await page.click('#load-remote');
    await until(() => remoteHits.includes('/pixel.gif'), 10_000, 'the remote image after "Load remote images"');
    await expect.poll(() => frame.locator('#greeting').textContent({ timeout: 5000 }).catch(() => null), { timeout: 20_000 }).toBe('Welcome aboard');
    expect(await frame.locator('body').getAttribute('data-script-ran')).toBeNull();

    // Other tabs.
    await page.click('#tabs button[data-tab="text"]');
    expect(await page.textContent('#panel pre')).toContain('Welcome aboard. Confirm: https://example.org/confirm?t=42');
    await page.click('#tabs button[data-tab="mime"]');
    expect(await page.textContent('#panel pre')).toContain('└── application/pdf (base64, 2000 bytes) terms.pdf');
    await page.click('#tabs button[data-tab="headers"]');
    expect(await page.textContent('#panel table')).toContain('Welcome to the shop');

    // The attachment downloads byte for byte.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#v-attachments a')]);
    expect(download.suggestedFilename()).toBe('terms.pdf');
    expect(readFileSync((await download.path())!).equals(attachment)).toBe(true);

    // Opening marked it read (S flag, moved to cur/).
    await until(() => readdirSync(join(work, 'Maildir', 'cur')).some((f) => f.endsWith(':2,S')), 10_000, 'the Seen flag');

    // / focuses the search box; a search narrows the list.
    await page.locator('#list').focus();
    await page.keyboard.press('/');
    expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe('search');
    await page.keyboard.type('has:attachment');
    await until(async () => (await page.textContent('#count')) === '1 message found', 10_000, 'search result');
    await page.keyboard.press('Escape');
    await page.fill('#search', '');
    await page.dispatchEvent('#search', 'input');
    await until(async () => (await page.textContent('#count')) === '2 messages', 10_000, 'full list again');

    // d deletes the open message: gone from the list and from the Maildir.
    await page.locator('#list').focus();
    await page.keyboard.press('d');
    await until(async () => (await page.textContent('#count')) === '1 message', 10_000, 'one message left');
    const left = [...readdirSync(join(work, 'Maildir', 'new')), ...readdirSync(join(work, 'Maildir', 'cur'))];
    expect(left.length).toBe(1);
    expect(readFileSync(join(work, 'Maildir', readdirSync(join(work, 'Maildir', 'new')).length ? 'new' : 'cur', left[0]), 'utf8')).toContain('Subject: Your statement');
  });

  it('follows the colour scheme (dark mode)', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 760 }, colorScheme: 'dark' });
    const p = await ctx.newPage();
    await p.goto(`${web}/`);
    await p.waitForSelector('#list li');
    const bg = await p.evaluate('getComputedStyle(document.body).backgroundColor');
    expect(bg).toBe('rgb(13, 17, 23)');
    await p.screenshot({ path: join(OUT, 'list-dark.png') });
    await ctx.close();
  });
});
