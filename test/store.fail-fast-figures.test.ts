/**
 * The fail-fast figures the README gives, measured: with the stores' `*_FAIL_FAST_OPTIONS`,
 * a request answers 503.1 quickly while the store is cut off (a TCP proxy the test stops),
 * and 200 again soon after the cut ends. The bounds asserted are generous (shared CI cores);
 * the figures measured are printed, and the README quotes a run of them.
 */
import express from 'express';
import request from 'supertest';
import { combineStores, gatehouse, MemoryStore, type TokenStore } from '../src';
import { POSTGRES_FAIL_FAST_OPTIONS } from '../src/store/postgres';
import { withProxiedPostgres, withProxiedRedis } from './helpers/proxied-stores';
import type { TcpProxy } from './helpers/tcp-proxy';

const CUT_MS = 3000;

async function appOver(shared: TokenStore) {
  const users = new MemoryStore({ passwordCost: 10 });
  const alice = await users.addUser({ login: 'alice@example.org', password: 'correct horse battery' });
  const auth = gatehouse({ store: combineStores({ credentials: users, tokens: shared as never }) });
  const app = express();
  app.use(auth.authenticate());
  app.get('/projects', auth.require(), (req, res) => res.json({ id: req.user!.id }));
  const { token } = await auth.tokens.issue({ actorId: alice.id, kind: 'session' });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const agent = request(server);
  const timed = async () => {
    const started = performance.now();
    const res = await agent.get('/projects').set('Authorization', `Bearer ${token}`);
    return { status: res.status, code: res.body.code as string | undefined, ms: performance.now() - started };
  };
  return { timed, close: () => new Promise((resolve) => server.close(resolve)) };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Cuts the proxy for CUT_MS while sending requests one after another, then measures recovery. */
async function measure(shared: TokenStore, proxy: TcpProxy) {
  const app = await appOver(shared);
  try {
    expect((await app.timed()).status).toBe(200);
    await proxy.stop();
    const during: number[] = [];
    const cutEnds = Date.now() + CUT_MS;
    while (Date.now() < cutEnds) {
      const answer = await app.timed();
      expect(answer).toMatchObject({ status: 503, code: '503.1' });
      during.push(answer.ms);
    }
    await proxy.start();
    const restored = performance.now();
    let recovery = Number.NaN;
    while (performance.now() - restored < 10_000) {
      if ((await app.timed()).status === 200) {
        recovery = performance.now() - restored;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const figures = { requests: during.length, medianMs: Math.round(median(during)), maxMs: Math.round(Math.max(...during)), recoveryMs: Math.round(recovery) };
    console.log(`fail-fast figures: ${JSON.stringify(figures)}`);
    return figures;
  } finally {
    await app.close();
  }
}

describe('fail-fast figures with the *_FAIL_FAST_OPTIONS (a 3 s cut through a TCP proxy)', () => {
  it('RedisStore: 503.1 within about 100 ms during the cut (never past the 1 s command timeout), 200 again within about 100 ms after it', async () => {
    // No client of the test's own: the store makes it, with REDIS_FAIL_FAST_OPTIONS.
    await withProxiedRedis(null, async (store, proxy) => {
      const figures = await measure(store, proxy);
      expect(figures.medianMs).toBeLessThan(400);
      expect(figures.maxMs).toBeLessThan(1500);
      expect(figures.recoveryMs).toBeLessThan(1000);
    });
  });

  it('PostgresStore: 503.1 within milliseconds during the cut (refused connections), 200 again within about 100 ms after it', async () => {
    await withProxiedPostgres({ ...POSTGRES_FAIL_FAST_OPTIONS }, async (store, proxy) => {
      const figures = await measure(store, proxy);
      expect(figures.medianMs).toBeLessThan(400);
      expect(figures.maxMs).toBeLessThan(2500);
      expect(figures.recoveryMs).toBeLessThan(1000);
    });
  });
});
