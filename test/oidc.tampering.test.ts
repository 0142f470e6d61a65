/**
 * Every way a sign-in through a provider can be tampered with is refused, against a real
 * provider (node-oidc-provider): state, the transaction cookie (replayed, missing, expired),
 * the PKCE verifier, the code replayed, `iss` (RFC 9207 mix-up), and an ID token with another
 * nonce, another audience, an expiry in the past or `alg: none`; and a `returnTo` off this
 * site. Nothing is issued in any of these cases. A token forged with every check right is
 * accepted, which shows the forged tokens are refused for the one thing changed.
 */
import express from 'express';
import { gatehouse, MemoryStore, type AuditEvent } from '../src';
import { realNow } from './helpers/clock';
import { Browser, CLIENT_SECRET, COOKIE_SECRET, startServerAndProvider, stopServerAndProvider, type ServerAndProvider, type Visit } from './helpers/oidc';

let server: ServerAndProvider['server'];
let provider: ServerAndProvider['provider'];
let callbackPrefix: string;
let store: MemoryStore;
let aliceId: string;
let clock = realNow();
let shift = 0;
let events: AuditEvent[] = [];

beforeAll(async () => {
  ({ server, provider, callbackPrefix } = await startServerAndProvider());
});
afterAll(() => stopServerAndProvider({ server, provider, callbackPrefix }));
beforeEach(async () => {
  store = new MemoryStore({ passwordCost: 10 });
  aliceId = (await store.addUser({ login: 'alice@example.org', password: 'correct horse battery' })).id;
  await store.linkIdentity({ issuer: provider.issuer, subject: 'alice', actorId: aliceId, linkedAt: Date.now() });
  shift = 0;
  clock = realNow();
  events = [];
  const auth = gatehouse({
    store,
    cookie: { secret: COOKIE_SECRET, secure: false },
    login: { credentials: 'cookie' },
    now: () => Date.now() + shift,
    onEvent: (event) => {
      events.push(event);
    },
    oidc: { providers: { test: { issuer: provider.issuer, clientId: 'gatehouse', clientSecret: CLIENT_SECRET, redirectUri: callbackPrefix } } },
  });
  const app = express();
  app.use('/v1', auth.routes());
  server.serve(app);
});

/** Starts a sign-in in `browser`; resolves to the provider URL and the nonce it carries. */
async function begin(browser: Browser): Promise<{ authorize: string; nonce: string; state: string }> {
  const answer = await browser.visit(`${server.origin}/v1/oidc/test/start`);
  const url = new URL(answer.location!);
  return { authorize: url.href, nonce: url.searchParams.get('nonce')!, state: url.searchParams.get('state')! };
}

/** The callback URL with one query parameter changed (`null`: removed). */
function withParam(callback: string, name: string, value: string | null): string {
  const url = new URL(callback);
  if (value === null) url.searchParams.delete(name);
  else url.searchParams.set(name, value);
  return url.href;
}

/** Asserts a refusal with `code` and that nothing was issued. */
async function expectRefused(answer: Visit, status: number, code: string): Promise<void> {
  expect({ status: answer.status, code: (JSON.parse(answer.body) as { code: string }).code }).toEqual({ status, code });
  expect(await store.listTokens(aliceId)).toEqual([]);
  expect(events.filter((event) => event.type === 'token.issued')).toEqual([]);
  expect(events.filter((event) => event.type === 'credential.refused')).toEqual([expect.objectContaining({ scheme: null, actorId: null, code })]);
}

/** A well-formed ID token for alice with every check right, as the provider would sign it. */
function idTokenClaims(nonce: string): Record<string, unknown> {
  const now = Math.floor(clock / 1000);
  return { iss: provider.issuer, sub: 'alice', aud: 'gatehouse', iat: now, exp: now + 300, auth_time: now, nonce };
}

describe('a sign-in through a provider, tampered with', () => {
  it('should accept a token forged with every check right (the tampering below is what is refused)', async () => {
    const browser = new Browser();
    const { authorize, nonce } = await begin(browser);
    const callback = await browser.signInAtProvider(authorize, 'alice', { callbackPrefix });
    await provider.tamperNextIdToken(provider.signIdToken(idTokenClaims(nonce)));
    expect((await browser.visit(callback)).status).toBe(303);
    expect(await store.listTokens(aliceId)).toHaveLength(1);
  });

  it('should refuse another state with 401.2', async () => {
    const browser = new Browser();
    const callback = await browser.signInAtProvider(`${server.origin}/v1/oidc/test/start`, 'alice', { callbackPrefix });
    await expectRefused(await browser.visit(withParam(callback, 'state', 'x'.repeat(43))), 401, '401.2');
  });

  it('should refuse a callback in a browser that did not start the sign-in (code injection) with 401.2', async () => {
    const callback = await new Browser().signInAtProvider(`${server.origin}/v1/oidc/test/start`, 'alice', { callbackPrefix });
    await expectRefused(await new Browser().visit(callback), 401, '401.2');
  });

  it('should refuse the same transaction cookie twice with 401.2', async () => {
    const browser = new Browser();
    const callback = await browser.signInAtProvider(`${server.origin}/v1/oidc/test/start`, 'alice', { callbackPrefix });
    const sealed = browser.cookie(server.origin, 'gatehouse-oidc')!;
    expect((await browser.visit(callback)).status).toBe(303);
    await store.deleteTokensForActor(aliceId);
    events = [];
    const replay = new Browser();
    replay.setCookie(server.origin, 'gatehouse-oidc', sealed);
    await expectRefused(await replay.visit(callback), 401, '401.2');
  });

  it("should refuse another browser's code under its own state (PKCE verifier) with 401.2", async () => {
    const victim = await new Browser().signInAtProvider(`${server.origin}/v1/oidc/test/start`, 'alice', { callbackPrefix });
    const attacker = new Browser();
    const { state } = await begin(attacker);
    await expectRefused(await attacker.visit(withParam(victim, 'state', state)), 401, '401.2');
  });

  it('should refuse a code used once already, under a fresh transaction, with 401.2', async () => {
    const browser = new Browser();
    const callback = await browser.signInAtProvider(`${server.origin}/v1/oidc/test/start`, 'alice', { callbackPrefix });
    expect((await browser.visit(callback)).status).toBe(303);
    await store.deleteTokensForActor(aliceId);
    events = [];
    // Same browser, a new transaction (its own state and verifier), the old code.
    const { state } = await begin(browser);
    await expectRefused(await browser.visit(withParam(callback, 'state', state)), 401, '401.2');
  });

  it.each([
    ['another issuer', 'https://evil.example'],
    ['no issuer', null],
  ])('should refuse a callback naming %s in iss (RFC 9207) with 401.2', async (_, iss) => {
    const browser = new Browser();
    const callback = await browser.signInAtProvider(`${server.origin}/v1/oidc/test/start`, 'alice', { callbackPrefix });
    expect(new URL(callback).searchParams.get('iss')).toBe(provider.issuer);
    await expectRefused(await browser.visit(withParam(callback, 'iss', iss)), 401, '401.2');
  });

  it.each([
    ['another nonce', (claims: Record<string, unknown>) => ({ ...claims, nonce: 'n'.repeat(43) })],
    ['another audience', (claims: Record<string, unknown>) => ({ ...claims, aud: 'another-client' })],
    ['an expiry in the past', (claims: Record<string, unknown>) => ({ ...claims, iat: (claims.iat as number) - 3600, exp: (claims.iat as number) - 1800 })],
    ['another issuer', (claims: Record<string, unknown>) => ({ ...claims, iss: 'https://evil.example' })],
  ])('should refuse an ID token with %s with 401.2', async (_, change) => {
    const browser = new Browser();
    const { authorize, nonce } = await begin(browser);
    const callback = await browser.signInAtProvider(authorize, 'alice', { callbackPrefix });
    await provider.tamperNextIdToken(provider.signIdToken(change(idTokenClaims(nonce))));
    await expectRefused(await browser.visit(callback), 401, '401.2');
  });

  it('should refuse an unsigned ID token (alg: none) with 401.2', async () => {
    const browser = new Browser();
    const { authorize, nonce } = await begin(browser);
    const callback = await browser.signInAtProvider(authorize, 'alice', { callbackPrefix });
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    await provider.tamperNextIdToken(`${encode({ alg: 'none', typ: 'JWT' })}.${encode(idTokenClaims(nonce))}.`);
    await expectRefused(await browser.visit(callback), 401, '401.2');
  });

  it('should refuse a sign-in denied at the provider with 401.2', async () => {
    const browser = new Browser();
    const callback = await browser.denyAtProvider(`${server.origin}/v1/oidc/test/start`, callbackPrefix);
    expect(new URL(callback).searchParams.get('error')).toBe('access_denied');
    await expectRefused(await browser.visit(callback), 401, '401.2');
  });

  it('should refuse a transaction older than transactionTtl (10 minutes) with 401.2', async () => {
    const browser = new Browser();
    const callback = await browser.signInAtProvider(`${server.origin}/v1/oidc/test/start`, 'alice', { callbackPrefix });
    shift = 10 * 60 * 1000;
    await expectRefused(await browser.visit(callback), 401, '401.2');
  });

  it.each(['//evil.example/x', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)', 'evil', '/\tx', '/%0d%0aLocation: x'])(
    'should refuse returnTo %j with 400.1 and send the browser nowhere',
    async (returnTo) => {
      const answer = await new Browser().visit(`${server.origin}/v1/oidc/test/start?returnTo=${encodeURIComponent(returnTo)}`);
      expect(answer.status).toBe(400);
      expect(answer.location).toBeNull();
      expect(JSON.parse(answer.body)).toMatchObject({ code: '400.1' });
    },
  );
});
