import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import selfsigned from 'selfsigned';
import { ensureBuilt, ROOT } from './helpers/build';

// Shared with scripts/test.js, which reports the skip after the run.
const { findChromium, USUAL_PATHS, INSTALL_HINT } = require(path.join(ROOT, 'scripts', 'find-chromium.js')) as {
  findChromium(): string | null;
  USUAL_PATHS: string[];
  INSTALL_HINT: string;
};
const CHROMIUM = findChromium();

function listen(server: https.Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`https://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

if (CHROMIUM === null) {
  // Decided at run time: without a browser this file is one test that says so. Under CI a
  // missing browser is a failure (.ci/run installs chromium); elsewhere it is a loud skip.
  describe('cookie sessions in a real browser', () => {
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
 * The cookie example in a real browser (Debian chromium via playwright-core), over HTTPS
 * with a certificate made here: log in through the form, use the API with the cookie, and
 * have a cross-origin form post refused.
 */
function describeInBrowser(executablePath: string): void {
  describe('cookie sessions in a real browser', () => {
    let browser: Browser;
    let context: BrowserContext;
    let appOrigin: string;
    let attackerOrigin: string;
    const servers: https.Server[] = [];

    beforeAll(async () => {
      ensureBuilt();
      const { createCookieApp } = require(path.join(ROOT, 'examples', 'cookie-app', 'app.js'));
      const pems = await selfsigned.generate([{ name: 'commonName', value: '127.0.0.1' }], {
        keySize: 2048,
        extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
      });
      const tls = { key: pems.private, cert: pems.cert };
      const { app } = await createCookieApp({ cookieSecret: 'a-browser-test-cookie-secret-of-32+chars' });
      const appServer = https.createServer(tls, app);
      servers.push(appServer);
      appOrigin = await listen(appServer);

      // Another origin (another port) whose page posts a form to the API, as a forged request would.
      const attacker = https.createServer(tls, (_req, res) => {
        res.setHeader('Content-Type', 'text/html');
        res.end(`<!doctype html><form id="f" method="POST" action="${appOrigin}/v1/notes"><input name="x" value="1"></form><script>document.getElementById('f').submit()</script>`);
      });
      servers.push(attacker);
      attackerOrigin = await listen(attacker);

      browser = await chromium.launch({
        executablePath,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
        timeout: 30_000,
      });
      context = await browser.newContext({ ignoreHTTPSErrors: true });
    }, 60_000);

    afterAll(async () => {
      await context?.close();
      await browser?.close();
      await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    });

    it('logs in through the form; the cookie is HttpOnly, Secure and unreadable by scripts; a cross-origin form post gets 403.4', async () => {
      const page = await context.newPage();
      await page.goto(`${appOrigin}/`, { timeout: 15_000 });
      await page.fill('#login', 'alice@example.org');
      await page.fill('#password', 'correct horse battery');
      await page.click('button[type=submit]');
      await page.waitForURL(`${appOrigin}/app.html`, { timeout: 15_000 });
      await page.waitForFunction("document.getElementById('greeting').textContent.startsWith('Signed in as')", undefined, { timeout: 15_000 });
      expect(await page.textContent('#greeting')).toBe('Signed in as alice@example.org');

      const [cookie] = (await context.cookies(appOrigin)).filter((c) => c.name === '__Host-gatehouse');
      expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax', path: '/' });
      // Evaluated in the page, where scripts see only non-HttpOnly cookies.
      expect(await page.evaluate('document.cookie')).not.toContain('__Host-gatehouse');

      // The page's own unsafe request (same origin, with the CSRF token) works.
      await page.click('#save');
      await page.waitForFunction("document.getElementById('result').textContent.includes('saved')", undefined, { timeout: 15_000 });

      const attackerPage = await context.newPage();
      const forged = attackerPage.waitForResponse((response) => response.url() === `${appOrigin}/v1/notes`, { timeout: 15_000 });
      await attackerPage.goto(`${attackerOrigin}/`, { timeout: 15_000 });
      const response = await forged;
      expect(response.status()).toBe(403);
      expect((await response.json()).code).toBe('403.4');
      // The browser did send the cookie (same site, other origin): the refusal is the cross-origin check, not a missing login.
      expect(response.request().headers()['cookie'] ?? (await response.request().allHeaders())['cookie']).toContain('__Host-gatehouse');
    }, 60_000);
  });
}
