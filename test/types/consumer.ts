// A TypeScript consumer of the packed package. test/types.resolution-modes.test.ts copies
// this file into each fixture project (test/types/<mode>/) and compiles it with tsc, strict
// and without skipLibCheck. Every `@ts-expect-error` must be an error in every mode, so
// the fixtures cannot pass by resolving to `any`.
import express, { type Request, type Response } from 'express';
import {
  ApiKeyStrategy,
  CookieStrategy,
  gatehouse,
  HttpsBasicStrategy,
  isAuthenticated,
  JwtStrategy,
  MemoryStore,
  PasswordCheck,
  GatehouseError,
  type Actor,
  type AuthenticatedRequest,
  type AuthInfo,
  type GatehouseOptions,
  type SchemeId,
} from 'express-gatehouse';
import { RedisStore, REDIS_FAIL_FAST_OPTIONS } from 'express-gatehouse/redis';
import { PostgresStore, migrate } from 'express-gatehouse/postgres';
import { describeStoreConformance } from 'express-gatehouse/testing';

const options: GatehouseOptions = { store: new MemoryStore(), apiKeys: { myapikey1029384756: { role: 'admin' } } };
const auth = gatehouse(options);
const app = express();
app.use('/v1', auth.routes({ paths: { sessions: '/auth/sessions' } }));
app.use('/v1', auth.authenticate());

// Express.Request carries Gatehouse's actor and auth info without @types/passport.
app.get('/v1/public', (req: Request, res: Response) => {
  const actor: Actor | undefined = req.user;
  const scheme: SchemeId | undefined = req.authInfo?.scheme;
  // @ts-expect-error req.user may be undefined on a route without auth.require()
  res.json({ id: req.user.id, actor, scheme });
});

// Behind auth.require(), .handler() gives the route a request whose user is set.
app.get(
  '/v1/projects',
  auth.require().handler((req, res) => {
    const id: string = req.user.id;
    const roles: string[] = req.user.roles;
    // @ts-expect-error an Actor has no such field typed as a number
    const wrong: number = req.user.id;
    const info: AuthInfo = req.authInfo;
    res.json({ id, roles, wrong, scheme: info.scheme });
  }),
);

// The type guard narrows inside a plain handler.
app.get('/v1/me', auth.require({ roles: ['admin'] }), (req, res) => {
  if (!isAuthenticated(req)) return void res.sendStatus(401);
  const typed: AuthenticatedRequest = req;
  res.json({ id: typed.user.id });
});

// Route params come from the path behind auth.require() (test/types.route-params.test.ts has more).
app.get('/v1/users/:userId', auth.require(), (req, res) => {
  const userId: string = req.params.userId;
  // @ts-expect-error the path declares :userId, not :id
  res.json({ userId, id: req.params.id });
});

// @ts-expect-error an unknown option is a type error as well as a runtime one
auth.require({ role: ['admin'] });

const error: GatehouseError = new GatehouseError('401.2');
// @ts-expect-error problem codes are a closed list
new GatehouseError('499.9');

// The strategies are built from the options gatehouse() takes, without resolvers or casts.
const store = new MemoryStore();
const basic = new HttpsBasicStrategy({ store, passwords: { cost: 12 }, lockout: { maxAttempts: 5 }, cache: { ttl: 30_000 } });
const shared: PasswordCheck = basic.passwordCheck;
const cookie = new CookieStrategy({ cookie: { secret: 'a-cookie-secret-of-at-least-32-characters' }, store });
export const strategies = [
  new JwtStrategy({ jwt: { secret: 'a-jwt-secret-of-at-least-32-bytes-long' }, store }),
  new ApiKeyStrategy({ keys: { myapikey1029384756: { role: 'admin' } } }),
  basic,
  cookie,
  shared,
  cookie.sessions.establish,
];
// @ts-expect-error the jwt options are type-checked as gatehouse()'s are
new JwtStrategy({ jwt: { secret: 42 }, store });

export const stores = [RedisStore, PostgresStore, migrate, describeStoreConformance, REDIS_FAIL_FAST_OPTIONS, error];
