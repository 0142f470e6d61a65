import type { Redis } from 'ioredis';
import { describeStoreConformance } from '../src/store/conformance';
import { RedisStore } from '../src/store/redis';
import { connectRedis, deleteRedisKeys, runId } from './helpers/services';

// Each run and jest worker writes under its own prefix and removes it afterwards.
const keyPrefix = `gatehouse-test:conformance:${runId()}:`;
let client: Redis | undefined;

beforeAll(async () => {
  client = await connectRedis();
});

afterAll(async () => {
  if (!client) return;
  await deleteRedisKeys(client, keyPrefix);
  await client.quit();
});

describeStoreConformance('RedisStore', () => {
  if (!client) throw new Error('Redis is not connected; see the beforeAll error above.');
  return new RedisStore({ client, keyPrefix });
});

describe('RedisStore expiry in Redis', () => {
  const now = 1_800_000_000_000;
  const store = () => new RedisStore({ client: client!, keyPrefix, now: () => now });

  it('should give a token key the TTL left until expiresAt by the store clock', async () => {
    const hash = 'ab'.repeat(32);
    await store().saveToken({ hash, kind: 'session', actorId: 'actor-ttl', createdAt: now, expiresAt: now + 60_000 });
    const ttl = await client!.pttl(`${keyPrefix}token:${hash}`);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    expect(await client!.pttl(`${keyPrefix}actor:actor-ttl`)).toBeGreaterThan(50_000);
  });

  it('should not keep a token saved with an expiresAt already past', async () => {
    const hash = 'cd'.repeat(32);
    await store().saveToken({ hash, kind: 'session', actorId: 'actor-ttl', createdAt: now - 10, expiresAt: now - 1 });
    expect(await client!.exists(`${keyPrefix}token:${hash}`)).toBe(0);
    expect(await store().findToken(hash)).toBeNull();
  });

  it('should keep a token without expiresAt, and its actor index, until deleted', async () => {
    const hash = 'ef'.repeat(32);
    await store().saveToken({ hash, kind: 'appUser', actorId: 'actor-forever', createdAt: now, expiresAt: null });
    expect(await client!.pttl(`${keyPrefix}token:${hash}`)).toBe(-1);
    expect(await client!.pttl(`${keyPrefix}actor:actor-forever`)).toBe(-1);
  });

  it('should let revocations and counters expire when they are over', async () => {
    await store().saveRevocation('jti-ttl', now, now + 30_000);
    const revocationTtl = await client!.pttl(`${keyPrefix}revoked:jti-ttl`);
    expect(revocationTtl).toBeGreaterThan(20_000);
    expect(revocationTtl).toBeLessThanOrEqual(30_000);
    await store().saveRevocation('jti-over', now - 10, now - 1);
    expect(await store().findRevocations(['jti-over'])).toEqual([null]);

    await store().recordFailedAttempt('login-ttl', { maxAttempts: 5, windowMs: 40_000, lockMs: 1000 }, now);
    const counterTtl = await client!.pttl(`${keyPrefix}attempts:login-ttl`);
    expect(counterTtl).toBeGreaterThan(30_000);
    expect(counterTtl).toBeLessThanOrEqual(40_000);
  });

  it('should work again after Redis loses its script cache', async () => {
    const hash = '12'.repeat(32);
    await store().saveToken({ hash, kind: 'refresh', actorId: 'actor-flush', createdAt: now, expiresAt: now + 60_000 });
    await client!.script('FLUSH');
    const before = await store().markTokenUsed(hash, now);
    expect(before?.usedAt).toBeNull();
    expect((await store().findToken(hash))?.usedAt).toBe(now);
  });

  it('should refuse a client without commandTimeout, naming the option', () => {
    const { Redis: RedisClient } = jest.requireActual<typeof import('ioredis')>('ioredis');
    const unbounded = new RedisClient({ lazyConnect: true });
    expect(() => new RedisStore({ client: unbounded })).toThrow(/commandTimeout/);
    unbounded.disconnect();
  });
});
