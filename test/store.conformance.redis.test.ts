import { Redis } from 'ioredis';
import { describeStoreConformance } from '../src/store/conformance';
import { RedisStore } from '../src/store/redis';
import { realNow } from './helpers/clock';
import { connectRedis, deleteRedisKeys, REDIS_URL, runId } from './helpers/services';

// Each run and jest worker writes under its own prefix and removes it afterwards.
const keyPrefix = `gatehouse-test:conformance:${runId()}:`;
let client: Redis | undefined;

beforeAll(async () => {
  client = await connectRedis();
});

// A host client with its own ioredis keyPrefix: scripts that build index keys must add it.
const hostPrefix = `gatehouse-test:host-prefix:${runId()}:`;
let prefixedClient: Redis | undefined;

afterAll(async () => {
  if (prefixedClient) prefixedClient.disconnect();
  if (!client) return;
  await deleteRedisKeys(client, keyPrefix);
  await deleteRedisKeys(client, hostPrefix);
  await client.quit();
});

describeStoreConformance('RedisStore on a client with its own keyPrefix', () => {
  prefixedClient = new Redis(REDIS_URL, { keyPrefix: hostPrefix, commandTimeout: 2000, maxRetriesPerRequest: 1 });
  return new RedisStore({ client: prefixedClient });
}, { parts: ['tokens', 'revocations', 'attempts', 'identities', 'limits', 'providerSessions'] });

describeStoreConformance('RedisStore', () => {
  if (!client) throw new Error('Redis is not connected; see the beforeAll error above.');
  return new RedisStore({ client, keyPrefix });
}, { parts: ['tokens', 'revocations', 'attempts', 'secondFactors', 'identities', 'limits', 'providerSessions'] });

describe('RedisStore expiry in Redis', () => {
  const now = realNow();
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

  it('should drop index entries of tokens Redis has expired, so an index does not grow for ever', async () => {
    const actorId = 'actor-prune';
    const token = (hash: string) => ({ hash, kind: 'session' as const, actorId, createdAt: now, expiresAt: now + 60_000 });
    const stale = Array.from({ length: 30 }, (_, i) => `stale${i}`);
    for (const hash of stale) await store().saveToken(token(hash));
    // What Redis does when those tokens' TTLs run out: the keys go, the index entries stay.
    await client!.del(...stale.map((hash) => `${keyPrefix}token:${hash}`));
    for (let i = 0; i < 30; i += 1) await store().saveToken(token(`fresh${i}`));
    // Without pruning the index would hold 60 entries; each save checks three at random.
    expect(await client!.scard(`${keyPrefix}actor:${actorId}`)).toBeLessThan(45);
    expect(await store().deleteTokensForActor(actorId)).toBe(30);
  });

  it('should give records saved before credential ids one when they are first listed, expiring with the token', async () => {
    const actorId = 'actor-legacy';
    const hash = '34'.repeat(32);
    // The layout an earlier version wrote: no `i` field and no `id:` key.
    const body = { hash, kind: 'personal', actorId, createdAt: now, expiresAt: now + 60_000, label: 'old key', roles: null, familyId: null };
    await client!.hset(`${keyPrefix}token:${hash}`, 'r', JSON.stringify(body), 'a', actorId);
    await client!.pexpire(`${keyPrefix}token:${hash}`, 60_000);
    await client!.sadd(`${keyPrefix}actor:${actorId}`, hash);

    const [listed] = await store().listTokens(actorId);
    expect(listed).toMatchObject({ hash, label: 'old key', id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/) });
    expect((await store().listTokens(actorId))[0].id).toBe(listed.id);
    expect((await store().findTokenById(listed.id!))?.hash).toBe(hash);
    expect(await client!.pttl(`${keyPrefix}id:${listed.id}`)).toBeGreaterThan(50_000);
    expect(await store().deleteToken(hash)).toBe(true);
    expect(await client!.exists(`${keyPrefix}id:${listed.id}`)).toBe(0);
  });

  it('should refuse a client without commandTimeout, naming the option', () => {
    const unbounded = new Redis({ lazyConnect: true });
    expect(() => new RedisStore({ client: unbounded })).toThrow(/commandTimeout/);
    unbounded.disconnect();
  });
});
