import { readdirSync } from 'node:fs';
import { describeStoreConformance } from '../src/store/conformance';
import { migrate, MIGRATIONS_DIR, PostgresStore } from '../src/store/postgres';
import { requireProgram } from './helpers/engine-process';
import { instancesOver, revokedOnARefusedOnB } from './helpers/instances-over';
import { usePgBouncer } from './helpers/pgbouncer';
import { useThrowawaySchemas } from './helpers/services';

// PostgreSQL behind a PgBouncer of this test's own in transaction mode: each statement
// (or transaction) may run on a different server connection than the one before it.
const { bouncer } = usePgBouncer();
// Direct connections, only to read what landed and to drop the schemas afterwards.
const { pool: direct, freshSchema } = useThrowawaySchemas('gh_pgbouncer');

const kitSchema = freshSchema('kit');
const throughBouncer = (schema: string) => new PostgresStore({ pool: bouncer().pool(), schema, preparedStatements: false });

beforeAll(async () => {
  await migrate(bouncer().pool(1), { schema: kitSchema });
}, 60_000);

describeStoreConformance('PostgresStore through PgBouncer (transaction mode, preparedStatements: false)', () => throughBouncer(kitSchema), { parts: ['tokens', 'revocations', 'attempts', 'secondFactors', 'identities', 'limits', 'providerSessions'] });

describe('PostgresStore through PgBouncer (transaction mode)', () => {
  it('should migrate once when four instances start at once against an empty schema', async () => {
    const schema = freshSchema('four');
    const shipped = readdirSync(MIGRATIONS_DIR).filter((name) => name.endsWith('.sql')).sort();
    const instances = Array.from({ length: 4 }, () => throughBouncer(schema));

    const results = await Promise.all(instances.map((store) => store.migrate()));

    expect(results.filter((result) => result.applied.length > 0).map((result) => result.applied)).toEqual([shipped]);
    const { rows } = await direct().query<{ name: string; times: number }>(
      `SELECT name, count(*)::int AS times FROM "${schema}".gatehouse_migrations GROUP BY name ORDER BY name`,
    );
    expect(rows).toEqual(shipped.map((name) => ({ name, times: 1 })));
    // And the schema works for all four.
    for (const [index, store] of instances.entries()) {
      await store.saveRevocation(`jti-${index}`, 10, Date.now() + 60_000);
    }
    expect(await instances[0].findRevocations(['jti-0', 'jti-1', 'jti-2', 'jti-3'])).toEqual([10, 10, 10, 10]);
  });

  it('should refuse on instance B, on its next request, a session logged out on instance A', async () => {
    const schema = freshSchema('revoke');
    await migrate(bouncer().pool(1), { schema });
    const [a, b] = await instancesOver([throughBouncer(schema), throughBouncer(schema)]);

    const { acceptedBefore, refusedAfter } = await revokedOnARefusedOnB(a, b, 5);

    expect(acceptedBefore).toBe(5);
    expect(refusedAfter).toEqual(Array(5).fill('401 401.2'));
  });

  it('should fail with how to install it, never skip, when an engine program is missing', () => {
    expect(() => requireProgram('gatehouse-no-such-engine', ['/nonexistent/gatehouse-no-such-engine'], 'apt-get install pgbouncer')).toThrow(
      /^gatehouse-no-such-engine is not installed .*Install it with: apt-get install pgbouncer$/,
    );
  });
});
