import type { BrowserContext, Page } from 'playwright-core';
import { describeInChromium, signInThroughForm, useCookieAppInChromium } from './helpers/browser';

const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1';

/**
 * The cookie example's "devices" page (`examples/cookie-app/public/devices.html`, on the
 * `selfService` endpoints) in a real browser over HTTPS: a laptop and a phone (two browser
 * contexts, the phone with an iPhone User-Agent) sign in; the laptop's page lists both, marks
 * itself, names the phone by its User-Agent, signs the phone out by its button and then
 * everywhere else; the phone's next request is refused.
 */
describeInChromium('the devices page in a real browser', (executablePath) => {
  const served = useCookieAppInChromium(executablePath);
  let laptop: BrowserContext;
  let phone: BrowserContext;

  beforeAll(async () => {
    laptop = await served.newContext();
    phone = await served.newContext({ userAgent: IPHONE });
  }, 60_000);

  async function signIn(context: BrowserContext): Promise<Page> {
    const page = await context.newPage();
    await signInThroughForm(page, served.origin);
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
