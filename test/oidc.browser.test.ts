/**
 * The whole redirect flow of a sign-in through a provider, in a real browser (Chromium via
 * playwright-core): the app on `localhost`, the provider (node-oidc-provider) on `127.0.0.1`,
 * another site, so the transaction cookie must come back on the provider's cross-site
 * top-level redirect (`SameSite=Lax`) for the sign-in to succeed.
 */
import path from 'node:path';
import express from 'express';
import { chromium, type Browser } from 'playwright-core';
import { gatehouse, MemoryStore } from '../src';
import { ROOT } from './helpers/build';
import { CLIENT_SECRET, COOKIE_SECRET, listening, startProviderWith, type TestProvider } from './helpers/oidc';

const { findChromium, USUAL_PATHS, INSTALL_HINT } = require(path.join(ROOT, 'scripts', 'find-chromium.js')) as {
  findChromium(): string | null;
  USUAL_PATHS: string[];
  INSTALL_HINT: string;
};
const CHROMIUM = findChromium();

if (CHROMIUM === null) {
  describe('sign-in through a provider in a real browser', () => {
    it('needs Chromium', () => {
      const message = `no Chromium found (looked at CHROMIUM_PATH, ${USUAL_PATHS.join(', ')}). Install it: ${INSTALL_HINT}.`;
      if (process.env.CI === 'true') throw new Error(`CI=true and ${message}`);
      console.warn(`SKIPPED the real-browser tests: ${message}`);
    });
  });
} else {
  describeInBrowser(CHROMIUM);
}

function describeInBrowser(executablePath: string): void {
  describe('sign-in through a provider in a real browser', () => {
    let browser: Browser;
    let server: Awaited<ReturnType<typeof listening>>;
    let provider: TestProvider;
    let appOrigin: string;
    let aliceId: string;

    beforeAll(async () => {
      server = await listening();
      appOrigin = server.origin.replace('127.0.0.1', 'localhost');
      const callback = `${appOrigin}/v1/oidc/test/callback`;
      provider = await startProviderWith([{ client_id: 'gatehouse', client_secret: CLIENT_SECRET, redirect_uris: [callback] }], { alice: { email: 'alice@example.org', email_verified: true } });
      const store = new MemoryStore({ passwordCost: 10 });
      aliceId = (await store.addUser({ login: 'alice@example.org' })).id;
      await store.linkIdentity({ issuer: provider.issuer, subject: 'alice', actorId: aliceId, linkedAt: Date.now() });
      const auth = gatehouse({
        store,
        cookie: { secret: COOKIE_SECRET, secure: false },
        login: { credentials: 'cookie' },
        oidc: { providers: { test: { issuer: provider.issuer, clientId: 'gatehouse', clientSecret: CLIENT_SECRET, redirectUri: callback } } },
      });
      const app = express();
      app.use('/v1', auth.routes());
      app.use('/v1', auth.authenticate());
      app.get('/v1/me', auth.require(), (req, res) => res.json({ id: req.user!.id }));
      server.serve(app);
      browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
    });
    afterAll(async () => {
      await browser?.close();
      await provider?.stop();
      await server?.close();
    });

    it('should go to the provider, sign in there, and come back signed in at returnTo', async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${appOrigin}/v1/oidc/test/start?returnTo=/v1/me`);
      expect(new URL(page.url()).origin).toBe(provider.issuer);
      await page.fill('input[name="sub"]', 'alice');
      await Promise.all([page.waitForURL(`${appOrigin}/v1/me`), page.click('button')]);
      expect(JSON.parse(await page.locator('body').innerText())).toEqual({ id: aliceId });
      const cookies = await context.cookies(appOrigin);
      expect(cookies.map((cookie) => cookie.name).sort()).toEqual(['gatehouse']);
      await context.close();
    });
  });
}
