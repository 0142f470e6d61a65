import type { BrowserContext } from 'playwright-core';
import { describeInChromium, signInThroughForm, useCookieAppInChromium } from './helpers/browser';

/**
 * The cookie example in a real browser (Debian chromium via playwright-core), over HTTPS
 * with a certificate made here: log in through the form, use the API with the cookie, and
 * have a cross-origin form post refused.
 */
describeInChromium('cookie sessions in a real browser', (executablePath) => {
  const served = useCookieAppInChromium(executablePath);
  let context: BrowserContext;
  let appOrigin: string;
  let attackerOrigin: string;

  beforeAll(async () => {
    appOrigin = served.origin;
    // Another origin (another port) whose page posts a form to the API, as a forged request would.
    const attacker = await served.serveAnotherOrigin((_req, res) => {
      res.setHeader('Content-Type', 'text/html');
      res.end(`<!doctype html><form id="f" method="POST" action="${appOrigin}/v1/notes"><input name="x" value="1"></form><script>document.getElementById('f').submit()</script>`);
    });
    attackerOrigin = attacker.origin;
    context = await served.newContext();
  }, 60_000);

  it('logs in through the form; the cookie is HttpOnly, Secure and unreadable by scripts; a cross-origin form post gets 403.4', async () => {
    const page = await context.newPage();
    await signInThroughForm(page, appOrigin);
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
