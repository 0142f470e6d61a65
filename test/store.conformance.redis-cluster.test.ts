import { describeStoreConformance } from '../src/store/conformance';
import { RedisStore } from '../src/store/redis';
import { hashTag, identityMember, redisKeys, slotKey } from '../src/store/redis-keys';
import { useRedisCluster } from './helpers/redis-cluster';
import { runId } from './helpers/services';

// A RedisStore over an ioredis Cluster client, on a six-node cluster of this test's own.
const { cluster } = useRedisCluster();
const keyPrefix = `gatehouse-test:cluster:${runId()}:`;

const parts = ['tokens', 'revocations', 'attempts', 'secondFactors', 'identities', 'limits', 'providerSessions'] as const;
describeStoreConformance('RedisStore over a Redis Cluster client', () => new RedisStore({ client: cluster().client(), keyPrefix }), { parts: [...parts] });
describeStoreConformance('RedisStore over a Redis Cluster client with its own keyPrefix', () => new RedisStore({ client: cluster().client({ keyPrefix: `host:${runId()}:` }) }), { parts: [...parts] });

describe('the test Redis Cluster', () => {
  it('should have three primaries, each with one replica', async () => {
    const nodes = await cluster().nodes();
    expect(nodes.filter((node) => node.role === 'primary')).toHaveLength(3);
    const replicas = nodes.filter((node) => node.role === 'replica');
    expect(replicas).toHaveLength(3);
    expect(new Set(replicas.map((node) => node.primaryId)).size).toBe(3);
  });
});

describe('RedisStore over a Redis Cluster client: the key layout', () => {
  const slotOf = (key: string) => cluster().client().call('CLUSTER', 'KEYSLOT', key) as Promise<number>;

  it('should spread tokens over the slots of all three primaries', async () => {
    const store = new RedisStore({ client: cluster().client(), keyPrefix });
    const keys = redisKeys(keyPrefix, 'cluster');
    const slots = await Promise.all(Array.from({ length: 30 }, (_, index) => slotOf(keys.token(`${index}`.padStart(64, 'a')))));
    const ranges = (await cluster().client().cluster('SLOTS')) as Array<[number, number]>;
    const owners = new Set(slots.map((slot) => ranges.findIndex(([from, to]) => slot >= from && slot <= to)));
    expect(owners.size).toBe(3);
    await store.close();
  });

  it('should put every key made from one value in one slot, whatever the value holds', async () => {
    for (const value of ['alice', '', '{x}', 'a}b{c', '#1', 'ü']) {
      const slots = new Set(await Promise.all(['token', 'actor', 'totp', 'rate'].map((kind) => slotOf(slotKey(keyPrefix, kind, value)))));
      expect(slots.size).toBe(1);
    }
    // Distinct values stay distinct keys.
    expect(new Set(['', '{}', '#', '{', '}'].map(hashTag)).size).toBe(5);
  });

  it("should keep an identity's link in its own slot and the actor's identity list in the actor's slot", async () => {
    const store = new RedisStore({ client: cluster().client(), keyPrefix });
    const keys = redisKeys(keyPrefix, 'cluster');
    const actorId = `actor-${runId()}`;
    const links = ['a', 'b', 'c', 'd', 'e', 'f'].map((subject) => ({ issuer: 'https://login.example.org', subject: `${subject}-${runId()}`, actorId, linkedAt: 1000 }));
    for (const link of links) expect(await store.linkIdentity(link)).toEqual(link);
    expect(await slotOf(keys.actorIdentities(actorId))).toBe(await slotOf(keys.actorIndex(actorId)));
    const linkSlots = new Set(await Promise.all(links.map((link) => slotOf(keys.identity(identityMember(link.issuer, link.subject))))));
    expect(linkSlots.size).toBeGreaterThan(1);
    // Listing reads links in several slots; linking one held by another actor leaves no trace in this list.
    expect((await store.listIdentities(actorId)).map((link) => link.subject).sort()).toEqual(links.map((link) => link.subject).sort());
    expect(await store.linkIdentity({ ...links[0], actorId: 'someone-else' })).toEqual(links[0]);
    expect(await store.listIdentities('someone-else')).toEqual([]);
    expect(await cluster().client().smembers(keys.actorIdentities('someone-else'))).toEqual([]);
    expect(await store.unlinkIdentity(links[1].issuer, links[1].subject, actorId)).toBe(true);
    expect(await cluster().client().sismember(keys.actorIdentities(actorId), identityMember(links[1].issuer, links[1].subject))).toBe(0);
    expect(await store.listIdentities(actorId)).toHaveLength(5);
    await store.close();
  });

  it("should put a key's rate-limit counters in its record's slot and an actor's in its index's slot", async () => {
    const keys = redisKeys(keyPrefix, 'cluster');
    const hash = 'c'.repeat(64);
    expect(await slotOf(`${keys.limitCounters(`key:${hash}`)}:burst:1700000000000`)).toBe(await slotOf(keys.token(hash)));
    expect(await slotOf(`${keys.limitCounters('actor:alice')}:daily:1700000000000`)).toBe(await slotOf(keys.actorIndex('alice')));
    expect(redisKeys('gatehouse:', 'single').limitCounters(`key:${hash}`)).toBe(`gatehouse:limit:key:${hash}`);
  });

  it('should refuse a key prefix with a brace, which would tag every key alike', () => {
    expect(() => new RedisStore({ client: cluster().client(), keyPrefix: '{app}:' })).toThrow(
      expect.objectContaining({ code: 'GATEHOUSE_INVALID_OPTION', message: expect.stringContaining("must hold no '{' or '}'") }),
    );
  });

  it('should refuse a Cluster client without a commandTimeout in its redisOptions, as it refuses a plain client without one', () => {
    const bare = cluster().client({ redisOptions: { commandTimeout: undefined } });
    expect(() => new RedisStore({ client: bare })).toThrow(expect.objectContaining({ option: 'client', message: expect.stringContaining('the client has no commandTimeout') }));
  });

  it.each(['slave', 'all'] as const)('should refuse a Cluster client that reads from replicas (scaleReads: %s), where a logout may not have arrived yet', (scaleReads) => {
    expect(() => new RedisStore({ client: cluster().client({ scaleReads }) })).toThrow(
      expect.objectContaining({ option: 'client', message: expect.stringContaining("Leave scaleReads at 'master'") }),
    );
  });

  it('should keep the single-primary key names on a plain client', () => {
    const keys = redisKeys('gatehouse:', 'single');
    expect([keys.token('h'), keys.actorIndex('a'), keys.familyIndex('f'), keys.credentialId('i'), keys.revoked('actor:a'), keys.attempts('k')]).toEqual([
      'gatehouse:token:h',
      'gatehouse:actor:a',
      'gatehouse:family:f',
      'gatehouse:id:i',
      'gatehouse:revoked:actor:a',
      'gatehouse:attempts:k',
    ]);
  });

  it('should index an actor\'s tokens in a sorted set scored by their expiry, each token under its own tag', async () => {
    const store = new RedisStore({ client: cluster().client(), keyPrefix });
    const actorId = `actor-${runId()}`;
    const expiresAt = Date.now() + 60_000;
    const base = { kind: 'session' as const, actorId, createdAt: Date.now(), usedAt: null, lastUsedAt: null, label: null, roles: null, familyId: null, data: null };
    await store.saveToken({ ...base, hash: 'a'.repeat(64), expiresAt });
    await store.saveToken({ ...base, hash: 'b'.repeat(64), expiresAt: null });
    const keys = redisKeys(keyPrefix, 'cluster');
    const client = cluster().client();
    expect(await client.zrange(keys.actorIndex(actorId), 0, -1, 'WITHSCORES')).toEqual(['a'.repeat(64), String(expiresAt), 'b'.repeat(64), 'inf']);
    expect(await client.hget(keys.token('a'.repeat(64)), 'a')).toBe(actorId);
    expect(await store.deleteTokensForActor(actorId)).toBe(2);
    expect([await client.exists(keys.actorIndex(actorId)), await client.exists(keys.token('a'.repeat(64)))]).toEqual([0, 0]);
  });

  it('should answer a revocation lookup of keys in different slots', async () => {
    const store = new RedisStore({ client: cluster().client(), keyPrefix });
    await store.saveRevocation('jti:one', 10, Date.now() + 60_000);
    await store.saveRevocation('actor:two', 20, Date.now() + 60_000);
    expect(await store.findRevocations(['jti:one', 'family:none', 'actor:two'])).toEqual([10, null, 20]);
  });
});
