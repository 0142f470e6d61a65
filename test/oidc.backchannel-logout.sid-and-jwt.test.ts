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
import { BACKENDS, useBackends } from './helpers/backends';
import { Browser, instanceApp, instanceOptions, LOGOUT_EVENT, OIDC_SECRET, postLogoutToken, testProviderOn, sidOfToken, signInThrice, statusesOn, useServersAndProvider, type SignedInThrice } from './helpers/oidc';
import { runId } from './helpers/services';


/** Two servers per store, all known to the one provider (its client's redirect URIs). */
const shared = useServersAndProvider({ ...Object.fromEntries(BACKENDS.map((name) => [name, 2])) });
const servers = shared.servers;

describe.each(BACKENDS)('back-channel logout by sid or by sub, JWT pairs included, on two instances over %s', (backend) => {
  const backends = useBackends(`oidc-bcl-${backend}`);
  let stores: GatehouseStore[];
  let origins: string[];

  beforeAll(async () => {
    const users = new MemoryStore({ passwordCost: 10 });
    const aliceId = (await users.addUser({ login: 'alice@example.org' })).id;
    await users.linkIdentity({ issuer: shared.provider.issuer, subject: 'alice', actorId: aliceId, linkedAt: Date.now() });
    stores = [backends.storeFor(backend, users), backends.storeFor(backend, users)];
    origins = servers[backend].map((server) => server.origin);
    servers[backend].forEach((server, index) => {
      const auth = gatehouse(instanceOptions(stores[index], shared.provider, server));
      const app = express();
      app.use('/v1', auth.routes());
      app.use('/v1', auth.authenticate());
      app.get('/v1/me', auth.require(), (req, res) => res.json({ id: req.user!.id, scheme: req.authInfo!.scheme }));
      server.serve(app);
    });
  });

  /** Signs alice in through the provider in `browser` (one provider session) three times on instance A. */
  const signInThriceOnA = (browser: Browser) => signInThrice(browser, origins[0]);

  const sidOf = (token: string) => sidOfToken(stores[1], token);

  /** `GET /v1/me` on both instances with each credential: the statuses, by credential. */
  const statuses = (signedIn: SignedInThrice) => statusesOn(origins, signedIn);

  /** Trades the refresh token on instance B: the status and, when accepted, the new pair. */
  async function refreshOnB(refresh: string): Promise<{ status: number; code?: string; access?: string; refresh?: string }> {
    const answer = await fetch(`${origins[1]}/v1/jwt/refresh`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refresh }) });
    return { status: answer.status, ...((await answer.json()) as { code?: string; access?: string; refresh?: string }) };
  }

  /** Posts a logout token with `claims` (besides iss, aud, iat, exp, jti and the event) to instance B. */
  async function logoutOnB(claims: { sub?: string; sid?: string }): Promise<Response> {
    const now = Math.floor(Date.now() / 1000);
    const logoutToken = shared.provider.signIdToken({ iss: shared.provider.issuer, aud: 'gatehouse', iat: now, exp: now + 120, jti: `jti-${runId()}`, events: LOGOUT_EVENT, ...claims });
    return postLogoutToken(origins[1], logoutToken);
  }

  const LIVE = { cookie: [200, 200], token: [200, 200], access: [200, 200] };
  const ENDED = { cookie: [401, 401], token: [401, 401], access: [401, 401] };

  it("should end every credential of the provider session for a logout token with sid and no sub, and leave another session's", async () => {
    const ended = await signInThriceOnA(new Browser());
    const other = await signInThriceOnA(new Browser());
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
    const ended = await signInThriceOnA(new Browser());
    const other = await signInThriceOnA(new Browser());
    // The family was rotated once on instance B: its newest refresh token carries the provider session too.
    const rotated = await refreshOnB(ended.refresh);
    expect(rotated.status).toBe(200);

    expect((await logoutOnB({ sub: 'alice', sid: await sidOf(ended.token) })).status).toBe(200);

    expect(await statuses({ ...ended, access: rotated.access! })).toEqual(ENDED);
    expect(await refreshOnB(rotated.refresh!)).toMatchObject({ status: 401, code: '401.2' });
    expect(await statuses(other)).toEqual(LIVE);
  });

  it('should end every credential of every provider session of the subject, JWT pairs included, for a logout token with sub and no sid', async () => {
    const first = await signInThriceOnA(new Browser());
    const second = await signInThriceOnA(new Browser());

    expect((await logoutOnB({ sub: 'alice' })).status).toBe(200);

    for (const signedIn of [first, second]) {
      expect(await statuses(signedIn)).toEqual(ENDED);
      expect(await refreshOnB(signedIn.refresh)).toMatchObject({ status: 401, code: '401.2' });
    }
  });

  it('should answer a logout token with neither sub nor sid with 400 and end nothing', async () => {
    const signedIn = await signInThriceOnA(new Browser());
    const answer = await logoutOnB({});
    expect(answer.status).toBe(400);
    expect(await answer.json()).toMatchObject({ code: '400.1' });
    expect(await statuses(signedIn)).toEqual(LIVE);
    expect((await refreshOnB(signedIn.refresh)).status).toBe(200);
  });

  it('should use a logout token once: the same token again ends nothing signed in since', async () => {
    const browser = new Browser();
    const before = await signInThriceOnA(browser);
    const sid = await sidOf(before.token);
    const now = Math.floor(Date.now() / 1000);
    const logoutToken = shared.provider.signIdToken({ iss: shared.provider.issuer, aud: 'gatehouse', iat: now, exp: now + 120, jti: `jti-${runId()}`, events: LOGOUT_EVENT, sid });
    const post = (origin: string) => postLogoutToken(origin, logoutToken);
    expect((await post(origins[1])).status).toBe(200);
    expect(await statuses(before)).toEqual(ENDED);
    // The browser is still signed in at the provider: the same provider session signs in again.
    const after = await signInThriceOnA(browser);
    expect(await sidOf(after.token)).toBe(sid);
    expect((await post(origins[0])).status).toBe(200);
    expect(await statuses(after)).toEqual(LIVE);
  });

  it('should answer a logout token with a sid for a session no sign-in came from with 200 and end nothing', async () => {
    const signedIn = await signInThriceOnA(new Browser());
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
    await users.linkIdentity({ issuer: shared.provider.issuer, subject: 'alice', actorId: aliceId, linkedAt: Date.now() });
    // A host's own token store without saveProviderSession and findProviderSessionActors.
    const store = backends.storeFor('MemoryStore', users, ({ saveProviderSession: _save, findProviderSessionActors: _find, ...tokens }) => tokens);
    const server = servers.MemoryStore[0];
    origin = server.origin;
    const auth = gatehouse({
      store,
      oidc: { secret: OIDC_SECRET, providers: testProviderOn(shared.provider, server) },
    });
    server.serve(instanceApp(auth));
  });

  it('should refuse a logout token without sub with 400 and end nothing, and honour one with sub', async () => {
    const browser = new Browser();
    const callback = await browser.signInAtProvider(`${origin}/v1/oidc/test/start?credentials=token`, 'alice', { callbackPrefix: `${origin}/v1/oidc/test/callback` });
    const { token } = JSON.parse((await browser.visit(callback)).body) as { token: string };
    const me = async () => (await fetch(`${origin}/v1/me`, { headers: { authorization: `Bearer ${token}` } })).status;
    const post = (claims: Record<string, string>) => {
      const now = Math.floor(Date.now() / 1000);
      const logoutToken = shared.provider.signIdToken({ iss: shared.provider.issuer, aud: 'gatehouse', iat: now, exp: now + 120, jti: `jti-${runId()}`, events: LOGOUT_EVENT, ...claims });
      return postLogoutToken(origin, logoutToken);
    };
    const refused = await post({ sid: 'any-session' });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ code: '400.1' });
    expect(await me()).toBe(200);
    expect((await post({ sub: 'alice' })).status).toBe(200);
    expect(await me()).toBe(401);
  });
});
