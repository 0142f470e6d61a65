/**
 * Every exported strategy that can be built without a gatehouse() instance is built here
 * from public exports only and from options shaped as gatehouse() takes them — no resolver
 * call, no `PasswordCheck` wired by hand, no cast — and mounted on a host's own
 * `new passport.Passport()`. What is asserted is what a user of such a host sees.
 *
 * The type checks (each strategy assignable to passport's `Strategy` and accepted by
 * `passport.use()` without a cast; user-shaped options type-checked, so a wrong one does not
 * compile) are compiled by `npm run typecheck`, and by the last test here with tsc itself.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import bcrypt from 'bcrypt';
import express, { type NextFunction, type Request, type Response } from 'express';
import passport, { type Strategy } from 'passport';
import request from 'supertest';
import {
  ApiKeyStrategy,
  CookieStrategy,
  gatehouse,
  HttpsBasicStrategy,
  isGatehouseError,
  JwtStrategy,
  Lockout,
  MemoryStore,
  PasswordCheck,
  PasswordHasher,
  problemDetails,
  resolveApiKeys,
  resolveJwtOptions,
  type Actor,
  type ApiKeyMap,
  type CookieOptions,
  type GatehouseOptions,
  type JwtOptions,
} from '../src/index';

const ROOT = path.resolve(__dirname, '..');
const ALICE_LOGIN = 'alice@example.org';
const ALICE_PASSWORD = 'correct horse battery';

// What a user writes, typed with the option types gatehouse() takes.
const jwtOptions: JwtOptions = { secret: 'a-test-secret-that-is-32-bytes-long!!', issuer: 'https://api.example.org', audience: 'api' };
const cookieOptions: CookieOptions = { secret: 'a-cookie-secret-of-at-least-32-characters' };
const apiKeys: ApiKeyMap = { myapikey1029384756: { role: 'admin' } };

async function storeWithAlice() {
  const store = new MemoryStore({ passwordCost: 10 });
  const alice = await store.addUser({ login: ALICE_LOGIN, password: ALICE_PASSWORD, roles: ['admin'] });
  return { store, alice };
}

/**
 * A host's app: its own Passport, behind a TLS-terminating proxy on loopback. `GET /me` is
 * behind `passport.authenticate(name)` with a callback that answers a refusal with the
 * problem the strategy reported, so the test sees its code (401.3, 403.2).
 */
function hostApp(strategy: Strategy) {
  const authenticator = new passport.Passport();
  authenticator.use(strategy);
  const app = express();
  app.set('trust proxy', 'loopback');
  app.use(express.json());
  app.get('/me', (req: Request, res: Response, next: NextFunction) => {
    authenticator.authenticate(strategy.name!, { session: false }, (error: unknown, user: Actor | false, challenge: unknown) => {
      const problem = error ?? (user ? null : challenge);
      if (problem) {
        if (!isGatehouseError(problem)) return void res.status(error ? 503 : 401).json({ code: null });
        return void res.status(problem.status).json(problemDetails(problem));
      }
      res.json({ user });
    })(req, res, next);
  });
  // passport's own rendering, as `passport.authenticate(name)` is most often written.
  app.get('/plain', authenticator.authenticate(strategy.name!, { session: false }), (req, res) => res.json({ user: req.user }));
  return { app, authenticator };
}

function basicHeader(login: string, password: string): string {
  return `Basic ${Buffer.from(`${login}:${password}`, 'utf8').toString('base64')}`;
}

/** The error a call throws (for comparing what a strategy refuses with what gatehouse() refuses). */
function thrownBy(call: () => unknown): Error {
  try {
    call();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to throw');
}

/** The strategy refuses these options with the very error gatehouse() gives for them. */
function expectSameRefusal(strategy: () => unknown, gatehouseOptions: GatehouseOptions): void {
  const fromGatehouse = thrownBy(() => gatehouse(gatehouseOptions));
  const fromStrategy = thrownBy(strategy);
  expect(fromStrategy.constructor).toBe(fromGatehouse.constructor);
  expect(fromStrategy.message).toBe(fromGatehouse.message);
  // Whatever the error carries besides its message (a code, the option it names) is the same too.
  expect({ ...fromStrategy }).toEqual({ ...fromGatehouse });
}

describe('JwtStrategy built from the jwt options of gatehouse()', () => {
  /** Alice's access token, issued by a gatehouse() instance with the same options and store. */
  async function issued() {
    const { store, alice } = await storeWithAlice();
    const auth = gatehouse({ store, jwt: jwtOptions });
    const issuer = express();
    issuer.use(auth.routes());
    const res = await request(issuer).post('/jwt/authenticate').send({ login: ALICE_LOGIN, password: ALICE_PASSWORD });
    expect(res.status).toBe(200);
    return { store, alice, auth, access: res.body.access as string };
  }

  it('should authorize a valid token (200, req.user) and refuse a bad one (401)', async () => {
    const { store, alice, access } = await issued();
    const { app } = hostApp(new JwtStrategy({ jwt: jwtOptions, store }));
    const ok = await request(app).get('/plain').set('Authorization', `Bearer ${access}`);
    expect(ok.status).toBe(200);
    expect(ok.body.user).toMatchObject({ id: alice.id, roles: ['admin'] });
    const tampered = `${access.slice(0, -4)}AAAA`;
    const bad = await request(app).get('/me').set('Authorization', `Bearer ${tampered}`);
    expect(bad.status).toBe(401);
    expect(bad.body.code).toBe('401.2');
    expect((await request(app).get('/plain')).status).toBe(401);
  });

  it('should refuse a token revoked through the shared store (tokens.revokeAll), as gatehouse() does', async () => {
    const { store, alice, auth, access } = await issued();
    const { app } = hostApp(new JwtStrategy({ jwt: jwtOptions, store }));
    expect((await request(app).get('/me').set('Authorization', `Bearer ${access}`)).status).toBe(200);
    await auth.tokens.revokeAll(alice.id);
    const res = await request(app).get('/me').set('Authorization', `Bearer ${access}`);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('401.2');
  });

  it('should refuse a token ended by logout through the shared store', async () => {
    const { store, auth, access } = await issued();
    const issuer = express();
    issuer.use(auth.routes());
    issuer.use(auth.authenticate());
    expect((await request(issuer).delete('/sessions/current').set('Authorization', `Bearer ${access}`)).status).toBe(200);
    const { app } = hostApp(new JwtStrategy({ jwt: jwtOptions, store }));
    expect((await request(app).get('/me').set('Authorization', `Bearer ${access}`)).status).toBe(401);
  });

  it('should validate the options as gatehouse() does, with the same error', () => {
    const store = new MemoryStore();
    expectSameRefusal(() => new JwtStrategy({ jwt: { secret: 'too short' }, store }), { store, jwt: { secret: 'too short' } });
    expectSameRefusal(() => new JwtStrategy({ jwt: {}, store }), { store, jwt: {} });
    expectSameRefusal(
      () => new JwtStrategy({ jwt: { ...jwtOptions, algorithms: ['none' as never] }, store }),
      { store, jwt: { ...jwtOptions, algorithms: ['none' as never] } },
    );
  });

  it('should still take what resolveJwtOptions returned, and only that: a copy of it is validated as options', async () => {
    const { store, alice, access } = await issued();
    const resolved = resolveJwtOptions(jwtOptions);
    if (!resolved) throw new Error('jwt options resolved to off');
    const { app } = hostApp(new JwtStrategy({ jwt: resolved, store }));
    const res = await request(app).get('/me').set('Authorization', `Bearer ${access}`);
    expect(res.body.user.id).toBe(alice.id);
    // Told apart by identity, not by shape: an object that looks resolved is not taken on trust.
    const lookalike = { ...resolved };
    expectSameRefusal(() => new JwtStrategy({ jwt: lookalike, store }), { store, jwt: lookalike as JwtOptions });
  });
});

describe('HttpsBasicStrategy built from a store and the passwords, lockout and basic.cache options', () => {
  it('should authorize the right password over HTTPS (200, req.user) and refuse a wrong one (401.2)', async () => {
    const { store, alice } = await storeWithAlice();
    const { app } = hostApp(new HttpsBasicStrategy({ store, passwords: { cost: 10 } }));
    const ok = await request(app).get('/plain').set('X-Forwarded-Proto', 'https').set('Authorization', basicHeader(ALICE_LOGIN, ALICE_PASSWORD));
    expect(ok.status).toBe(200);
    expect(ok.body.user).toMatchObject({ id: alice.id, roles: ['admin'] });
    const wrong = await request(app).get('/me').set('X-Forwarded-Proto', 'https').set('Authorization', basicHeader(ALICE_LOGIN, 'wrong password'));
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('401.2');
  });

  it('should refuse Basic over plain HTTP with 401.3, even with the right password', async () => {
    const { store } = await storeWithAlice();
    const { app } = hostApp(new HttpsBasicStrategy({ store, passwords: { cost: 10 } }));
    const res = await request(app).get('/me').set('Authorization', basicHeader(ALICE_LOGIN, ALICE_PASSWORD));
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('401.3');
  });

  it('should lock the login after 5 failures (lockout on by default): then 403.2, even with the right password', async () => {
    const { store } = await storeWithAlice();
    const { app } = hostApp(new HttpsBasicStrategy({ store, passwords: { cost: 10 } }));
    const send = (password: string) => request(app).get('/me').set('X-Forwarded-Proto', 'https').set('Authorization', basicHeader(ALICE_LOGIN, password));
    for (let attempt = 1; attempt <= 5; attempt += 1) expect((await send(`wrong ${attempt}`)).body.code).toBe('401.2');
    const locked = await send(ALICE_PASSWORD);
    expect(locked.status).toBe(403);
    expect(locked.body.code).toBe('403.2');
  });

  it('should follow the lockout options: maxAttempts, and false to turn it off', async () => {
    const three = await storeWithAlice();
    const strict = hostApp(new HttpsBasicStrategy({ store: three.store, passwords: { cost: 10 }, lockout: { maxAttempts: 3 } })).app;
    const off = await storeWithAlice();
    const unlocked = hostApp(new HttpsBasicStrategy({ store: off.store, passwords: { cost: 10 }, lockout: false })).app;
    for (const [app, expected] of [[strict, '403.2'], [unlocked, undefined]] as const) {
      const send = (password: string) => request(app).get('/me').set('X-Forwarded-Proto', 'https').set('Authorization', basicHeader(ALICE_LOGIN, password));
      for (let attempt = 1; attempt <= 3; attempt += 1) await send('wrong');
      const after = await send(ALICE_PASSWORD);
      expect(after.body.code).toBe(expected);
      if (!expected) expect(after.status).toBe(200);
    }
  });

  it('should remember a successful check (basic.cache, on by default) unless cache: false', async () => {
    const compare = jest.spyOn(bcrypt, 'compare');
    try {
      for (const [cache, checks] of [[undefined, 1], [false, 2]] as const) {
        compare.mockClear();
        const { store } = await storeWithAlice();
        const { app } = hostApp(new HttpsBasicStrategy({ store, passwords: { cost: 10 }, cache }));
        for (let i = 0; i < 2; i += 1) {
          const res = await request(app).get('/me').set('X-Forwarded-Proto', 'https').set('Authorization', basicHeader(ALICE_LOGIN, ALICE_PASSWORD));
          expect(res.status).toBe(200);
        }
        expect(compare).toHaveBeenCalledTimes(checks);
      }
    } finally {
      compare.mockRestore();
    }
  });

  it('should expose its PasswordCheck, so the host’s login route shares one lockout counter with Basic', async () => {
    const { store, alice } = await storeWithAlice();
    const basic = new HttpsBasicStrategy({ store, passwords: { cost: 10 } });
    expect(basic.passwordCheck).toBeInstanceOf(PasswordCheck);
    const { app } = hostApp(basic);
    app.post('/login', async (req, res) => {
      try {
        const { actor } = await basic.passwordCheck.check({ login: req.body.login, password: req.body.password, clientIp: req.ip });
        res.json({ id: actor.id });
      } catch (error) {
        res.status(isGatehouseError(error) ? error.status : 503).json(isGatehouseError(error) ? problemDetails(error) : {});
      }
    });
    expect((await request(app).post('/login').send({ login: ALICE_LOGIN, password: ALICE_PASSWORD })).body).toEqual({ id: alice.id });
    for (let attempt = 1; attempt <= 5; attempt += 1) await request(app).post('/login').send({ login: ALICE_LOGIN, password: 'wrong' });
    const res = await request(app).get('/me').set('X-Forwarded-Proto', 'https').set('Authorization', basicHeader(ALICE_LOGIN, ALICE_PASSWORD));
    expect(res.body.code).toBe('403.2');
  });

  it('should still take a PasswordCheck built from the exported classes, but not one together with store options', async () => {
    const { store, alice } = await storeWithAlice();
    const passwordCheck = new PasswordCheck({ store, hasher: new PasswordHasher({ cost: 10 }), lockout: new Lockout({ store }) });
    const { app } = hostApp(new HttpsBasicStrategy({ passwordCheck }));
    const res = await request(app).get('/me').set('X-Forwarded-Proto', 'https').set('Authorization', basicHeader(ALICE_LOGIN, ALICE_PASSWORD));
    expect(res.body.user.id).toBe(alice.id);
    expect(() => new HttpsBasicStrategy({ passwordCheck, lockout: false })).toThrow(/either \{ passwordCheck \}/);
  });

  it('should validate passwords, lockout and cache as gatehouse() does, with the same error', async () => {
    const { store } = await storeWithAlice();
    expectSameRefusal(() => new HttpsBasicStrategy({ store, passwords: { cost: 4 } }), { store, passwords: { cost: 4 } });
    expectSameRefusal(() => new HttpsBasicStrategy({ store, lockout: { maxAttempts: 0 } }), { store, lockout: { maxAttempts: 0 } });
    expectSameRefusal(() => new HttpsBasicStrategy({ store, cache: { ttl: -1 } }), { store, basic: { cache: { ttl: -1 } } });
  });
});

describe('CookieStrategy built from the cookie options of gatehouse()', () => {
  /** The host's own login and logout routes, on the sessions the strategy exposes. */
  async function cookieHost() {
    const { store, alice } = await storeWithAlice();
    const cookie = new CookieStrategy({ cookie: cookieOptions, store });
    const { app } = hostApp(cookie);
    const passwordCheck = new PasswordCheck({ store, hasher: new PasswordHasher({ cost: 10 }), lockout: new Lockout({ store }) });
    app.post('/login', async (req, res) => {
      const { actor } = await passwordCheck.check({ login: req.body.login, password: req.body.password, clientIp: req.ip });
      res.json({ csrf: await cookie.sessions.establish(req, res, actor.id) });
    });
    app.post('/logout', async (req, res) => {
      await cookie.sessions.end(req, res);
      res.json({ ended: true });
    });
    return { store, alice, app };
  }

  function cookieOf(res: request.Response): string {
    const line = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((l) => l.startsWith('__Host-gatehouse='));
    if (!line) throw new Error('no session cookie');
    return line.split(';')[0];
  }

  it('should authorize after the host’s login establishes a session, and refuse after its logout ends it', async () => {
    const { app, alice } = await cookieHost();
    expect((await request(app).get('/me').set('X-Forwarded-Proto', 'https')).status).toBe(401);
    const login = await request(app).post('/login').set('X-Forwarded-Proto', 'https').send({ login: ALICE_LOGIN, password: ALICE_PASSWORD });
    expect(login.status).toBe(200);
    expect(login.body.csrf).toEqual(expect.any(String));
    const session = cookieOf(login);

    const me = await request(app).get('/me').set('X-Forwarded-Proto', 'https').set('Cookie', session);
    expect(me.status).toBe(200);
    expect(me.body.user.id).toBe(alice.id);

    const logout = await request(app).post('/logout').set('X-Forwarded-Proto', 'https').set('Cookie', session);
    // Ending the session clears the cookie.
    expect(logout.status).toBe(200);
    expect(([] as string[]).concat(logout.headers['set-cookie'] ?? []).join('\n')).toMatch(/__Host-gatehouse=;/);
    const after = await request(app).get('/me').set('X-Forwarded-Proto', 'https').set('Cookie', session);
    expect(after.status).toBe(401);
  });

  it('should refuse the cookie over plain HTTP (401.3) while cookie.secure is on (the default)', async () => {
    const { app } = await cookieHost();
    const login = await request(app).post('/login').set('X-Forwarded-Proto', 'https').send({ login: ALICE_LOGIN, password: ALICE_PASSWORD });
    const res = await request(app).get('/me').set('Cookie', cookieOf(login));
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('401.3');
  });

  it('should end its sessions on tokens.revokeAll of a gatehouse() instance sharing the store', async () => {
    const { app, store, alice } = await cookieHost();
    const login = await request(app).post('/login').set('X-Forwarded-Proto', 'https').send({ login: ALICE_LOGIN, password: ALICE_PASSWORD });
    const session = cookieOf(login);
    expect((await request(app).get('/me').set('X-Forwarded-Proto', 'https').set('Cookie', session)).status).toBe(200);
    await gatehouse({ store, cookie: cookieOptions }).tokens.revokeAll(alice.id);
    expect((await request(app).get('/me').set('X-Forwarded-Proto', 'https').set('Cookie', session)).status).toBe(401);
  });

  it('should validate the options as gatehouse() does, with the same error', () => {
    const store = new MemoryStore();
    expectSameRefusal(() => new CookieStrategy({ cookie: { secret: 'short' }, store }), { store, cookie: { secret: 'short' } });
    expectSameRefusal(
      () => new CookieStrategy({ cookie: { ...cookieOptions, sameSite: 'none' }, store }),
      { store, cookie: { ...cookieOptions, sameSite: 'none' } },
    );
  });
});

describe('ApiKeyStrategy built from the apiKeys map of gatehouse()', () => {
  it('should authorize a configured key (200, req.user with its role) and refuse another (401)', async () => {
    const { app } = hostApp(new ApiKeyStrategy({ keys: apiKeys }));
    const ok = await request(app).get('/plain').set('Authorization', 'ApiKey myapikey1029384756');
    expect(ok.status).toBe(200);
    expect(ok.body.user).toMatchObject({ kind: 'apiKey', roles: ['admin'] });
    const bad = await request(app).get('/me').set('Authorization', 'ApiKey notmyapikey1029384756');
    expect(bad.status).toBe(401);
    expect(bad.body.code).toBe('401.2');
  });

  it('should still take what resolveApiKeys returned', async () => {
    const { app } = hostApp(new ApiKeyStrategy({ keys: resolveApiKeys(apiKeys) }));
    expect((await request(app).get('/me?apikey=myapikey1029384756')).status).toBe(200);
  });

  it('should validate the map as gatehouse() does, with the same error', () => {
    const store = new MemoryStore();
    expectSameRefusal(() => new ApiKeyStrategy({ keys: { tooshort: { role: 'admin' } } }), { store, apiKeys: { tooshort: { role: 'admin' } } });
    expectSameRefusal(() => new ApiKeyStrategy({ keys: { myapikey1029384756: { roles: 'admin' as never } } }), { store, apiKeys: { myapikey1029384756: { roles: 'admin' as never } } });
  });
});

describe('types: the strategies are passport Strategies, built without casts', () => {
  // Compiled, not run: `npm run typecheck`, and the tsc run below, fail if a cast were needed.
  function typeChecks(store: MemoryStore): Strategy[] {
    const host = new passport.Passport();
    const strategies = [
      new JwtStrategy({ jwt: { secret: 'a-test-secret-that-is-32-bytes-long!!' }, store }),
      new HttpsBasicStrategy({ store, passwords: { cost: 12 }, lockout: { maxAttempts: 5 }, cache: { ttl: 30_000 } }),
      new CookieStrategy({ cookie: { secret: 'a-cookie-secret-of-at-least-32-characters', sameSite: 'strict' }, store }),
      new ApiKeyStrategy({ keys: { myapikey1029384756: { role: 'admin' } } }),
    ];
    for (const strategy of strategies) host.use(strategy);
    host.use(new JwtStrategy({ jwt: { secret: 'a-test-secret-that-is-32-bytes-long!!' }, store }));
    // @ts-expect-error a jwt option of the wrong type is a compile error, as in gatehouse()
    new JwtStrategy({ jwt: { secret: 42 }, store });
    // @ts-expect-error so is an unknown lockout option
    new HttpsBasicStrategy({ store, lockout: { attempts: 5 } });
    // @ts-expect-error and an api key entry of the wrong shape
    new ApiKeyStrategy({ keys: { myapikey1029384756: { role: ['admin'] } } });
    // @ts-expect-error the cookie options need their secret
    new CookieStrategy({ cookie: { sameSite: 'strict' }, store });
    return strategies;
  }

  it('should hold for each strategy (checked by tsc, run here on this file)', () => {
    expect(typeof typeChecks).toBe('function');
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const flags = [
      '--noEmit', '--strict', '--noImplicitOverride', '--esModuleInterop', '--skipLibCheck', '--isolatedModules', '--resolveJsonModule',
      '--target', 'ES2022', '--module', 'commonjs', '--moduleResolution', 'node10', '--lib', 'ES2022', '--types', 'node,jest', '--pretty', 'false',
    ];
    let output = '';
    try {
      execFileSync(process.execPath, [tsc, ...flags, __filename], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      const failure = error as { stdout?: string; stderr?: string };
      output = `${failure.stdout ?? ''}${failure.stderr ?? ''}` || String(error);
    }
    expect(output).toBe('');
  }, 120_000);
});
