/**
 * The provider's logout ends Gatehouse's credentials: RP-initiated logout sends the browser
 * to the provider's end-session endpoint, whose confirmation makes the provider (a real
 * node-oidc-provider) post a back-channel logout token to one instance; every credential that
 * sign-ins through that provider session handed out — a cookie session and a session token,
 * from two instances over one Redis — is refused on both instances from then on, and a
 * credential of another provider session of the same person is not. A forged, replayed or
 * malformed logout token ends nothing.
 */
import express from 'express';
import type { Redis } from 'ioredis';
import { combineStores, gatehouse, MemoryStore, type AuditEvent } from '../src';
import { RedisStore } from '../src/store/redis';
import { Browser, CLIENT_SECRET, COOKIE_SECRET, listening, providerFor, type TestProvider } from './helpers/oidc';
import { connectRedis, deleteRedisKeys, runId } from './helpers/services';

const OIDC_SECRET = 'an-oidc-transaction-secret-shared-by-both-instances';

let servers: Array<Awaited<ReturnType<typeof listening>>>;
let provider: TestProvider;
let clients: Redis[];
let prefix: string;
let users: MemoryStore;
let aliceId: string;
let events: AuditEvent[];
/** Resolves when the back-channel endpoint has answered the provider. */
let backchannelAnswered: () => Promise<number>;

beforeAll(async () => {
  servers = [await listening(), await listening()];
  provider = await providerFor(servers);
  clients = [await connectRedis(), await connectRedis()];
  prefix = `gatehouse-test:oidc-${runId()}:`;
  users = new MemoryStore({ passwordCost: 10 });
  aliceId = (await users.addUser({ login: 'alice@example.org' })).id;
  await users.linkIdentity({ issuer: provider.issuer, subject: 'alice', actorId: aliceId, linkedAt: Date.now() });
  events = [];
  let answered: Array<(status: number) => void> = [];
  backchannelAnswered = () => new Promise((resolve) => answered.push(resolve));
  servers.forEach((server, index) => {
    const auth = gatehouse({
      store: combineStores({ credentials: users, tokens: new RedisStore({ client: clients[index], keyPrefix: prefix }) }),
      cookie: { secret: COOKIE_SECRET, secure: false },
      onEvent: (event) => {
        events.push(event);
      },
      oidc: {
        secret: OIDC_SECRET,
        providers: {
          test: {
            issuer: provider.issuer,
            clientId: 'gatehouse',
            clientSecret: CLIENT_SECRET,
            redirectUri: `${server.origin}/v1/oidc/test/callback`,
            postLogoutRedirectUri: `${server.origin}/signed-out`,
          },
        },
      },
    });
    const app = express();
    app.use('/v1/oidc/test/backchannel-logout', (req, res, next) => {
      res.on('finish', () => {
        const waiting = answered;
        answered = [];
        for (const resolve of waiting) resolve(res.statusCode);
      });
      next();
    });
    app.use('/v1', auth.routes());
    app.use('/v1', auth.authenticate());
    app.get('/v1/me', auth.require(), (req, res) => res.json({ id: req.user!.id, scheme: req.authInfo!.scheme }));
    server.serve(app);
  });
});
afterAll(async () => {
  await provider.stop();
  await Promise.all(servers.map((server) => server.close()));
  await deleteRedisKeys(clients[0], prefix);
  for (const client of clients) client.disconnect();
});

/** `GET /v1/me` on every instance with the cookie header or the token: the statuses. */
async function statusesOn(credential: { cookie?: string; token?: string }): Promise<number[]> {
  return Promise.all(
    servers.map(async (server) => {
      const headers: Record<string, string> = credential.cookie ? { cookie: credential.cookie } : { authorization: `Bearer ${credential.token}` };
      return (await fetch(`${server.origin}/v1/me`, { headers })).status;
    }),
  );
}

/** Signs alice in in `browser` on instance `index`; resolves to the callback's answer. */
async function signIn(browser: Browser, index: number, credentials: 'cookie' | 'token') {
  const origin = servers[index].origin;
  const callback = await browser.signInAtProvider(`${origin}/v1/oidc/test/start?credentials=${credentials}`, 'alice', { callbackPrefix: `${origin}/v1/oidc/test/callback` });
  return browser.visit(callback);
}

describe('the provider logout', () => {
  /** Signs the browser out at the provider, from `endSession`; resolves once the back channel was answered. */
  async function signOutAtProvider(browser: Browser, endSession: URL): Promise<void> {
    const confirmPage = await browser.visit(endSession.href);
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirmPage.body)?.[1];
    const action = /<form[^>]+action="([^"]+)"/.exec(confirmPage.body)?.[1];
    if (!xsrf || !action) throw new Error(`no logout form: ${confirmPage.body.slice(0, 300)}`);
    const answered = backchannelAnswered();
    const confirmed = await browser.visit(new URL(action, endSession).href, { method: 'POST', form: { xsrf, logout: 'yes' } });
    expect(confirmed.status).toBe(303);
    expect(await answered).toBe(200);
  }

  it("should end the cookie session and the token of that provider session on both instances, and leave another session's", async () => {
    const browser = new Browser();
    expect((await signIn(browser, 0, 'cookie')).status).toBe(303);
    const cookie = `gatehouse=${browser.cookie(servers[0].origin, 'gatehouse')}`;
    // The same provider session (the browser is signed in there) hands instance B a token.
    const { token } = JSON.parse((await signIn(browser, 1, 'token')).body) as { token: string };
    // Alice in another browser: another provider session.
    const { token: otherToken } = JSON.parse((await signIn(new Browser(), 1, 'token')).body) as { token: string };
    expect(await statusesOn({ cookie })).toEqual([200, 200]);
    expect(await statusesOn({ token })).toEqual([200, 200]);

    // Alice signs out at the provider; it tells instance A over the back channel.
    await signOutAtProvider(browser, new URL(`${provider.issuer}/session/end?client_id=gatehouse`));

    expect(await statusesOn({ cookie })).toEqual([401, 401]);
    expect(await statusesOn({ token })).toEqual([401, 401]);
    expect(await statusesOn({ token: otherToken })).toEqual([200, 200]);
    expect(events.filter((event) => event.type === 'token.revoked' && event.actorId === aliceId).map((event) => event.scheme).sort()).toEqual(['cookie', 'sessionToken']);
  });

  it("should end the cookie here and send the browser to the provider's end-session endpoint (RP-initiated logout)", async () => {
    const browser = new Browser();
    expect((await signIn(browser, 0, 'cookie')).status).toBe(303);
    const cookie = `gatehouse=${browser.cookie(servers[0].origin, 'gatehouse')}`;
    const logout = await browser.visit(`${servers[0].origin}/v1/oidc/test/logout`, { method: 'POST', headers: { 'sec-fetch-site': 'same-origin' } });
    expect(logout.status).toBe(303);
    const endSession = new URL(logout.location!);
    expect(`${endSession.origin}${endSession.pathname}`).toBe(`${provider.issuer}/session/end`);
    expect(endSession.searchParams.get('client_id')).toBe('gatehouse');
    expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe(`${servers[0].origin}/signed-out`);
    expect(await statusesOn({ cookie })).toEqual([401, 401]);
    await signOutAtProvider(browser, endSession);
  });

  it('should refuse RP-initiated logout from another site with 403.4 and end nothing', async () => {
    const browser = new Browser();
    expect((await signIn(browser, 0, 'cookie')).status).toBe(303);
    const cookie = `gatehouse=${browser.cookie(servers[0].origin, 'gatehouse')}`;
    const logout = await browser.visit(`${servers[0].origin}/v1/oidc/test/logout`, { method: 'POST', headers: { 'sec-fetch-site': 'cross-site' } });
    expect(logout.status).toBe(403);
    expect(JSON.parse(logout.body)).toMatchObject({ code: '403.4' });
    expect(await statusesOn({ cookie })).toEqual([200, 200]);
  });

  it('should end every session of the subject at that provider for a logout token without sid', async () => {
    const browser = new Browser();
    const { token } = JSON.parse((await signIn(browser, 0, 'token')).body) as { token: string };
    const now = Math.floor(Date.now() / 1000);
    const logoutToken = provider.signIdToken({
      iss: provider.issuer,
      aud: 'gatehouse',
      iat: now,
      exp: now + 120,
      jti: `jti-${runId()}`,
      sub: 'alice',
      events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
    });
    const answer = await fetch(`${servers[1].origin}/v1/oidc/test/backchannel-logout`, { method: 'POST', body: new URLSearchParams({ logout_token: logoutToken }) });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(await statusesOn({ token })).toEqual([401, 401]);
  });

  it.each([
    ['a token signed by someone else', 'forged'],
    ['a token with a nonce (an ID token)', 'nonce'],
    ['a token for another client', 'audience'],
    ['a token without the logout event', 'event'],
    ['an expired token', 'expired'],
    ['garbage', 'garbage'],
  ])('should answer %s with 400 and end nothing', async (_, kind) => {
    const browser = new Browser();
    const { token } = JSON.parse((await signIn(browser, 0, 'token')).body) as { token: string };
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = {
      iss: provider.issuer,
      aud: kind === 'audience' ? 'another-client' : 'gatehouse',
      iat: kind === 'expired' ? now - 3600 : now,
      exp: kind === 'expired' ? now - 1800 : now + 120,
      jti: `jti-${runId()}`,
      sub: 'alice',
      ...(kind === 'event' ? {} : { events: { 'http://schemas.openid.net/event/backchannel-logout': {} } }),
      ...(kind === 'nonce' ? { nonce: 'n' } : {}),
    };
    const { generateKeyPairSync } = await import('node:crypto');
    const jwt = await import('jsonwebtoken');
    const logoutToken =
      kind === 'garbage'
        ? 'not.a.token'
        : kind === 'forged'
          ? jwt.default.sign(claims, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, { algorithm: 'RS256', keyid: 'x' })
          : provider.signIdToken(claims);
    const answer = await fetch(`${servers[0].origin}/v1/oidc/test/backchannel-logout`, { method: 'POST', body: new URLSearchParams({ logout_token: logoutToken }) });
    expect(answer.status).toBe(400);
    expect(await answer.json()).toMatchObject({ code: '400.1' });
    expect(await statusesOn({ token })).toEqual([200, 200]);
  });
});
