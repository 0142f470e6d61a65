/**
 * Sign-in through a real OpenID provider (node-oidc-provider in a child process): the start
 * endpoint sends the browser there with state, nonce and PKCE S256; the callback ends in
 * Gatehouse's own credentials, as `login.credentials` (or `credentials=`) says.
 */
import express from 'express';
import request from 'supertest';
import { gatehouse, MemoryStore, type GatehouseOptions } from '../src';
import { Browser, CLIENT_SECRET, COOKIE_SECRET, JWT_SECRET, startServerAndProvider, stopServerAndProvider, type ServerAndProvider } from './helpers/oidc';

let server: ServerAndProvider['server'];
let provider: ServerAndProvider['provider'];
let callbackPrefix: string;

beforeAll(async () => {
  ({ server, provider, callbackPrefix } = await startServerAndProvider());
});
afterAll(() => stopServerAndProvider({ server, provider, callbackPrefix }));

async function appWith(options: Partial<GatehouseOptions> = {}) {
  const store = new MemoryStore({ passwordCost: 10 });
  const alice = await store.addUser({ login: 'alice@example.org', password: 'correct horse battery', roles: ['admin'] });
  await store.linkIdentity({ issuer: provider.issuer, subject: 'alice', actorId: alice.id, linkedAt: Date.now() });
  const events: Array<{ type: string }> = [];
  const auth = gatehouse({
    store,
    cookie: { secret: COOKIE_SECRET, secure: false },
    jwt: { secret: JWT_SECRET },
    oidc: { providers: { test: { issuer: provider.issuer, clientId: 'gatehouse', clientSecret: CLIENT_SECRET, redirectUri: callbackPrefix } } },
    onEvent: (event) => {
      events.push(event);
    },
    ...options,
  });
  const app = express();
  app.use('/v1', auth.routes());
  app.use('/v1', auth.authenticate());
  app.get('/v1/me', auth.require(), (req, res) => res.json({ id: req.user!.id, scheme: req.authInfo!.scheme }));
  app.get('/v1/single', auth.require({ acr: 'single' }), (req, res) => res.json({ amr: req.authInfo!.amr, acr: req.authInfo!.acr }));
  app.get('/v1/proof', auth.require({ acr: 'mfa', maxAge: '10m' }), (req, res) =>
    res.json({ authTime: req.authInfo!.authTime!.toISOString(), amr: req.authInfo!.amr, acr: req.authInfo!.acr }),
  );
  server.serve(app);
  return { store, alice, auth, app, events };
}

describe('signing in through an OpenID provider', () => {
  it('should hand out a session cookie and send the browser to returnTo (credentials: cookie)', async () => {
    const { alice, store } = await appWith({ login: { credentials: 'cookie' } });
    const browser = new Browser();
    const callback = await browser.signInAtProvider(`${server.origin}/v1/oidc/test/start?returnTo=/projects/7?tab=forms`, 'alice', { callbackPrefix });
    const answer = await browser.visit(callback);
    expect(answer.status).toBe(303);
    expect(answer.location).toBe(`${server.origin}/projects/7?tab=forms`);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const me = await browser.visit(`${server.origin}/v1/me`);
    expect(me.status).toBe(200);
    expect(JSON.parse(me.body)).toEqual({ id: alice.id, scheme: 'cookie' });
    // The cookie session records the provider's session, for its back-channel logout.
    const [record] = await store.listTokens(alice.id);
    expect(record.kind).toBe('cookie');
    expect((record.data as { gatehouse: { identityProvider: unknown } }).gatehouse.identityProvider).toEqual({ issuer: provider.issuer, sid: expect.any(String) });
  });

  it('should answer an opaque session token when asked (credentials=token)', async () => {
    const { alice, app, store } = await appWith();
    const browser = new Browser();
    const callback = await browser.signInAtProvider(`${server.origin}/v1/oidc/test/start?credentials=token`, 'alice', { callbackPrefix });
    const answer = await browser.visit(callback);
    expect(answer.status).toBe(200);
    const body = JSON.parse(answer.body) as { token: string; expiresAt: string };
    expect(body.token).toMatch(/^gths_/);
    expect(browser.cookie(server.origin, 'gatehouse')).toBeUndefined();
    const me = await request(app).get('/v1/me').set('Authorization', `Bearer ${body.token}`);
    expect(me.body).toEqual({ id: alice.id, scheme: 'sessionToken' });
    const [record] = await store.listTokens(alice.id);
    expect(record.data).toEqual({ provenAt: expect.any(Number), amr: ['pwd'], identityProvider: { issuer: provider.issuer, sid: expect.any(String) } });
  });

  it('should answer a JWT pair when asked (credentials=jwt)', async () => {
    const { alice, app } = await appWith();
    const browser = new Browser();
    const callback = await browser.signInAtProvider(`${server.origin}/v1/oidc/test/start?credentials=jwt`, 'alice', { callbackPrefix });
    const answer = await browser.visit(callback);
    expect(answer.status).toBe(200);
    const body = JSON.parse(answer.body) as { access: string; refresh: string };
    const me = await request(app).get('/v1/me').set('Authorization', `Bearer ${body.access}`);
    expect(me.body).toEqual({ id: alice.id, scheme: 'jwt' });
  });

  it("should hand out both as one session with login.credentials: 'token+cookie'", async () => {
    const { alice, app } = await appWith({ login: { credentials: 'token+cookie' } });
    const browser = new Browser();
    const callback = await browser.signInAtProvider(`${server.origin}/v1/oidc/test/start`, 'alice', { callbackPrefix });
    const answer = await browser.visit(callback);
    expect(answer.status).toBe(200);
    const { token } = JSON.parse(answer.body) as { token: string };
    expect(JSON.parse((await browser.visit(`${server.origin}/v1/me`)).body)).toEqual({ id: alice.id, scheme: 'cookie' });
    // Ending the token ends the cookie: one login, one session.
    await request(app).delete('/v1/sessions/current').set('Authorization', `Bearer ${token}`).expect(200);
    expect((await browser.visit(`${server.origin}/v1/me`)).status).toBe(401);
  });

  it('should refuse a credentials value this server does not hand out with 400.1', async () => {
    await appWith({ jwt: false });
    const answer = await new Browser().visit(`${server.origin}/v1/oidc/test/start?credentials=jwt`);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ code: '400.1' });
  });

  it('should answer an unknown provider with 400.1', async () => {
    await appWith();
    const answer = await new Browser().visit(`${server.origin}/v1/oidc/nope/start`);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ code: '400.1' });
  });

  it('should send state, nonce and an S256 PKCE challenge, and a sealed HttpOnly transaction cookie', async () => {
    await appWith();
    const browser = new Browser();
    const start = await browser.visit(`${server.origin}/v1/oidc/test/start`);
    expect(start.status).toBe(302);
    const to = new URL(start.location!);
    expect(to.origin).toBe(provider.issuer);
    expect(to.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(to.searchParams.get('nonce')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(to.searchParams.get('code_challenge_method')).toBe('S256');
    expect(to.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(to.searchParams.get('redirect_uri')).toBe(callbackPrefix);
    const setCookie = start.headers.getSetCookie().find((line) => line.startsWith('gatehouse-oidc='))!;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).toMatch(/Max-Age=600/);
    // Nothing readable in it: the state and the verifier are sealed.
    expect(setCookie).not.toContain(to.searchParams.get('state'));
  });

  it('should record the provider amr and auth_time on the login (provenAt)', async () => {
    const { alice, store } = await appWith({ login: { credentials: 'cookie' } });
    const browser = new Browser();
    const before = Date.now();
    const callback = await browser.signInAtProvider(`${server.origin}/v1/oidc/test/start`, 'alice', { callbackPrefix, amr: 'pwd,mfa' });
    expect((await browser.visit(callback)).status).toBe(303);
    const [record] = await store.listTokens(alice.id);
    const state = (record.data as { gatehouse: { provenAt: number; amr: string[] } }).gatehouse;
    // auth_time is in whole seconds.
    expect(state.provenAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(state.provenAt).toBeLessThanOrEqual(Date.now());
    expect(state.amr).toEqual(['pwd', 'mfa']);
    // What a route sees: the provider's proof, strong and recent enough for a step-up rule.
    const proof = await browser.visit(`${server.origin}/v1/proof`);
    expect(proof.status).toBe(200);
    expect(JSON.parse(proof.body)).toEqual({ authTime: new Date(state.provenAt).toISOString(), amr: ['pwd', 'mfa'], acr: 'mfa' });
  });

  it("should record an ID token that names no amr (or odd values) as ['ext'], acr 'single': never a guessed password, never a 500", async () => {
    const { alice, app, store } = await appWith();
    for (const amr of ['none', 'mfa x,"q"']) {
      const browser = new Browser();
      const callback = await browser.signInAtProvider(`${server.origin}/v1/oidc/test/start?credentials=token`, 'alice', { callbackPrefix, amr });
      const answer = await browser.visit(callback);
      expect(answer.status).toBe(200);
      const { token } = JSON.parse(answer.body) as { token: string };
      const single = await request(app).get('/v1/single').set('Authorization', `Bearer ${token}`);
      expect(single.status).toBe(200);
      expect(single.body).toEqual({ amr: ['ext'], acr: 'single' });
      const refused = await request(app).get('/v1/proof').set('Authorization', `Bearer ${token}`);
      expect(refused.status).toBe(401);
      expect(refused.body.code).toBe('401.6');
    }
    const records = await store.listTokens(alice.id);
    expect(records.map((record) => (record.data as { amr: string[] }).amr)).toEqual([['ext'], ['ext']]);
  });

  it("should keep a password-only provider sign-in out of a route that wants acr 'mfa' (401.6)", async () => {
    const { app } = await appWith();
    const browser = new Browser();
    const callback = await browser.signInAtProvider(`${server.origin}/v1/oidc/test/start?credentials=token`, 'alice', { callbackPrefix, amr: 'pwd' });
    const { token } = JSON.parse((await browser.visit(callback)).body) as { token: string };
    const answer = await request(app).get('/v1/proof').set('Authorization', `Bearer ${token}`);
    expect(answer.status).toBe(401);
    expect(answer.body.code).toBe('401.6');
  });
});
