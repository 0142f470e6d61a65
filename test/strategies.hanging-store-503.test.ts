/**
 * Every exported strategy used alone, over a store that never answers, fails closed: the
 * request ends with GatehouseError 503.1 once the store timeout passes, as it does behind
 * `auth.authenticate()`. The host's error handler renders what the strategy reported.
 */
import { sign } from 'cookie-signature';
import express, { type NextFunction, type Request, type Response } from 'express';
import passport, { type Strategy } from 'passport';
import request from 'supertest';
import {
  ApiKeyStrategy,
  AppUserUrlStrategy,
  CookieStrategy,
  gatehouse,
  HttpsBasicStrategy,
  isGatehouseError,
  JwtStrategy,
  resolveApiKeys,
  resolveJwtOptions,
  SessionTokenStrategy,
  type GatehouseStore,
  type ResolvedJwtOptions,
} from '../src';
import { STORE_METHODS } from '../src/store/methods';
import { generateToken } from '../src/tokens/format';
import { realNow } from './helpers/clock';
import { COOKIE_SECRET } from './helpers/cookie';
import { forge, JWT_OPTIONS, localClaims } from './helpers/jwt';

/** A store every method of which returns a promise that never settles, like a database that stopped answering. */
function neverAnsweringStore(): GatehouseStore {
  const store: Record<string, () => Promise<never>> = {};
  for (const method of STORE_METHODS) store[method] = () => new Promise<never>(() => undefined);
  return store as unknown as GatehouseStore;
}

/** Small enough that a hung call ends well inside the test's own timeout. */
const STORE_TIMEOUT = 50;
const API_KEY = 'myapikey1029384756';

interface Case {
  strategy: (store: GatehouseStore) => Strategy;
  /** The request presenting a well-formed credential of the strategy's kind, so it reaches the store. */
  send: (test: request.Test) => request.Test;
  path?: string;
}

const CASES: Record<string, Case> = {
  sessionToken: {
    strategy: (store) => new SessionTokenStrategy({ tokens: gatehouse({ store, storeTimeout: STORE_TIMEOUT }).tokens }) as unknown as Strategy,
    send: (test) => test.set('Authorization', `Bearer ${generateToken('session')}`),
  },
  appUserUrl: {
    strategy: (store) => new AppUserUrlStrategy({ tokens: gatehouse({ store, storeTimeout: STORE_TIMEOUT }).tokens }),
    send: (test) => test,
    path: `/key/${generateToken('appUser')}/me`,
  },
  apiKey: {
    strategy: (store) => new ApiKeyStrategy({ keys: resolveApiKeys({ [API_KEY]: { actorId: 'u1' } }), store, storeTimeout: STORE_TIMEOUT }),
    send: (test) => test.set('Authorization', `ApiKey ${API_KEY}`),
  },
  basic: {
    strategy: (store) => new HttpsBasicStrategy({ store, storeTimeout: STORE_TIMEOUT, lockout: false, cache: false }) as unknown as Strategy,
    send: (test) => test.set('X-Forwarded-Proto', 'https').auth('alice@example.org', 'correct horse battery'),
  },
  jwt: {
    strategy: (store) =>
      new JwtStrategy({ jwt: resolveJwtOptions(JWT_OPTIONS) as ResolvedJwtOptions, store, storeTimeout: STORE_TIMEOUT }) as unknown as Strategy,
    send: (test) => test.set('Authorization', `Bearer ${forge(localClaims('u1', Math.floor(realNow() / 1000)))}`),
  },
  cookie: {
    strategy: (store) => new CookieStrategy({ cookie: { secret: COOKIE_SECRET }, store, storeTimeout: STORE_TIMEOUT }),
    send: (test) => test.set('X-Forwarded-Proto', 'https').set('Cookie', `__Host-gatehouse=${encodeURIComponent(`s:${sign('a-session-id', COOKIE_SECRET)}`)}`),
  },
};

function ownPassportApp(strategy: Strategy, path: string) {
  const authenticator = new passport.Authenticator();
  authenticator.use(strategy);
  const app = express();
  app.set('trust proxy', 'loopback');
  app.get(path, authenticator.authenticate(strategy.name!, { session: false }), (_req, res) => res.json({ user: 'let through' }));
  // The host's error handler: a GatehouseError carries its status and problem code.
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (isGatehouseError(error)) res.status(error.status).json({ code: error.code });
    else res.status(500).json({ code: 'not a GatehouseError' });
  });
  return app;
}

describe('exported strategies used alone over a store that never answers', () => {
  it.each(Object.keys(CASES))('%s: answers 503.1 once the store timeout passes, never hangs, never lets the request through', async (name) => {
    const { strategy, send, path = '/me' } = CASES[name];
    const built = strategy(neverAnsweringStore());
    expect(built.name).toBe(name);
    const app = ownPassportApp(built, name === 'appUserUrl' ? '/key/:token/me' : path);
    // A bound on the request itself, far above the store timeout: without the guard the request
    // would hang, and this ends it (closing its server) so the test fails instead of hanging.
    const res = await send(request(app).get(path).timeout({ response: 10_000 }));
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ code: '503.1' });
  });
});
