/**
 * Two-step sign-in in a real browser (Debian chromium via playwright-core), on the cookie
 * example over HTTPS: turn TOTP on from the signed-in page (the secret shown once, confirmed by
 * a first code, recovery codes shown), sign out, and sign in again — the password alone sets no
 * cookie; the code from the authenticator app does.
 */
import type { BrowserContext } from 'playwright-core';
import { totpCode } from '../src/second-factor/totp';
import { describeInChromium, sendSignInForm, signInThroughForm, useCookieAppInChromium } from './helpers/browser';

describeInChromium('two-step sign-in in a real browser', (executablePath) => {
  const served = useCookieAppInChromium(executablePath);
  let context: BrowserContext;
  let origin: string;

  beforeAll(async () => {
    origin = served.origin;
    context = await served.newContext();
  }, 60_000);

  const textOf = (selector: string) => `document.querySelector(${JSON.stringify(selector)}).textContent`;

  it('enrols from the signed-in page, then a sign-in asks for the code before it sets the cookie', async () => {
    const page = await context.newPage();
    await signInThroughForm(page, origin);

    await page.fill('#totp-password', 'correct horse battery');
    await page.click('#totp-start');
    await page.waitForFunction(`${textOf('#totp-secret')}.length > 0`, undefined, { timeout: 15_000 });
    const secret = (await page.textContent('#totp-secret'))!;
    expect(await page.getAttribute('#totp-uri', 'href')).toMatch(/^otpauth:\/\/totp\/Gatehouse%20example:alice%40example\.org\?/);
    await page.fill('#totp-code', totpCode(secret, Date.now()));
    await page.click('#totp-confirm');
    await page.waitForSelector('#recovery-codes li', { timeout: 15_000 });
    expect(await page.locator('#recovery-codes li').count()).toBe(10);

    await page.click('#logout');
    await page.waitForURL(`${origin}/`, { timeout: 15_000 });
    await context.clearCookies();
    await sendSignInForm(page);
    await page.waitForSelector('#code-form:not([hidden])', { timeout: 15_000 });
    // The password alone set no cookie.
    expect((await context.cookies(origin)).filter((c) => c.name === '__Host-gatehouse')).toEqual([]);

    // The confirming code is spent; the app's next code (accepted one step either side) signs in.
    await page.fill('#code', totpCode(secret, Date.now() + 30_000));
    await page.click('#code-form button[type=submit]');
    await page.waitForURL(`${origin}/app.html`, { timeout: 15_000 });
    await page.waitForFunction(`${textOf('#greeting')} === 'Signed in as alice@example.org'`, undefined, { timeout: 15_000 });
    const [cookie] = (await context.cookies(origin)).filter((c) => c.name === '__Host-gatehouse');
    expect(cookie).toMatchObject({ httpOnly: true, secure: true });
  }, 90_000);
});
