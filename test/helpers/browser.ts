/**
 * What the real-browser tests (test/*.browser.test.ts) share: finding Chromium (with the
 * CI-fails / otherwise-loud-skip rule), launching it, serving over HTTPS on 127.0.0.1 with
 * a self-signed certificate made here, and signing in through the cookie example's form.
 */
import https from 'node:https';
import type { RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import selfsigned from 'selfsigned';
import { ensureBuilt, ROOT } from './build';

// Shared with scripts/test.js, which reports the skip after the run.
const { findChromium, USUAL_PATHS, INSTALL_HINT } = require(path.join(ROOT, 'scripts', 'find-chromium.js')) as {
  findChromium(): string | null;
  USUAL_PATHS: string[];
  INSTALL_HINT: string;
};

/**
 * `describe(title, ...)` with the Chromium executable, decided at run time: without a browser
 * the block is one test that says so. Under CI a missing browser is a failure (.ci/run installs
 * chromium); elsewhere it is a loud skip naming the install command.
 */
export function describeInChromium(title: string, body: (executablePath: string) => void): void {
  const executablePath = findChromium();
  if (executablePath === null) {
    describe(title, () => {
      it('needs Chromium', () => {
        const message = `no Chromium found (looked at CHROMIUM_PATH, ${USUAL_PATHS.join(', ')}). Install it: ${INSTALL_HINT}.`;
        if (process.env.CI === 'true') throw new Error(`CI=true and ${message}`);
        console.warn(`SKIPPED the real-browser tests: ${message}`);
      });
    });
  } else {
    describe(title, () => body(executablePath));
  }
}

/** Headless Chromium with the flags every browser test uses. */
export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({ executablePath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'], timeout: 30_000 });
}

let certificate: Promise<{ key: string; cert: string }> | undefined;
/** One self-signed certificate for 127.0.0.1 per test file (the browser contexts ignore HTTPS errors). */
function selfSignedFor127(): Promise<{ key: string; cert: string }> {
  certificate ??= selfsigned
    .generate([{ name: 'commonName', value: '127.0.0.1' }], {
      keySize: 2048,
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
    })
    .then((pems) => ({ key: pems.private, cert: pems.cert }));
  return certificate;
}

interface HttpsServing {
  /** `https://127.0.0.1:<port>` */
  origin: string;
  close(): Promise<void>;
}

/** `handler` served over HTTPS on a free port of 127.0.0.1. */
async function serveOverHttps(handler: RequestListener): Promise<HttpsServing> {
  const server = https.createServer(await selfSignedFor127(), handler);
  const origin = await new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`https://127.0.0.1:${(server.address() as AddressInfo).port}`)));
  return { origin, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** The cookie example (examples/cookie-app, built first) over HTTPS, as the browser tests use it. */
async function serveCookieApp(): Promise<HttpsServing> {
  ensureBuilt();
  const { createCookieApp } = require(path.join(ROOT, 'examples', 'cookie-app', 'app.js'));
  const { app } = await createCookieApp({ cookieSecret: 'a-browser-test-cookie-secret-of-32+chars' });
  return serveOverHttps(app);
}

/** The cookie example over HTTPS and Chromium, for the tests of one `describeInChromium` block. */
export interface CookieAppInChromium {
  /** `https://127.0.0.1:<port>` of the example; set once `beforeAll` has started it. */
  origin: string;
  /** A new browser context (HTTPS errors ignored: the certificate is self-signed), closed in `afterAll`. */
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
  /** `handler` served over HTTPS as another origin, closed in `afterAll` once the browser is (its connections ended). */
  serveAnotherOrigin(handler: RequestListener): Promise<HttpsServing>;
}

/** The cookie example served over HTTPS and Chromium launched in `beforeAll`; both closed, with every context, in `afterAll`. */
export function useCookieAppInChromium(executablePath: string): CookieAppInChromium {
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const servers: HttpsServing[] = [];
  const served: CookieAppInChromium = {
    origin: '',
    async newContext(options = {}) {
      if (!browser) throw new Error('Chromium did not start; see the beforeAll error above.');
      const context = await browser.newContext({ ignoreHTTPSErrors: true, ...options });
      contexts.push(context);
      return context;
    },
    async serveAnotherOrigin(handler) {
      const server = await serveOverHttps(handler);
      servers.push(server);
      return server;
    },
  };
  beforeAll(async () => {
    const server = await serveCookieApp();
    servers.push(server);
    served.origin = server.origin;
    browser = await launchChromium(executablePath);
  }, 60_000);
  afterAll(async () => {
    // The browser first: a server closes once the connections the browser keeps alive have ended.
    for (const context of contexts) await context.close();
    await browser?.close();
    await Promise.all(servers.map((server) => server.close()));
  });
  return served;
}

/** The cookie example's sign-in form (its index.html, open in `page`) filled in as alice and sent. */
export async function sendSignInForm(page: Page): Promise<void> {
  await page.fill('#login', 'alice@example.org');
  await page.fill('#password', 'correct horse battery');
  await page.click('#login-form button[type=submit]');
}

/** Alice signed in through the cookie example's form at `origin`: resolves on app.html once it greets her. */
export async function signInThroughForm(page: Page, origin: string): Promise<void> {
  await page.goto(`${origin}/`, { timeout: 15_000 });
  await sendSignInForm(page);
  await page.waitForURL(`${origin}/app.html`, { timeout: 15_000 });
  await page.waitForFunction("document.getElementById('greeting').textContent.startsWith('Signed in as')", undefined, { timeout: 15_000 });
}
