import express from 'express';
import request from 'supertest';
import { combineStores, gatehouse, MemoryStore, type TokenStore } from '../src';
import { withProxiedPostgres, withProxiedRedis } from './helpers/proxied-stores';
import type { TcpProxy } from './helpers/tcp-proxy';

/** Polls until the request answers 200, within a bound; returns the statuses seen. */
async function until200(send: () => Promise<number>, timeoutMs = 10_000): Promise<number[]> {
  const seen: number[] = [];
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const status = await send();
    seen.push(status);
    if (status === 200) return seen;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return seen;
}

/** Serves over `shared` behind `proxy`, cuts the proxy (503.1), restores it (200 again). */
async function expectOutageAndRecovery(shared: TokenStore, proxy: TcpProxy): Promise<void> {
  const { send, get } = await appOver(shared);
  expect(await send()).toBe(200);
  await proxy.stop();
  const down = await get();
  expect(down.status).toBe(503);
  expect(down.body.code).toBe('503.1');
  await proxy.start();
  const seen = await until200(send);
  expect(seen.at(-1)).toBe(200);
  expect(seen.every((status) => status === 200 || status === 503)).toBe(true);
}

async function appOver(shared: TokenStore) {
  const users = new MemoryStore({ passwordCost: 10 });
  const alice = await users.addUser({ login: 'alice@example.org', password: 'correct horse battery' });
  const auth = gatehouse({ store: combineStores({ credentials: users, tokens: shared as never }), storeTimeout: 1500 });
  const app = express();
  app.use(auth.authenticate());
  app.get('/projects', auth.require(), (req, res) => res.json({ id: req.user!.id }));
  const { token } = await auth.tokens.issue({ actorId: alice.id, kind: 'session' });
  const get = () => request(app).get('/projects').set('Authorization', `Bearer ${token}`);
  const send = async () => (await get()).status;
  return { app, token, send, get };
}

describe('store outage: 503.1 while the store is away, 200 again when it is back, no restart', () => {
  it('Redis', async () => {
    await withProxiedRedis({ commandTimeout: 500, maxRetriesPerRequest: 1, retryStrategy: () => 100 }, expectOutageAndRecovery);
  });

  it('PostgreSQL', async () => {
    await withProxiedPostgres({ connectionTimeoutMillis: 1000, max: 4 }, expectOutageAndRecovery);
  });
});
