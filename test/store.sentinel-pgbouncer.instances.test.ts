/**
 * Two instances over a Sentinel-managed Redis and over PostgreSQL behind PgBouncer in
 * transaction mode, each instance with a store object on its own client or pool: a logout on
 * one is refused on the other at its next request, a revokeAll on one ends every token on the
 * other, and concurrent refresh-token uses keep the README's promises (as the Redis Cluster
 * runs in store.redis-cluster.instances.test.ts).
 */
import { migrate, PostgresStore } from '../src/store/postgres';
import { RedisStore } from '../src/store/redis';
import type { BackendName } from './helpers/backends';
import { instancesOver, projectsWith, revokedOnARefusedOnB, sessionOn, type SharedTokens } from './helpers/instances-over';
import { JWT_OPTIONS } from './helpers/jwt';
import { usePgBouncer } from './helpers/pgbouncer';
import { backendsOver, itKeepsRefreshPromisesUnderConcurrentUse, loginOn, refreshOn, twoInstances, useAccess } from './helpers/refresh-instances';
import { useSentinelGroup } from './helpers/sentinel';
import { runId, useThrowawaySchemas } from './helpers/services';

/** An engine: registers its hooks, then gives a token store on a connection of its own per call. */
type Engine = readonly [name: string, backend: BackendName, use: () => () => SharedTokens];

const ENGINES: readonly Engine[] = [
  [
    'a RedisStore on a Sentinel client',
    'RedisStore',
    () => {
      const { group } = useSentinelGroup();
      const keyPrefix = `gatehouse-test:sentinel-instances:${runId()}:`;
      return () => new RedisStore({ client: group().client(), keyPrefix });
    },
  ],
  [
    'a PostgresStore through PgBouncer (transaction mode, preparedStatements: false)',
    'PostgresStore',
    () => {
      const { bouncer } = usePgBouncer();
      const schema = useThrowawaySchemas('gh_pgbouncer_instances', 2).freshSchema('pair');
      beforeAll(async () => {
        await migrate(bouncer().pool(1), { schema });
      }, 60_000);
      return () => new PostgresStore({ pool: bouncer().pool(), schema, preparedStatements: false });
    },
  ],
];

describe.each(ENGINES)('two instances over %s', (_name, backend, use) => {
  const storeOnItsOwnConnection = use();
  const backends = backendsOver(storeOnItsOwnConnection);

  it('should refuse on instance B, on its next request, a session logged out on instance A', async () => {
    const [a, b] = await instancesOver([storeOnItsOwnConnection(), storeOnItsOwnConnection()]);
    const { acceptedBefore, refusedAfter } = await revokedOnARefusedOnB(a, b, 5);
    expect(acceptedBefore).toBe(5);
    expect(refusedAfter).toEqual(Array(5).fill('401 401.2'));
  });

  it('should end on instance B every token of an actor when instance A revokes them all', async () => {
    const t = await twoInstances(backends, backend, { jwt: [JWT_OPTIONS, JWT_OPTIONS] });
    const sessions = [await sessionOn(t.b.app), await sessionOn(t.b.app), await sessionOn(t.a.app)];
    const family = await loginOn(t.b);
    for (const token of sessions) expect((await projectsWith(t.b.app, token)).status).toBe(200);
    expect((await useAccess(t.b, family.access)).status).toBe(200);

    await t.a.auth.tokens.revokeAll(t.alice.id);

    const refused = (answer: Promise<{ status: number; body: { code?: string } }>) => answer.then((res) => `${res.status} ${res.body.code}`);
    expect(await Promise.all(sessions.map((token) => refused(projectsWith(t.b.app, token))))).toEqual(Array(3).fill('401 401.2'));
    expect(await refused(useAccess(t.b, t.tokens.access))).toBe('401 401.2');
    expect(await refused(useAccess(t.b, family.access))).toBe('401 401.2');
    expect(await refused(refreshOn(t.b, t.tokens.refresh))).toBe('401 401.2');
    expect(await refused(refreshOn(t.b, family.refresh))).toBe('401 401.2');
    expect(await t.b.auth.tokens.list(t.alice.id)).toEqual([]);
  });

  describe('two concurrent uses of one refresh token', () => {
    itKeepsRefreshPromisesUnderConcurrentUse(backends, backend);
  });
});
