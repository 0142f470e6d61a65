import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import selfsigned from 'selfsigned';
import { ensureBuilt, ROOT } from './helpers/build';

// Shared with scripts/test.js, which reports the skip after the run.
const { findChromium, USUAL_PATHS, INSTALL_HINT } = require(path.join(ROOT, 'scripts', 'find-chromium.js')) as {
  findChromium(): string | null;
  USUAL_PATHS: string[];
  INSTALL_HINT: string;
};
const CHROMIUM = findChromium();
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1';

function listen(server: https.Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`https://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

if (CHROMIUM === null) {
  describe('the devices page in a real browser', () => {
    it('needs Chromium', () => {
      const message = `no Chromium found (looked at CHROMIUM_PATH, ${USUAL_PATHS.join(', ')}). Install it: ${INSTALL_HINT}.`;
      if (process.env.CI === 'true') throw new Error(`CI=true and ${message}`);
      console.warn(`SKIPPED the real-browser tests: ${message}`);
    });
  });
} else {
  describeInBrowser(CHROMIUM);
}

/**
 * The cookie example's "devices" page (`examples/cookie-app/public/devices.html`, on the
 * `selfService` endpoints) in a real browser over HTTPS: a laptop and a phone (two browser
 * contexts, the phone with an iPhone User-Agent) sign in; the laptop's page lists both, marks
 * itself, names the phone by its User-Agent, signs the phone out by its button and then
 * everywhere else; the phone's next request is refused.
 */
function describeInBrowser(executablePath: string): void {
  describe('the devices page in a real browser', () => {
    let browser: Browser;
    let laptop: BrowserContext;
    let phone: BrowserContext;
    let origin: string;
    let server: https.Server;

    beforeAll(async () => {
      ensureBuilt();
      const { createCookieApp } = require(path.join(ROOT, 'examples', 'cookie-app', 'app.js'));
      const pems = await selfsigned.generate([{ name: 'commonName', value: '127.0.0.1' }], {
        keySize: 2048,
        extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
      });
      const { app } = await createCookieApp({ cookieSecret: 'a-browser-test-cookie-secret-of-32+chars' });
      server = https.createServer({ key: pems.private, cert: pems.cert }, app);
      origin = await listen(server);
      browser = await chromium.launch({ executablePath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'], timeout: 30_000 });
      laptop = await browser.newContext({ ignoreHTTPSErrors: true });
      phone = await browser.newContext({ ignoreHTTPSErrors: true, userAgent: IPHONE });
    }, 60_000);

    afterAll(async () => {
      await laptop?.close();
      await phone?.close();
      await browser?.close();
      await new Promise((resolve) => server?.close(resolve));
    });

    async function signIn(context: BrowserContext): Promise<Page> {
      const page = await context.newPage();
      await page.goto(`${origin}/`, { timeout: 15_000 });
      await page.fill('#login', 'alice@example.org');
      await page.fill('#password', 'correct horse battery');
      await page.click('button[type=submit]');
      await page.waitForURL(`${origin}/app.html`, { timeout: 15_000 });
      return page;
    }
    const meStatus = (page: Page) => page.evaluate("fetch('/v1/me').then((response) => response.status)");
    const rows = (page: Page) => page.$$eval('#sessions li', (items) => items.map((item) => ({ text: item.textContent ?? '', current: item.getAttribute('data-current') ?? undefined })));

    it('lists the sign-ins with their devices, marks this one, and signs out one device and then every other', async () => {
      const laptopPage = await signIn(laptop);
      const phonePage = await signIn(phone);
      expect(await meStatus(phonePage)).toBe(200);

      await laptopPage.click('#devices');
      await laptopPage.waitForFunction("document.getElementById('status').textContent === '2 signed in'", undefined, { timeout: 15_000 });
      const listed = await rows(laptopPage);
      expect(listed.map((row) => row.current)).toEqual(['true', 'false']);
      expect(listed[0].text).toMatch(/^Chrome( Headless)? \d+ on Linux — since .* \(this device\)/);
      expect(listed[1].text).toMatch(/^Mobile Safari 17 on iOS \(mobile\) — since /);

      // The phone's own button: a DELETE with the CSRF token, same origin.
      await laptopPage.click('#sessions li[data-current="false"] button.end');
      await laptopPage.waitForFunction("document.getElementById('status').textContent === '1 signed in'", undefined, { timeout: 15_000 });
      expect(await meStatus(phonePage)).toBe(401);

      // The phone signs in again; "sign out everywhere else" ends it and keeps the laptop.
      const phoneAgain = await signIn(phone);
      await laptopPage.reload();
      await laptopPage.waitForFunction("document.getElementById('status').textContent === '2 signed in'", undefined, { timeout: 15_000 });
      await laptopPage.click('#others');
      await laptopPage.waitForFunction("document.getElementById('status').textContent === 'Signed out of 1 other device(s)'", undefined, { timeout: 15_000 });
      expect(await meStatus(phoneAgain)).toBe(401);
      expect(await meStatus(laptopPage)).toBe(200);
      expect((await rows(laptopPage)).map((row) => row.current)).toEqual(['true']);
    }, 90_000);
  });
}
