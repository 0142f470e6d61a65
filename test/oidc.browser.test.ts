/**
 * The whole redirect flow of a sign-in through a provider, in a real browser (Chromium via
 * playwright-core), on the cookie example (`examples/cookie-app`) given an `oidc` provider:
 * "Sign in with test" on its sign-in page → the provider's login page → its consent page →
 * back on the example's signed-in page → sign out, which is RP-initiated logout: the provider's
 * session ends too, so signing in again asks for credentials at the provider. The app is on `localhost`, the provider
 * (node-oidc-provider) on `127.0.0.1`, another site, so the transaction cookie must come back
 * on the provider's cross-site top-level redirect (`SameSite=Lax`) for the sign-in to succeed.
 */
import path from 'node:path';
import { type Browser } from 'playwright-core';
import { describeInChromium, launchChromium } from './helpers/browser';
import { ensureBuilt, ROOT } from './helpers/build';
import { CLIENT_SECRET, COOKIE_SECRET, listening, startProviderWith, type TestProvider } from './helpers/oidc';

describeInChromium('sign-in through a provider in a real browser, on the cookie example', (executablePath) => {
  let browser: Browser;
  let server: Awaited<ReturnType<typeof listening>>;
  let provider: TestProvider;
  let appOrigin: string;

  beforeAll(async () => {
    ensureBuilt();
    const { createCookieApp } = require(path.join(ROOT, 'examples', 'cookie-app', 'app.js'));
    server = await listening();
    appOrigin = server.origin.replace('127.0.0.1', 'localhost');
    const callback = `${appOrigin}/v1/oidc/test/callback`;
    provider = await startProviderWith(
      [{ client_id: 'gatehouse', client_secret: CLIENT_SECRET, redirect_uris: [callback], post_logout_redirect_uris: [`${appOrigin}/`] }],
      { alice: { email: 'alice@example.org', email_verified: true } },
      { consent: true },
    );
    const { app, store } = await createCookieApp({
      cookieSecret: COOKIE_SECRET,
      secure: false,
      oidc: { providers: { test: { issuer: provider.issuer, clientId: 'gatehouse', clientSecret: CLIENT_SECRET, redirectUri: callback, postLogoutRedirectUri: `${appOrigin}/` } } },
    });
    // The example's alice, linked to alice at the provider.
    const alice = await store.findCredentials('alice@example.org');
    await store.linkIdentity({ issuer: provider.issuer, subject: 'alice', actorId: alice.actor.id, linkedAt: Date.now() });
    server.serve(app);
    browser = await launchChromium(executablePath);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await provider?.stop();
    await server?.close();
  });

  it('should go from the sign-in page to the provider, sign in and consent there, come back signed in, and sign out', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${appOrigin}/`, { timeout: 15_000 });
    const button = page.getByRole('link', { name: 'Sign in with test' });
    await button.waitFor({ timeout: 15_000 });

    await Promise.all([page.waitForURL((url) => url.origin === provider.issuer, { timeout: 15_000 }), button.click()]);
    expect(await page.textContent('h1')).toBe('Sign in');
    await page.fill('input[name="sub"]', 'alice');
    await Promise.all([page.waitForSelector('h1:text("Allow access")', { timeout: 15_000 }), page.click('button')]);
    expect(new URL(page.url()).origin).toBe(provider.issuer);
    expect(await page.textContent('#scopes')).toBe('openid email profile');

    await Promise.all([page.waitForURL(`${appOrigin}/app.html`, { timeout: 15_000 }), page.click('button#allow')]);
    await page.waitForFunction("document.getElementById('greeting').textContent.startsWith('Signed in as')", undefined, { timeout: 15_000 });
    expect(await page.textContent('#greeting')).toBe('Signed in as alice@example.org');
    // The transaction cookie was used once and cleared; the session cookie is HttpOnly.
    const cookies = await context.cookies(appOrigin);
    expect(cookies.map((cookie) => [cookie.name, cookie.httpOnly, cookie.sameSite])).toEqual([['gatehouse', true, 'Lax']]);
    // The page's unsafe requests work with the cookie alone (same origin).
    await page.click('#save');
    await page.waitForFunction("document.getElementById('result').textContent.includes('saved')", undefined, { timeout: 15_000 });

    // Sign-out: this session ends, then the provider's end-session page (no id_token_hint: it
    // asks to confirm), then back to the example's sign-in page.
    await Promise.all([page.waitForURL((url) => url.origin === provider.issuer, { timeout: 15_000 }), page.click('#logout')]);
    expect(await context.cookies(appOrigin)).toEqual([]);
    await Promise.all([page.waitForURL(`${appOrigin}/`, { timeout: 15_000 }), page.click('button[value="yes"]')]);
    const me = await page.evaluate(async () => {
      const response = await fetch('/v1/me');
      return { status: response.status, code: ((await response.json()) as { code: string }).code };
    });
    expect(me).toEqual({ status: 401, code: '401.1' });

    // The provider's session is gone: signing in again asks for credentials there.
    const again = page.getByRole('link', { name: 'Sign in with test' });
    await again.waitFor({ timeout: 15_000 });
    await Promise.all([page.waitForURL((url) => url.origin === provider.issuer, { timeout: 15_000 }), again.click()]);
    await page.waitForSelector('input[name="sub"]', { timeout: 15_000 });
    expect(await page.textContent('h1')).toBe('Sign in');
    await context.close();
  }, 60_000);
});
