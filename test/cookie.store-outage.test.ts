/**
 * A store outage never ends a browser session: while the session cannot be loaded the
 * cookie answers 503.1 (fail closed), and once the store is back the same cookie works
 * again. express-session used to destroy a session it could not load (`unset: 'destroy'`),
 * and the delete reached the store when it came back — logging out every cookie user.
 */
import express from 'express';
import request from 'supertest';
import { combineStores, gatehouse, MemoryStore, type TokenStore } from '../src';
import { ALICE_PASSWORD } from './helpers/app';
import { BACKENDS, useBackends } from './helpers/backends';
import { COOKIE_SECRET, sessionCookie, withCookie } from './helpers/cookie';
import { withProxiedPostgres, withProxiedRedis } from './helpers/proxied-stores';
import type { TcpProxy } from './helpers/tcp-proxy';

async function cookieAppOver(shared: TokenStore) {
  const users = new MemoryStore({ passwordCost: 10 });
  await users.addUser({ login: 'alice@example.org', password: ALICE_PASSWORD });
  const auth = gatehouse({ store: combineStores({ credentials: users, tokens: shared as never }), storeTimeout: 1500, cookie: { secret: COOKIE_SECRET } });
  const app = express();
  app.set('trust proxy', 'loopback');
  app.use('/v1', auth.routes());
  app.use('/v1', auth.authenticate());
  app.get('/v1/projects', auth.require(), (req, res) => res.json({ id: req.user!.id }));
  return app;
}

async function expectSessionSurvivesOutage(shared: TokenStore, proxy: TcpProxy): Promise<void> {
  const app = await cookieAppOver(shared);
  const login = await request(app).post('/v1/sessions').set('X-Forwarded-Proto', 'https').send({ login: 'alice@example.org', password: ALICE_PASSWORD, session: true });
  expect(login.status).toBe(200);
  const { pair } = sessionCookie(login);
  const get = () => withCookie(request(app).get('/v1/projects'), pair);
  expect((await get()).status).toBe(200);

  await proxy.stop();
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const down = await get();
    expect(down.status).toBe(503);
    expect(down.body.code).toBe('503.1');
  }
  // Back right after the last refused request, while whatever that request sent is still
  // queued in the client: a delete queued then would reach the store now.
  await proxy.start();

  // Back: the same cookie works again (at most a few 503s while the client reconnects), never 401.
  const seen: number[] = [];
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const { status } = await get();
    seen.push(status);
    if (status !== 503) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(seen.at(-1)).toBe(200);
  // And it stays: nothing queued during the outage ends it later.
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect((await get()).status).toBe(200);
}

const backends = useBackends('cookie-outage');

describe.each(BACKENDS)('a session that cannot be loaded is not ended (%s)', (backend) => {
  it('should answer 503.1 while reads fail, and not destroy the session: the same cookie works after', async () => {
    const users = new MemoryStore({ passwordCost: 10 });
    await users.addUser({ login: 'alice@example.org', password: ALICE_PASSWORD });
    let readsFail = false;
    const deletes: string[] = [];
    // A partial outage: reads time out while writes still land (or land once the store is back).
    const store = backends.storeFor(backend, users, (tokens) => ({
      ...tokens,
      findToken: async (...args: unknown[]) => {
        if (readsFail) throw new Error('read timed out');
        return tokens.findToken(...args);
      },
      deleteToken: async (...args: unknown[]) => {
        deletes.push(String(args[0]));
        return tokens.deleteToken(...args);
      },
    }));
    const auth = gatehouse({ store, cookie: { secret: COOKIE_SECRET } });
    const app = express();
    app.set('trust proxy', 'loopback');
    app.use('/v1', auth.routes());
    app.use('/v1', auth.authenticate());
    app.get('/v1/projects', auth.require(), (req, res) => res.json({ id: req.user!.id }));
    const login = await request(app).post('/v1/sessions').set('X-Forwarded-Proto', 'https').send({ login: 'alice@example.org', password: ALICE_PASSWORD, session: true });
    const { pair } = sessionCookie(login);
    deletes.length = 0;

    readsFail = true;
    const down = await withCookie(request(app).get('/v1/projects'), pair);
    expect(down.status).toBe(503);
    expect(down.body.code).toBe('503.1');
    readsFail = false;

    expect(deletes).toEqual([]);
    expect((await withCookie(request(app).get('/v1/projects'), pair)).status).toBe(200);
  });
});

describe('a store outage logs no cookie user out', () => {
  it('RedisStore: 503.1 during the outage, the same cookie 200 after it', async () => {
    await withProxiedRedis({ commandTimeout: 500, maxRetriesPerRequest: 1, retryStrategy: () => 100 }, expectSessionSurvivesOutage);
  });

  it('PostgresStore: 503.1 during the outage, the same cookie 200 after it', async () => {
    await withProxiedPostgres({ connectionTimeoutMillis: 1000, max: 4 }, expectSessionSurvivesOutage);
  });
});
