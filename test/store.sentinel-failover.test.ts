import type { Redis } from 'ioredis';
import request from 'supertest';
import { RedisStore } from '../src/store/redis';
import { instancesOver, projectsWith, sessionOn } from './helpers/instances-over';
import { SENTINEL_MASTER_NAME, useSentinelGroup, type SentinelGroup } from './helpers/sentinel';
import { runId } from './helpers/services';

/** Resolves once `holds()` does (checked every 50 ms), or rejects after `limitMs` naming `what`. */
async function until(what: string, holds: () => Promise<boolean>, limitMs = 30_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await holds().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

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
    const live = await Promise.all(Array.from({ length: 8 }, () => sessionOn(a)));
    const revoked = await Promise.all(Array.from({ length: 8 }, () => sessionOn(a)));
    for (const token of revoked) expect((await request(a).delete('/v1/sessions/current').set('Authorization', `Bearer ${token}`)).status).toBe(200);
    const [primary, replica] = group().serverPorts;
    // The revocations have reached the replica before the switch: what a failover can lose
    // otherwise is a write the old primary acknowledged and never replicated.
    expect(await group().direct(primary).wait(1, 5000)).toBe(1);

    const during = { requests: 0, acceptedAfterRevoke: 0, liveRefused: [] as string[], other5xx: [] as string[], codes: new Set<string>() };
    let switching = true;
    const load = async () => {
      while (switching) {
        for (const [app, token, isRevoked] of [
          [a, live[during.requests % live.length], false],
          [b, revoked[during.requests % revoked.length], true],
        ] as const) {
          const res = await projectsWith(app, token);
          during.requests += 1;
          const outcome = `${res.status} ${res.body.code ?? ''}`.trim();
          during.codes.add(outcome);
          if (isRevoked && res.status === 200) during.acceptedAfterRevoke += 1;
          if (!isRevoked && res.status === 401) during.liveRefused.push(outcome);
          if (res.status >= 500 && res.body.code !== '503.1') during.other5xx.push(outcome);
        }
      }
    };
    const loaders = [load(), load()];
    await until('a first request under load', async () => during.requests > 0);

    await SWITCHES[how](group());
    await until('the sentinel naming the replica as primary', async () => (await group().primaryPort()) === replica);
    await until('both store clients reaching the new primary', async () => (await Promise.all(clients.map((client) => onPrimaryAt(client, replica)))).every(Boolean));
    switching = false;
    await Promise.all(loaders);

    expect(during.requests).toBeGreaterThan(0);
    expect(during.acceptedAfterRevoke).toBe(0);
    expect(during.other5xx).toEqual([]);
    expect(during.liveRefused).toEqual([]);
    expect([...during.codes].filter((code) => code !== '200' && code !== '503 503.1' && code !== '401 401.2')).toEqual([]);

    // Afterwards: every live session works on both instances, every revoked one stays refused,
    // and a new login on one instance is accepted on the other.
    for (const app of [a, b]) {
      expect(await Promise.all(live.map(async (token) => (await projectsWith(app, token)).status))).toEqual(live.map(() => 200));
      expect(await Promise.all(revoked.map(async (token) => (await projectsWith(app, token)).body.code))).toEqual(revoked.map(() => '401.2'));
    }
    expect((await projectsWith(a, await sessionOn(b))).status).toBe(200);
  }, 90_000);
});
