import type { Redis } from 'ioredis';
import { RedisStore } from '../src/store/redis';
import { waitFor } from './helpers/engine-process';
import { expectSafeThroughSwitch, instancesOver, liveAndRevokedOn } from './helpers/instances-over';
import { SENTINEL_MASTER_NAME, useSentinelGroup, type SentinelGroup } from './helpers/sentinel';
import { runId } from './helpers/services';

/** Whether this client's connection is to the server on `port` and that server is a primary. */
const onPrimaryAt = async (client: Redis, port: number) =>
  client.stream?.remotePort === port && ((await client.call('ROLE')) as [string])[0] === 'master';

/** How the primary goes: handed over by the sentinel, or crashed and replaced once it is seen down. */
const SWITCHES = {
  'SENTINEL FAILOVER': (group: SentinelGroup) => group.direct(group.sentinelPort).call('SENTINEL', 'FAILOVER', SENTINEL_MASTER_NAME).then(() => {}),
  'the primary killed': (group: SentinelGroup) => group.crash(group.serverPorts[0]),
};

describe.each(Object.keys(SWITCHES) as Array<keyof typeof SWITCHES>)('RedisStore over Sentinel through a failover: %s', (how) => {
  // A group of its own per case: a failover leaves the servers' roles swapped.
  const { group } = useSentinelGroup();

  it('should answer only 200 or 503.1 during the switch, never accept a revoked session, and serve every session afterwards', async () => {
    const keyPrefix = `gatehouse-test:failover:${runId()}:`;
    const clients = [group().client(), group().client()];
    const [a, b] = await instancesOver(clients.map((client) => new RedisStore({ client, keyPrefix })));
    const sessions = await liveAndRevokedOn(a, 8);
    const [primary, replica] = group().serverPorts;
    // The revocations have reached the replica before the switch: what a failover can lose
    // otherwise is a write the old primary acknowledged and never replicated.
    expect(await group().direct(primary).wait(1, 5000)).toBe(1);

    await expectSafeThroughSwitch([a, b], sessions, async () => {
      await SWITCHES[how](group());
      await waitFor('the sentinel naming the replica as primary', async () => (await group().primaryPort()) === replica);
      await waitFor('both store clients reaching the new primary', async () => (await Promise.all(clients.map((client) => onPrimaryAt(client, replica)))).every(Boolean));
    });
  }, 90_000);
});
