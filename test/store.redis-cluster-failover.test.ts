/**
 * A Redis Cluster primary fails while two instances serve requests: handed over
 * (`CLUSTER FAILOVER` on its replica) or killed. Counted: a revoked session accepted (0), a
 * 5xx other than 503.1 (0), a live session refused (0); afterwards every session works on
 * both instances and every revoked one stays refused.
 */
import { RedisStore } from '../src/store/redis';
import { redisKeys } from '../src/store/redis-keys';
import { hashSecret } from '../src/tokens/format';
import { waitFor } from './helpers/engine-process';
import { expectSafeThroughSwitch, instancesOver, liveAndRevokedOn, projectsWith } from './helpers/instances-over';
import { useRedisCluster, type RedisCluster } from './helpers/redis-cluster';
import { runId } from './helpers/services';

/** How the primary goes: handed over to its replica, or crashed and replaced once the cluster sees it fail. */
const SWITCHES = {
  'CLUSTER FAILOVER on its replica': (cluster: RedisCluster, owners: { primary: number; replica: number }) =>
    cluster.direct(owners.replica).call('CLUSTER', 'FAILOVER').then(() => {}),
  'the primary killed': (cluster: RedisCluster, owners: { primary: number; replica: number }) => cluster.crash(owners.primary),
};

describe.each(Object.keys(SWITCHES) as Array<keyof typeof SWITCHES>)('RedisStore over a Redis Cluster through a failover: %s', (how) => {
  // A cluster of its own per case: a failover leaves roles swapped, a kill leaves a node down.
  const { cluster } = useRedisCluster();

  it('should answer only 200 or 503.1 during the switch, never accept a revoked session, and serve every session afterwards', async () => {
    const keyPrefix = `gatehouse-test:cluster-failover:${runId()}:`;
    const keys = redisKeys(keyPrefix, 'cluster');
    const [a, b] = await instancesOver([new RedisStore({ client: cluster().client(), keyPrefix }), new RedisStore({ client: cluster().client(), keyPrefix })]);
    const sessions = await liveAndRevokedOn(a, 12);
    const { live, revoked } = sessions;
    // The primary that fails is the one holding the first live session.
    const owners = await cluster().ownersOf(keys.token(hashSecret(live[0])));
    const primaries = [...new Set(await Promise.all([...live, ...revoked].map(async (token) => (await cluster().ownersOf(keys.token(hashSecret(token)))).primary)))];
    // Every revocation has reached the replicas before the switch: what a failover can lose
    // otherwise is a write the old primary acknowledged and never replicated (waitForReplicas).
    for (const port of primaries) await cluster().replicated(port);

    await expectSafeThroughSwitch([a, b], sessions, async () => {
      await SWITCHES[how](cluster(), owners);
      await waitFor(
        'the replica promoted',
        async () => (await cluster().nodes(owners.replica)).some((node) => node.port === owners.replica && node.role === 'primary'),
      );
      // Both instances answer again for the session whose primary failed.
      await waitFor('both instances serving the failed primary\'s session', async () =>
        (await Promise.all([a, b].map(async (app) => (await projectsWith(app, live[0])).status))).every((status) => status === 200),
      );
    });
  }, 90_000);
});
