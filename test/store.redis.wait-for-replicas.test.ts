/**
 * `waitForReplicas`: a write that ends a credential returns only once a replica has it (Redis
 * `WAIT`), or fails (503.1) — so a failover cannot bring the credential back. On a Redis
 * Cluster of the test's own (one replica per primary) and on the shared single Redis (no
 * replica at all: every such write fails, loudly).
 */
import request from 'supertest';
import { RedisStore } from '../src/store/redis';
import { redisKeys } from '../src/store/redis-keys';
import { hashSecret } from '../src/tokens/format';
import { waitFor } from './helpers/engine-process';
import { instancesOver, projectsWith, sessionOn } from './helpers/instances-over';
import { useRedisCluster } from './helpers/redis-cluster';
import { runId, useRedisPrefix } from './helpers/services';


const single = useRedisPrefix('wait-for-replicas');

const logout = (app: Parameters<typeof request>[0], token: string) => request(app).delete('/v1/sessions/current').set('Authorization', `Bearer ${token}`).then((res) => res);

describe('RedisStore waitForReplicas on a Redis Cluster', () => {
  const { cluster } = useRedisCluster();
  const keyPrefix = `gatehouse-test:wait:${runId()}:`;
  const keys = redisKeys(keyPrefix, 'cluster');

  it('should answer a logout once the replica of the token\'s primary has the deletion', async () => {
    const [app] = await instancesOver([new RedisStore({ client: cluster().client(), keyPrefix, waitForReplicas: { replicas: 1, timeoutMs: 900 } })]);
    const token = await sessionOn(app);
    const { replica } = await cluster().ownersOf(keys.token(hashSecret(token)));
    const onReplica = cluster().direct(replica);
    await onReplica.call('READONLY');
    expect((await logout(app, token)).status).toBe(200);
    expect(await onReplica.exists(keys.token(hashSecret(token)))).toBe(0);
    expect((await projectsWith(app, token)).body.code).toBe('401.2');
  });

  it('should fail a logout with 503.1 while the replica does not acknowledge it, where a store without the option answers 200', async () => {
    const waiting = new RedisStore({ client: cluster().client(), keyPrefix, waitForReplicas: { replicas: 1, timeoutMs: 200 } });
    const [app, plain] = await instancesOver([waiting, new RedisStore({ client: cluster().client(), keyPrefix })]);
    const [first, second] = [await sessionOn(app), await sessionOn(app)];
    // Both tokens' primaries' replicas frozen: the revocation is on the primary only.
    const replicas = [...new Set(await Promise.all([first, second].map(async (token) => (await cluster().ownersOf(keys.token(hashSecret(token)))).replica)))];
    for (const port of replicas) cluster().freeze(port);
    try {
      const refused = await logout(app, first);
      expect([refused.status, refused.body.code]).toEqual([503, '503.1']);
      expect((await logout(plain, second)).status).toBe(200);
    } finally {
      for (const port of replicas) cluster().thaw(port);
    }
    // The deletion itself happened on the primary: the token is refused all the same.
    expect((await projectsWith(app, first)).body.code).toBe('401.2');
  });
});

describe('RedisStore waitForReplicas on a single Redis without replicas', () => {
  it('should reject a revocation write that no replica acknowledged, naming the option, and leave reads alone', async () => {
    const store = new RedisStore({ client: single.client(), keyPrefix: single.keyPrefix, waitForReplicas: { replicas: 1, timeoutMs: 50 } });
    const error = await store.saveRevocation('jti:w', 10, Date.now() + 60_000).then(() => null, (rejection: unknown) => rejection);
    expect(String(error)).toMatch(/reached 0 of 1 replicas within 50 ms \(waitForReplicas\)/);
    expect(await store.findRevocations(['jti:w'])).toEqual([10]);
  });

  it.each([
    [{ replicas: 0, timeoutMs: 100 }, 'waitForReplicas.replicas'],
    [{ replicas: 1.5, timeoutMs: 100 }, 'waitForReplicas.replicas'],
    [{ replicas: 1, timeoutMs: 0 }, 'waitForReplicas.timeoutMs'],
    [{ replicas: 1 }, 'waitForReplicas.timeoutMs'],
    [true, 'waitForReplicas'],
    // The client's commandTimeout (2000 ms here) would cut WAIT off first.
    [{ replicas: 1, timeoutMs: 2000 }, 'waitForReplicas.timeoutMs'],
  ])('should refuse waitForReplicas %j at construction', (waitForReplicas, option) => {
    expect(() => new RedisStore({ client: single.client(), waitForReplicas: waitForReplicas as never })).toThrow(
      expect.objectContaining({ name: 'GatehouseConfigError', code: 'GATEHOUSE_INVALID_OPTION', option }),
    );
  });
});

describe('what a Redis Cluster failover loses, with and without waitForReplicas', () => {
  // A cluster of its own: this case kills a primary.
  const { cluster: own } = useRedisCluster();

  it('should lose a logout the old primary acknowledged before its replica had it (the session works again); with waitForReplicas that logout answered 503.1', async () => {
    const keyPrefix = `gatehouse-test:wait-loss:${runId()}:`;
    const keys = redisKeys(keyPrefix, 'cluster');
    const [plain, waiting] = await instancesOver([
      new RedisStore({ client: own().client(), keyPrefix }),
      new RedisStore({ client: own().client(), keyPrefix, waitForReplicas: { replicas: 1, timeoutMs: 300 } }),
    ]);
    // Two sessions whose tokens live on the same primary.
    const byPrimary = new Map<number, string[]>();
    while (![...byPrimary.values()].some((tokens) => tokens.length >= 2)) {
      const token = await sessionOn(plain);
      const { primary } = await own().ownersOf(keys.token(hashSecret(token)));
      byPrimary.set(primary, [...(byPrimary.get(primary) ?? []), token]);
    }
    const [primary, [lost, refused]] = [...byPrimary.entries()].find(([, tokens]) => tokens.length >= 2)!;
    const { replica } = await own().ownersOf(keys.token(hashSecret(lost)));
    await own().replicated(primary);

    // The replica stops hearing from its primary: frozen, its replication link cut.
    own().freeze(replica);
    await own().direct(primary).call('CLIENT', 'KILL', 'TYPE', 'replica');
    expect((await logout(plain, lost)).status).toBe(200);
    const answer = await logout(waiting, refused);
    expect([answer.status, answer.body.code]).toEqual([503, '503.1']);
    // Both sessions are refused while the old primary serves.
    expect((await projectsWith(plain, lost)).body.code).toBe('401.2');

    await own().crash(primary);
    own().thaw(replica);
    await waitFor('the replica promoted', async () => (await own().nodes(replica)).some((node) => node.port === replica && node.role === 'primary'));
    await waitFor('the promoted replica serving', async () => (await projectsWith(plain, lost)).status !== 503);

    // The acknowledged logout is gone with the old primary: the session works again. The one
    // answered 503.1 works too — and its caller was told the logout had not been made safe.
    expect((await projectsWith(plain, lost)).status).toBe(200);
    expect((await projectsWith(plain, refused)).status).toBe(200);
  }, 90_000);
});
