/**
 * The fail-fast figures the README gives, measured: with the stores' `*_FAIL_FAST_OPTIONS`,
 * a request answers 503.1 quickly while the store is cut off (a TCP proxy the test stops),
 * and 200 again soon after the cut ends. The figures are printed (the README quotes a run of
 * them), not asserted: on a busy runner any duration can stretch. What is asserted is why a
 * request is quick, which no load changes: every store call during the cut fails on the
 * refused connection itself (ioredis gives up at the failed reconnection, pg at the refused
 * connect), none by waiting out a timeout.
 */
import express from 'express';
import request from 'supertest';
import { combineStores, gatehouse, MemoryStore, type TokenStore } from '../src';
import { POSTGRES_FAIL_FAST_OPTIONS } from '../src/store/postgres';
import { withProxiedPostgres, withProxiedRedis } from './helpers/proxied-stores';
import { bindAll } from './helpers/backends';
import type { TcpProxy } from './helpers/tcp-proxy';

const CUT_MS = 3000;

/** The store's methods, each recording why it rejected (error name or code) whenever it does. */
function recordingRejections(shared: TokenStore) {
  const rejections: string[] = [];
  const wrapped = Object.fromEntries(
    Object.entries(bindAll(shared)).map(([name, method]) => [
      name,
      (...args: unknown[]) =>
        method(...args).catch((error: Error & { code?: string }) => {
          // A pooled connection the cut closed under a query fails with pg's "Connection
          // terminated" (no code): the cut itself, not a timeout.
          rejections.push(error.code ?? (/^Connection terminated/.test(error.message) ? 'terminated' : error.name));
          throw error;
        }),
    ]),
  );
  return { wrapped, rejections };
}

async function appOver(shared: TokenStore) {
  const users = new MemoryStore({ passwordCost: 10 });
  const alice = await users.addUser({ login: 'alice@example.org', password: 'correct horse battery' });
  const { wrapped, rejections } = recordingRejections(shared);
  const auth = gatehouse({ store: combineStores({ credentials: users, tokens: wrapped as never }) });
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
  return { timed, rejections, close: () => new Promise((resolve) => server.close(resolve)) };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Cuts the proxy for CUT_MS while sending requests one after another, then measures recovery;
 * returns the figures and why each store call failed during the cut.
 */
async function measure(shared: TokenStore, proxy: TcpProxy) {
  const app = await appOver(shared);
  try {
    expect((await app.timed()).status).toBe(200);
    expect(app.rejections).toEqual([]);
    await proxy.stop();
    const during: number[] = [];
    const cutEnds = Date.now() + CUT_MS;
    while (Date.now() < cutEnds) {
      const answer = await app.timed();
      expect(answer).toMatchObject({ status: 503, code: '503.1' });
      during.push(answer.ms);
    }
    const failuresDuringCut = [...app.rejections];
    await proxy.start();
    const restored = performance.now();
    let recovery = Number.NaN;
    // A deadline sized for a busy runner, not a figure: recovery takes about 100 ms.
    while (performance.now() - restored < 20_000) {
      if ((await app.timed()).status === 200) {
        recovery = performance.now() - restored;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const figures = { requests: during.length, medianMs: Math.round(median(during)), maxMs: Math.round(Math.max(...during)), recoveryMs: Math.round(recovery) };
    console.log(`fail-fast figures: ${JSON.stringify(figures)}`);
    return { ...figures, failuresDuringCut };
  } finally {
    await app.close();
  }
}

describe('fail-fast figures with the *_FAIL_FAST_OPTIONS (a 3 s cut through a TCP proxy)', () => {
  it('RedisStore: 503.1 during the cut, each from the failed reconnection (never the 1 s command timeout), 200 again after it', async () => {
    // No client of the test's own: the store makes it, with REDIS_FAIL_FAST_OPTIONS.
    await withProxiedRedis(null, async (store, proxy) => {
      const figures = await measure(store, proxy);
      // One findToken a request; ioredis fails it when the reconnection 100 ms on is refused.
      expect(figures.failuresDuringCut).toEqual(Array(figures.requests).fill('MaxRetriesPerRequestError'));
      expect(figures.recoveryMs).not.toBeNaN();
    });
  }, 60_000);

  it('PostgresStore: 503.1 during the cut, each from the refused connection (never a connect or query timeout), 200 again after it', async () => {
    await withProxiedPostgres({ ...POSTGRES_FAIL_FAST_OPTIONS }, async (store, proxy) => {
      const figures = await measure(store, proxy);
      // Each from the refused connection, but for the few pooled connections the cut closed
      // under a query (at most pg's pool of 10); never a timeout.
      const refused = figures.failuresDuringCut.filter((reason) => reason === 'ECONNREFUSED').length;
      const terminated = figures.failuresDuringCut.filter((reason) => reason === 'terminated').length;
      expect(figures.failuresDuringCut).toHaveLength(figures.requests);
      expect(refused + terminated).toBe(figures.requests);
      expect(terminated).toBeLessThanOrEqual(10);
      expect(figures.recoveryMs).not.toBeNaN();
    });
  }, 60_000);
});
