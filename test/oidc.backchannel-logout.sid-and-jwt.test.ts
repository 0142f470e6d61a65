/**
 * Back-channel logout tokens that name only the provider session (`sid`, no `sub`) or only the
 * subject (`sub`, no `sid`), and JWT pairs handed out by a sign-in through the provider: on two
 * instances over each of the three stores, a logout token posted to instance B ends, on both
 * instances, the cookie session, the session token and the JWT pair (its refresh token and its
 * access token) that sign-ins through that provider session — or, without `sid`, through any
 * session of the subject — handed out on instance A, and leaves another provider session of
 * the same person alone. A logout token with neither claim is 400 and ends nothing; one used
 * before ends nothing more, whichever instance it reaches.
 */
import express from 'express';
import { gatehouse, MemoryStore, type GatehouseStore } from '../src';
import { hashSecret } from '../src/tokens/format';
import { BACKENDS, useBackends } from './helpers/backends';
import { Browser, CLIENT_SECRET, COOKIE_SECRET, JWT_SECRET, listening, providerFor, type TestProvider } from './helpers/oidc';
import { runId } from './helpers/services';

const OIDC_SECRET = 'an-oidc-transaction-secret-shared-by-both-instances';
const LOGOUT_EVENT = { 'http://schemas.openid.net/event/backchannel-logout': {} };

type Server = Awaited<ReturnType<typeof listening>>;

/** Two servers per store, all known to the one provider (its client's redirect URIs). */
const servers: Record<string, Server[]> = {};
let provider: TestProvider;

beforeAll(async () => {
  for (const name of BACKENDS) servers[name] = [await listening(), await listening()];
  provider = await providerFor(Object.values(servers).flat());
});
afterAll(async () => {
  await provider?.stop();
  await Promise.all(Object.values(servers).flat().map((server) => server.close()));
});

describe.each(BACKENDS)('back-channel logout by sid or by sub, JWT pairs included, on two instances over %s', (backend) => {
  const backends = useBackends(`oidc-bcl-${backend}`);
  let stores: GatehouseStore[];
  let origins: string[];

  beforeAll(async () => {
    const users = new MemoryStore({ passwordCost: 10 });
    const aliceId = (await users.addUser({ login: 'alice@example.org' })).id;
    await users.linkIdentity({ issuer: provider.issuer, subject: 'alice', actorId: aliceId, linkedAt: Date.now() });
    stores = [backends.storeFor(backend, users), backends.storeFor(backend, users)];
    origins = servers[backend].map((server) => server.origin);
    servers[backend].forEach((server, index) => {
      const auth = gatehouse({
        store: stores[index],
        cookie: { secret: COOKIE_SECRET, secure: false },
        jwt: { secret: JWT_SECRET },
        oidc: {
          secret: OIDC_SECRET,
          providers: {
            test: { issuer: provider.issuer, clientId: 'gatehouse', clientSecret: CLIENT_SECRET, redirectUri: `${server.origin}/v1/oidc/test/callback` },
          },
        },
      });
      const app = express();
      app.use('/v1', auth.routes());
      app.use('/v1', auth.authenticate());
      app.get('/v1/me', auth.require(), (req, res) => res.json({ id: req.user!.id, scheme: req.authInfo!.scheme }));
      server.serve(app);
    });
  });

  /** The credentials one provider session hands out on instance A: a cookie session, a session token and a JWT pair. */
  interface SignedIn {
    cookie: string;
    token: string;
    access: string;
    refresh: string;
  }

  /** Signs alice in through the provider in `browser` (one provider session) three times on instance A. */
  async function signInThrice(browser: Browser): Promise<SignedIn> {
    const callback = (credentials: string) =>
      browser.signInAtProvider(`${origins[0]}/v1/oidc/test/start?credentials=${credentials}`, 'alice', { callbackPrefix: `${origins[0]}/v1/oidc/test/callback` });
    expect((await browser.visit(await callback('cookie'))).status).toBe(303);
    const cookie = `gatehouse=${browser.cookie(origins[0], 'gatehouse')}`;
    const { token } = JSON.parse((await browser.visit(await callback('token'))).body) as { token: string };
    const { access, refresh } = JSON.parse((await browser.visit(await callback('jwt'))).body) as { access: string; refresh: string };
    return { cookie, token, access, refresh };
  }

  /** The provider session (`sid`) a session token came from, as its stored record keeps it. */
  async function sidOf(token: string): Promise<string> {
    const record = await stores[1].findToken(hashSecret(token));
    const sid = (record?.data as { identityProvider?: { sid?: unknown } } | undefined)?.identityProvider?.sid;
    if (typeof sid !== 'string') throw new Error('the session token records no provider session');
    return sid;
  }

  /** `GET /v1/me` on both instances with each credential: the statuses, by credential. */
  async function statuses(signedIn: SignedIn): Promise<Record<'cookie' | 'token' | 'access', number[]>> {
    const on = (headers: Record<string, string>) => Promise.all(origins.map(async (origin) => (await fetch(`${origin}/v1/me`, { headers })).status));
    return {
      cookie: await on({ cookie: signedIn.cookie }),
      token: await on({ authorization: `Bearer ${signedIn.token}` }),
      access: await on({ authorization: `Bearer ${signedIn.access}` }),
    };
  }

  /** Trades the refresh token on instance B: the status and, when accepted, the new pair. */
  async function refreshOnB(refresh: string): Promise<{ status: number; code?: string; access?: string; refresh?: string }> {
    const answer = await fetch(`${origins[1]}/v1/jwt/refresh`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refresh }) });
    return { status: answer.status, ...((await answer.json()) as { code?: string; access?: string; refresh?: string }) };
  }

  /** Posts a logout token with `claims` (besides iss, aud, iat, exp, jti and the event) to instance B. */
  async function logoutOnB(claims: { sub?: string; sid?: string }): Promise<Response> {
    const now = Math.floor(Date.now() / 1000);
    const logoutToken = provider.signIdToken({ iss: provider.issuer, aud: 'gatehouse', iat: now, exp: now + 120, jti: `jti-${runId()}`, events: LOGOUT_EVENT, ...claims });
    return fetch(`${origins[1]}/v1/oidc/test/backchannel-logout`, { method: 'POST', body: new URLSearchParams({ logout_token: logoutToken }) });
  }

  const LIVE = { cookie: [200, 200], token: [200, 200], access: [200, 200] };
  const ENDED = { cookie: [401, 401], token: [401, 401], access: [401, 401] };

  it("should end every credential of the provider session for a logout token with sid and no sub, and leave another session's", async () => {
    const ended = await signInThrice(new Browser());
    const other = await signInThrice(new Browser());
    const sid = await sidOf(ended.token);
    expect(await sidOf(other.token)).not.toBe(sid);
    expect(await statuses(ended)).toEqual(LIVE);
    // The family was rotated once on instance B: its successor is found from the provider session too.
    const rotated = await refreshOnB(ended.refresh);
    expect(rotated.status).toBe(200);

    const answer = await logoutOnB({ sid });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');

    expect(await statuses(ended)).toEqual(ENDED);
    expect(await statuses({ ...ended, access: rotated.access! })).toEqual(ENDED);
    expect(await refreshOnB(rotated.refresh!)).toMatchObject({ status: 401, code: '401.2' });
    expect(await statuses(other)).toEqual(LIVE);
    const otherRotated = await refreshOnB(other.refresh);
    expect(otherRotated.status).toBe(200);
    expect((await fetch(`${origins[0]}/v1/me`, { headers: { authorization: `Bearer ${otherRotated.access}` } })).status).toBe(200);
  });

  it('should end the JWT pair of the provider session, rotated or not, for a logout token with sub and sid', async () => {
    const ended = await signInThrice(new Browser());
    const other = await signInThrice(new Browser());
    // The family was rotated once on instance B: its newest refresh token carries the provider session too.
    const rotated = await refreshOnB(ended.refresh);
    expect(rotated.status).toBe(200);

    expect((await logoutOnB({ sub: 'alice', sid: await sidOf(ended.token) })).status).toBe(200);

    expect(await statuses({ ...ended, access: rotated.access! })).toEqual(ENDED);
    expect(await refreshOnB(rotated.refresh!)).toMatchObject({ status: 401, code: '401.2' });
    expect(await statuses(other)).toEqual(LIVE);
  });

  it('should end every credential of every provider session of the subject, JWT pairs included, for a logout token with sub and no sid', async () => {
    const first = await signInThrice(new Browser());
    const second = await signInThrice(new Browser());

    expect((await logoutOnB({ sub: 'alice' })).status).toBe(200);

    for (const signedIn of [first, second]) {
      expect(await statuses(signedIn)).toEqual(ENDED);
      expect(await refreshOnB(signedIn.refresh)).toMatchObject({ status: 401, code: '401.2' });
    }
  });

  it('should answer a logout token with neither sub nor sid with 400 and end nothing', async () => {
    const signedIn = await signInThrice(new Browser());
    const answer = await logoutOnB({});
    expect(answer.status).toBe(400);
    expect(await answer.json()).toMatchObject({ code: '400.1' });
    expect(await statuses(signedIn)).toEqual(LIVE);
    expect((await refreshOnB(signedIn.refresh)).status).toBe(200);
  });

  it('should use a logout token once: the same token again ends nothing signed in since', async () => {
    const browser = new Browser();
    const before = await signInThrice(browser);
    const sid = await sidOf(before.token);
    const now = Math.floor(Date.now() / 1000);
    const logoutToken = provider.signIdToken({ iss: provider.issuer, aud: 'gatehouse', iat: now, exp: now + 120, jti: `jti-${runId()}`, events: LOGOUT_EVENT, sid });
    const post = (origin: string) => fetch(`${origin}/v1/oidc/test/backchannel-logout`, { method: 'POST', body: new URLSearchParams({ logout_token: logoutToken }) });
    expect((await post(origins[1])).status).toBe(200);
    expect(await statuses(before)).toEqual(ENDED);
    // The browser is still signed in at the provider: the same provider session signs in again.
    const after = await signInThrice(browser);
    expect(await sidOf(after.token)).toBe(sid);
    expect((await post(origins[0])).status).toBe(200);
    expect(await statuses(after)).toEqual(LIVE);
  });

  it('should answer a logout token with a sid for a session no sign-in came from with 200 and end nothing', async () => {
    const signedIn = await signInThrice(new Browser());
    expect((await logoutOnB({ sid: `unknown-${runId()}` })).status).toBe(200);
    expect(await statuses(signedIn)).toEqual(LIVE);
  });
});

describe('back-channel logout by sid over a store that keeps no provider sessions', () => {
  const backends = useBackends('oidc-bcl-no-sessions');
  let origin: string;

  beforeAll(async () => {
    const users = new MemoryStore({ passwordCost: 10 });
    const aliceId = (await users.addUser({ login: 'alice@example.org' })).id;
    await users.linkIdentity({ issuer: provider.issuer, subject: 'alice', actorId: aliceId, linkedAt: Date.now() });
    // A host's own token store without saveProviderSession and findProviderSessionActors.
    const store = backends.storeFor('MemoryStore', users, ({ saveProviderSession: _save, findProviderSessionActors: _find, ...tokens }) => tokens);
    const server = servers.MemoryStore[0];
    origin = server.origin;
    const auth = gatehouse({
      store,
      oidc: { secret: OIDC_SECRET, providers: { test: { issuer: provider.issuer, clientId: 'gatehouse', clientSecret: CLIENT_SECRET, redirectUri: `${origin}/v1/oidc/test/callback` } } },
    });
    const app = express();
    app.use('/v1', auth.routes());
    app.use('/v1', auth.authenticate());
    app.get('/v1/me', auth.require(), (req, res) => res.json({ id: req.user!.id }));
    server.serve(app);
  });

  it('should refuse a logout token without sub with 400 and end nothing, and honour one with sub', async () => {
    const browser = new Browser();
    const callback = await browser.signInAtProvider(`${origin}/v1/oidc/test/start?credentials=token`, 'alice', { callbackPrefix: `${origin}/v1/oidc/test/callback` });
    const { token } = JSON.parse((await browser.visit(callback)).body) as { token: string };
    const me = async () => (await fetch(`${origin}/v1/me`, { headers: { authorization: `Bearer ${token}` } })).status;
    const post = (claims: Record<string, string>) => {
      const now = Math.floor(Date.now() / 1000);
      const logoutToken = provider.signIdToken({ iss: provider.issuer, aud: 'gatehouse', iat: now, exp: now + 120, jti: `jti-${runId()}`, events: LOGOUT_EVENT, ...claims });
      return fetch(`${origin}/v1/oidc/test/backchannel-logout`, { method: 'POST', body: new URLSearchParams({ logout_token: logoutToken }) });
    };
    const refused = await post({ sid: 'any-session' });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ code: '400.1' });
    expect(await me()).toBe(200);
    expect((await post({ sub: 'alice' })).status).toBe(200);
    expect(await me()).toBe(401);
  });
});
