/**
 * Every exported strategy, used alone with a host's own passport, fails a request that
 * presents no credential of its kind (401, the handler never runs) — as passport-http-bearer
 * does — and lets it through anonymously only when told `optional: true`.
 */
import express from 'express';
import passport, { type Strategy } from 'passport';
import request from 'supertest';
import { ApiKeyStrategy, AppUserUrlStrategy, CookieSessions, CookieStrategy, gatehouse, HttpsBasicStrategy, JwtStrategy, MemoryStore, resolveApiKeys, resolveCookieOptions, resolveJwtOptions, SessionTokenStrategy, type ResolvedJwtOptions } from '../src';
import { PasswordHasher } from '../src/passwords/hasher';
import { PasswordCheck } from '../src/passwords/password-check';
import { guardStore } from '../src/store/guard';
import { COOKIE_SECRET } from './helpers/cookie';
import { JWT_OPTIONS } from './helpers/jwt';

async function fixtures() {
  const store = new MemoryStore({ passwordCost: 10 });
  const alice = await store.addUser({ login: 'alice@example.org', password: 'correct horse battery', roles: ['admin'] });
  const auth = gatehouse({ store });
  const cookieOptions = resolveCookieOptions({ secret: COOKIE_SECRET });
  if (!cookieOptions) throw new Error('cookie options resolved to off');
  const guarded = guardStore(store, 1000);
  return { store, alice, auth, cookieOptions, guarded };
}

type Fixtures = Awaited<ReturnType<typeof fixtures>>;

/** Each exported strategy, built as the README shows, by its registered name. */
const STRATEGIES: Record<string, (f: Fixtures, optional?: boolean) => Strategy> = {
  sessionToken: (f, optional) => new SessionTokenStrategy({ tokens: f.auth.tokens, optional }) as unknown as Strategy,
  jwt: (f, optional) => new JwtStrategy({ jwt: resolveJwtOptions(JWT_OPTIONS) as ResolvedJwtOptions, store: f.store, optional }) as unknown as Strategy,
  apiKey: (_f, optional) => new ApiKeyStrategy({ keys: resolveApiKeys({ myapikey1029384756: { role: 'admin' } }), optional }),
  appUserUrl: (f, optional) => new AppUserUrlStrategy({ tokens: f.auth.tokens, optional }),
  basic: (f) => new HttpsBasicStrategy({ passwordCheck: new PasswordCheck({ store: f.store, hasher: new PasswordHasher({ cost: 10 }), lockout: false }) }) as unknown as Strategy,
  cookie: (f) => new CookieStrategy({ sessions: new CookieSessions({ options: f.cookieOptions, store: f.guarded }), store: f.store }),
};

function ownPassportApp(strategy: Strategy, routeOptions: Record<string, unknown> = {}) {
  const authenticator = new passport.Authenticator();
  authenticator.use(strategy);
  const app = express();
  app.set('trust proxy', 'loopback');
  let handlerRan = false;
  app.get('/me', authenticator.authenticate(strategy.name!, { session: false, ...routeOptions }), (req, res) => {
    handlerRan = true;
    res.json({ user: req.user ?? null });
  });
  return { app, handlerRan: () => handlerRan };
}

describe('exported strategies used alone with a host’s own passport', () => {
  it.each(Object.keys(STRATEGIES))('%s: should not authorize a request without its credential — 401, the handler never runs', async (name) => {
    const strategy = STRATEGIES[name](await fixtures());
    expect(strategy.name).toBe(name);
    const { app, handlerRan } = ownPassportApp(strategy);
    const res = await request(app).get('/me').set('X-Forwarded-Proto', 'https');
    expect(res.status).toBe(401);
    expect(handlerRan()).toBe(false);
  });

  it.each(['sessionToken', 'jwt'])('%s: the 401 carries a Bearer challenge (RFC 6750 §3), as passport-http-bearer’s does', async (name) => {
    const { app } = ownPassportApp(STRATEGIES[name](await fixtures()));
    const res = await request(app).get('/me');
    expect(res.headers['www-authenticate']).toBe('Bearer realm="api"');
  });

  it.each(['sessionToken', 'jwt', 'apiKey', 'appUserUrl'])('%s: with optional: true, a request without the credential goes on anonymously', async (name) => {
    const { app, handlerRan } = ownPassportApp(STRATEGIES[name](await fixtures(), true));
    const res = await request(app).get('/me');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ user: null });
    expect(handlerRan()).toBe(true);
  });

  it('optional may also be given per route: passport.authenticate(name, { optional: true })', async () => {
    const { app } = ownPassportApp(STRATEGIES.sessionToken(await fixtures()), { optional: true });
    expect((await request(app).get('/me')).status).toBe(200);
  });

  it('optional does not weaken a presented credential: a bad token is still 401', async () => {
    const { app, handlerRan } = ownPassportApp(STRATEGIES.sessionToken(await fixtures(), true));
    const res = await request(app).get('/me').set('Authorization', 'Bearer gths_not-a-real-token');
    expect(res.status).toBe(401);
    expect(handlerRan()).toBe(false);
  });

  it('a valid credential still authorizes (sessionToken)', async () => {
    const f = await fixtures();
    const { token } = await f.auth.tokens.issue({ actorId: f.alice.id, kind: 'personal' });
    const { app } = ownPassportApp(STRATEGIES.sessionToken(f));
    const res = await request(app).get('/me').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(res.body.user.id).toBe(f.alice.id);
  });
});
