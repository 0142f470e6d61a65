/**
 * A native app's code (RFC 8252, `oidc.appRedirects`) whose provider session the provider ends
 * before the app trades it. The callback hands the app a code and issues nothing; up to 60
 * seconds later the app trades it. A back-channel logout arriving in between finds no
 * credential of that provider session to end, so it records the ended session in the store,
 * and the trade refuses the code on every instance: over one RedisStore or PostgresStore, two
 * instances, the logout posted to one and the code traded on the other, by `sid` and by `sub`
 * alone. The refusal is 401.2 as for any other unusable code, and nothing is issued. A code of
 * another provider session (or subject) still trades; a credential traded before the logout is
 * ended by it, as before; a sign-in made after the logout, into the same provider session,
 * trades. A logout that runs while a trade is between its read of the store and the write of
 * its credential ends that credential too (the trade reads again once it has stored it), for a
 * session token and a JWT pair. The order is driven by awaiting each step and, for that race,
 * by an explicit gate; no test sleeps.
 */
import { createHash, randomBytes } from 'node:crypto';
import express from 'express';
import request from 'supertest';
import { gatehouse, MemoryStore, type AuditEvent, type GatehouseStore } from '../src';
import { LOGOUT_TOKEN_CLOCK_SKEW } from '../src/oidc/logout-token';
import { hashSecret } from '../src/tokens/format';
import { useBackends, type BackendName } from './helpers/backends';
import { realNow } from './helpers/clock';
import { Browser, CLIENT_SECRET, JWT_SECRET, listening, startProviderWith, type TestProvider } from './helpers/oidc';
import { runId } from './helpers/services';

const OIDC_SECRET = 'an-oidc-secret-both-instances-share-for-sealing';
const APP_REDIRECT = 'com.example.app:/oauth2redirect';
const LOGOUT_EVENT = { 'http://schemas.openid.net/event/backchannel-logout': {} };
const SHARED_BACKENDS = ['RedisStore', 'PostgresStore'] as const satisfies readonly BackendName[];
/** The provider's people: each test signs in people of its own, so no test's logout by `sub` reaches another test's codes. */
const PEOPLE = Array.from({ length: 24 }, (_, index) => `person-${index + 1}`);

type Server = Awaited<ReturnType<typeof listening>>;

/** One server per shared store (the instance the provider's redirect reaches), all known to the one provider. */
const servers: Partial<Record<BackendName, Server>> = {};
let provider: TestProvider;

beforeAll(async () => {
  for (const name of SHARED_BACKENDS) servers[name] = await listening();
  const origins = SHARED_BACKENDS.map((name) => servers[name]!.origin);
  provider = await startProviderWith(
    [
      {
        client_id: 'gatehouse',
        client_secret: CLIENT_SECRET,
        redirect_uris: origins.map((origin) => `${origin}/v1/oidc/test/callback`),
        require_auth_time: true,
        // The provider then puts `sid` in its ID tokens.
        backchannel_logout_uri: `${origins[0]}/v1/oidc/test/backchannel-logout`,
        backchannel_logout_session_required: true,
      },
    ],
    Object.fromEntries(PEOPLE.map((sub) => [sub, { email: `${sub}@example.org`, email_verified: true }])),
  );
});
afterAll(async () => {
  await provider?.stop();
  await Promise.all(Object.values(servers).map((server) => server.close()));
});

/** A PKCE verifier and its S256 challenge, as the app makes them. */
function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** A logout token signed by the provider, issued at `issuedAt` (ms), with `claims` (`sub`, `sid` or both). */
function logoutToken(claims: { sub?: string; sid?: string }, issuedAt: number): string {
  const iat = Math.floor(issuedAt / 1000);
  return provider.signIdToken({ iss: provider.issuer, aud: 'gatehouse', iat, exp: iat + 120, jti: `jti-${runId()}`, events: LOGOUT_EVENT, ...claims });
}

describe.each(SHARED_BACKENDS)('a back-channel logout between the callback and the code trade, two instances over %s', (backend) => {
  const backends = useBackends(`oidc-native-bcl-${backend}`);
  const server = () => servers[backend]!;
  let users: MemoryStore;
  /** Instance 0 is the one the provider's redirect reaches; both share the store. */
  let instances: express.Express[];
  let stores: GatehouseStore[];
  let events: AuditEvent[] = [];
  let shift = 0;
  let nextPerson = 0;
  const now = () => realNow() + shift;

  function instance(store: GatehouseStore): express.Express {
    const auth = gatehouse({
      store,
      jwt: { secret: JWT_SECRET },
      now,
      onEvent: (event) => {
        events.push(event);
      },
      oidc: {
        secret: OIDC_SECRET,
        appRedirects: [APP_REDIRECT],
        providers: { test: { issuer: provider.issuer, clientId: 'gatehouse', clientSecret: CLIENT_SECRET, redirectUri: `${server().origin}/v1/oidc/test/callback` } },
      },
    });
    const app = express();
    app.use('/v1', auth.routes());
    app.use('/v1', auth.authenticate());
    app.get('/v1/me', auth.require(), (req, res) => res.json({ id: req.user!.id }));
    return app;
  }

  beforeAll(async () => {
    users = new MemoryStore({ passwordCost: 10 });
    stores = [backends.storeFor(backend, users), backends.storeFor(backend, users)];
    instances = stores.map((store) => instance(store));
    server().serve(instances[0]);
  });
  beforeEach(() => {
    shift = 0;
    events = [];
  });

  /** A person of this test: a subject at the provider, linked to an actor of its own. */
  async function person(): Promise<{ sub: string; actorId: string }> {
    const sub = PEOPLE[nextPerson++];
    const actorId = (await users.addUser({ login: `${sub}@example.org` })).id;
    await users.linkIdentity({ issuer: provider.issuer, subject: sub, actorId, linkedAt: Date.now() });
    return { sub, actorId };
  }

  /** Signs `sub` in at the provider in `browser` for the app: the code the callback sends the app (nothing is issued yet), and the app's verifier. */
  async function codeFor(browser: Browser, sub: string, credentials: 'token' | 'jwt' = 'token'): Promise<{ code: string; verifier: string }> {
    const { verifier, challenge } = pkce();
    const start = `${server().origin}/v1/oidc/test/start?${new URLSearchParams({ credentials, appRedirect: APP_REDIRECT, codeChallenge: challenge })}`;
    const callback = await browser.signInAtProvider(start, sub, { callbackPrefix: `${server().origin}/v1/oidc/test/callback` });
    const answer = await browser.visit(callback);
    expect(answer.status).toBe(303);
    return { code: new URL(answer.location!).searchParams.get('code')!, verifier };
  }

  /** The provider session (`sid`) of a session token, as its stored record keeps it. */
  async function sidOf(token: string): Promise<string> {
    const record = await stores[1].findToken(hashSecret(token));
    const sid = (record?.data as { identityProvider?: { sid?: unknown } } | undefined)?.identityProvider?.sid;
    if (typeof sid !== 'string') throw new Error('the session token records no provider session');
    return sid;
  }

  const trade = (on: number, body: { code: string; verifier: string }) => request(instances[on]).post('/v1/oidc/token').send({ code: body.code, codeVerifier: body.verifier });
  const logout = (on: number, claims: { sub?: string; sid?: string }, issuedAt = now()) =>
    request(instances[on]).post('/v1/oidc/test/backchannel-logout').type('form').send({ logout_token: logoutToken(claims, issuedAt) });
  const me = async (token: string) => Promise.all(instances.map(async (app) => (await request(app).get('/v1/me').set('Authorization', `Bearer ${token}`)).status));

  /** The app's token of a code traded now (the code must trade). */
  async function traded(on: number, code: { code: string; verifier: string }): Promise<string> {
    const answer = await trade(on, code);
    expect(answer.status).toBe(200);
    return answer.body.token as string;
  }

  /** Trades `code` on instance `on` and expects it refused: 401.2 as any unusable code, reported as a refused credential, and nothing issued to `actorId`. */
  async function expectRefusedTrade(on: number, code: { code: string; verifier: string }, actorId: string): Promise<void> {
    const before = events.length;
    const answer = await trade(on, code);
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ code: '401.2' });
    // Reported as a refused credential; no `token.issued`.
    expect(events.slice(before)).toEqual([expect.objectContaining({ type: 'credential.refused', code: '401.2', scheme: null })]);
    expect(await stores[on].listTokens!(actorId)).toEqual([]);
  }

  describe.each([
    [0, 1],
    [1, 0],
  ])('the logout posted to instance %i, the code traded on instance %i', (logoutOn, tradeOn) => {
    it('should refuse a code whose provider session was logged out by sid alone, and trade a code of another provider session of the same person', async () => {
      const { sub, actorId } = await person();
      const ended = new Browser();
      // The provider session's sid, learnt from a token it handed out: the app's code then comes from the same session.
      const earlier = await traded(tradeOn, await codeFor(ended, sub));
      const sid = await sidOf(earlier);
      const code = await codeFor(ended, sub);
      const other = await codeFor(new Browser(), sub);

      expect((await logout(logoutOn, { sid })).status).toBe(200);
      expect(await me(earlier)).toEqual([401, 401]);

      await expectRefusedTrade(tradeOn, code, actorId);
      // The code is refused for good, on either instance.
      await expectRefusedTrade(logoutOn, code, actorId);
      const otherToken = await traded(tradeOn, other);
      expect(await sidOf(otherToken)).not.toBe(sid);
      expect(await me(otherToken)).toEqual([200, 200]);
    });

    it('should refuse a code whose subject was logged out by sub alone, and trade a code of another person', async () => {
      const [alice, bob] = [await person(), await person()];
      const code = await codeFor(new Browser(), alice.sub);
      const bobs = await codeFor(new Browser(), bob.sub);

      expect((await logout(logoutOn, { sub: alice.sub })).status).toBe(200);

      await expectRefusedTrade(tradeOn, code, alice.actorId);
      expect(await me(await traded(tradeOn, bobs))).toEqual([200, 200]);
    });

    it.each([
      ['sid', false],
      ['sub', true],
    ])('should end, as before, a credential traded before a logout by %s', async (_claim, bySub) => {
      const { sub } = await person();
      const token = await traded(tradeOn, await codeFor(new Browser(), sub));
      expect(await me(token)).toEqual([200, 200]);
      expect((await logout(logoutOn, bySub ? { sub } : { sid: await sidOf(token) })).status).toBe(200);
      expect(await me(token)).toEqual([401, 401]);
    });

    it.each([
      ['sid', false],
      ['sub', true],
    ])('should trade the code of a sign-in into the same provider session made after a logout by %s', async (_claim, bySub) => {
      const { sub } = await person();
      const browser = new Browser();
      const earlier = await traded(tradeOn, await codeFor(browser, sub));
      const sid = await sidOf(earlier);
      expect((await logout(logoutOn, bySub ? { sub } : { sid })).status).toBe(200);
      expect(await me(earlier)).toEqual([401, 401]);

      // Later than the logout token's iat plus the clock skew allowed, the browser, still signed
      // in at the provider, signs in again: the same provider session, a new sign-in.
      shift = LOGOUT_TOKEN_CLOCK_SKEW + 1000;
      const later = await traded(tradeOn, await codeFor(browser, sub));
      expect(await sidOf(later)).toBe(sid);
      expect(await me(later)).toEqual([200, 200]);
    });
  });

  /**
   * The narrow race: the trade reads the store (no logout yet), the whole logout runs (records
   * the ended session, lists the credentials to end: none yet), then the trade stores its
   * token. The trade asks again once its token is stored, finds the logout, ends the token and
   * refuses the code. An explicit gate holds the trade between its first read and its write.
   */
  it.each([
    ['sid', 'token', false],
    ['sub', 'token', true],
    ['sid', 'jwt', false],
  ] as const)('should end the credential of a trade that read the store just before a logout by %s and stored it (a %s) after the logout listed', async (_claim, credentials, bySub) => {
    const { sub, actorId } = await person();
    const browser = new Browser();
    const sid = await sidOf(await traded(1, await codeFor(browser, sub)));
    const code = await codeFor(browser, sub, credentials);
    let held = false;
    let reached!: () => void;
    const firstReadDone = new Promise<void>((resolve) => (reached = resolve));
    let release!: () => void;
    const logoutDone = new Promise<void>((resolve) => (release = resolve));
    const gated = instance(
      backends.storeFor(backend, users, (tokens) => ({
        ...tokens,
        findRevocations: async (...args: unknown[]) => {
          const keys = args[0] as string[];
          const found = await tokens.findRevocations(keys);
          // The trade's first read of the ended sessions: answered, then held until the logout has run.
          if (!held && keys.some((key) => key.startsWith('oidc-ended-session:'))) {
            held = true;
            reached();
            await logoutDone;
          }
          return found;
        },
      })),
    );

    const tradeAnswer = request(gated).post('/v1/oidc/token').send({ code: code.code, codeVerifier: code.verifier }).then((answer) => answer);
    await firstReadDone;
    expect((await logout(0, bySub ? { sub } : { sid })).status).toBe(200);
    release();
    const answer = await tradeAnswer;

    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ code: '401.2' });
    expect(answer.body).not.toHaveProperty('token');
    expect(answer.body).not.toHaveProperty('access');
    expect(answer.body).not.toHaveProperty('refresh');
    expect(await stores[1].listTokens!(actorId)).toEqual([]);
  });

  it('should fail closed (503.1) and end the stored token when the store fails on the second read, after the token was stored', async () => {
    const { sub, actorId } = await person();
    const code = await codeFor(new Browser(), sub);
    let reads = 0;
    const failing = instance(
      backends.storeFor(backend, users, (tokens) => ({
        ...tokens,
        findRevocations: (...args: unknown[]) => ((args[0] as string[]).some((key) => key.startsWith('oidc-ended-session:')) && ++reads === 2 ? Promise.reject(new Error('store down')) : tokens.findRevocations(...args)),
      })),
    );
    const answer = await request(failing).post('/v1/oidc/token').send({ code: code.code, codeVerifier: code.verifier });
    expect(reads).toBe(2);
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ code: '503.1' });
    expect(answer.body.token).toBeUndefined();
    expect(await stores[1].listTokens!(actorId)).toEqual([]);
  });

  it('should fail closed (503.1) when the store cannot tell whether the provider session ended, and leave the code unused', async () => {
    const { sub } = await person();
    const code = await codeFor(new Browser(), sub);
    const failing = instance(backends.storeFor(backend, users, (tokens) => ({ ...tokens, findRevocations: () => Promise.reject(new Error('store down')) })));
    const answer = await request(failing).post('/v1/oidc/token').send({ code: code.code, codeVerifier: code.verifier });
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ code: '503.1' });
    expect(await me(await traded(1, code))).toEqual([200, 200]);
  });
});
