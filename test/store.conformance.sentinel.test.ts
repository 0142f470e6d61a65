import { describeStoreConformance } from '../src/store/conformance';
import { RedisStore } from '../src/store/redis';
import { useSentinelGroup } from './helpers/sentinel';
import { runId } from './helpers/services';

// A RedisStore whose ioredis client finds the primary through a sentinel of this test's own.
const { group } = useSentinelGroup();
const keyPrefix = `gatehouse-test:sentinel:${runId()}:`;

describeStoreConformance('RedisStore over a Sentinel client', () => new RedisStore({ client: group().client(), keyPrefix }), { parts: ['tokens', 'revocations', 'attempts', 'secondFactors', 'identities', 'limits', 'providerSessions'] });

describe('RedisStore over a Sentinel client', () => {
  it('should write to the primary the sentinel names, whose replica follows', async () => {
    const store = new RedisStore({ client: group().client(), keyPrefix });
    await store.saveRevocation('jti-sentinel', 10, Date.now() + 60_000);
    const [primary, replica] = group().serverPorts;
    expect(await group().primaryPort()).toBe(primary);
    expect(await group().direct(primary).get(`${keyPrefix}revoked:jti-sentinel`)).toBe('10');
    // WAIT returns once the replica has the write: then it reads the same.
    expect(await group().direct(primary).wait(1, 2000)).toBe(1);
    expect(await group().direct(replica).get(`${keyPrefix}revoked:jti-sentinel`)).toBe('10');
  });
});
