import { Redis } from 'ioredis';
import { RedisStore, REDIS_FAIL_FAST_OPTIONS } from '../src/store/redis';
import { closedPort, connectRedis, deleteRedisKeys, everyPartRejectsWithin, runId, settleWithin, silentServer } from './helpers/services';

// Generous bound: the stores settle in about a second; this only proves they never hang.
const BOUND_MS = 8000;
// ioredis arms a disconnectTimeout timer (default 2 s) that a socket already refused never
// clears; keep it and the connect timer short so jest exits promptly.
const quick = { connectTimeout: 300, disconnectTimeout: 100 };
const keyPrefix = `gatehouse-test:outage:${runId()}:`;
const policy = { maxAttempts: 5, windowMs: 60_000, lockMs: 60_000 };
const hash = '9f'.repeat(32);

describe('RedisStore when Redis is unreachable', () => {
  it('should reject store calls promptly when the store made the client and nothing listens on the port', async () => {
    const store = new RedisStore({ client: { host: '127.0.0.1', port: await closedPort(), ...quick }, keyPrefix });
    try {
      expect(await everyPartRejectsWithin(store, hash, BOUND_MS)).toEqual([true, true, true, true]);
    } finally {
      await store.close();
    }
  });

  it('should reject promptly with a client the host created with REDIS_FAIL_FAST_OPTIONS', async () => {
    const client = new Redis({ host: '127.0.0.1', port: await closedPort(), ...REDIS_FAIL_FAST_OPTIONS, ...quick });
    client.on('error', () => {});
    const store = new RedisStore({ client, keyPrefix });
    try {
      expect((await settleWithin(store.findToken(hash), BOUND_MS)).ok).toBe(false);
    } finally {
      client.disconnect();
    }
  });

  it('should reject at once with enableOfflineQueue: false while disconnected', async () => {
    const client = new Redis({ host: '127.0.0.1', port: await closedPort(), ...REDIS_FAIL_FAST_OPTIONS, ...quick, enableOfflineQueue: false });
    client.on('error', () => {});
    const store = new RedisStore({ client, keyPrefix });
    try {
      const outcome = await settleWithin(store.readAttempts('login', Date.now()), BOUND_MS);
      expect(outcome.ok).toBe(false);
      if (!outcome.ok) expect(outcome.error.message).toMatch(/enableOfflineQueue/);
    } finally {
      client.disconnect();
    }
  });

  it('should reject with a command timeout when Redis accepts the connection but never answers', async () => {
    const stalled = await silentServer();
    const store = new RedisStore({ client: { host: '127.0.0.1', port: stalled.port, commandTimeout: 300, ...quick }, keyPrefix });
    try {
      const outcome = await settleWithin(store.saveToken({ hash, kind: 'session', actorId: 'a', createdAt: 0, expiresAt: null }), BOUND_MS);
      expect(outcome.ok).toBe(false);
      if (!outcome.ok) expect(outcome.error.message).toMatch(/timed out/i);
    } finally {
      await store.close();
      await stalled.close();
    }
  });

  it('should work with a client that reaches Redis, after the failures above', async () => {
    const client = await connectRedis();
    const store = new RedisStore({ client, keyPrefix });
    try {
      await store.saveToken({ hash, kind: 'session', actorId: 'outage-actor', createdAt: Date.now(), expiresAt: Date.now() + 60_000 });
      expect((await store.findToken(hash))?.actorId).toBe('outage-actor');
      expect(await store.recordFailedAttempt('login', policy, Date.now())).toEqual({ count: 1, lockedUntil: null });
    } finally {
      await deleteRedisKeys(client, keyPrefix);
      await client.quit();
    }
  });
});
