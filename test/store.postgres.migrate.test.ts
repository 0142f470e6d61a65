import { existsSync } from 'node:fs';
import path from 'node:path';
import { Pool } from 'pg';
import { migrate, MIGRATIONS_DIR, PostgresStore } from '../src/store/postgres';
import { DATABASE_URL, useThrowawaySchemas } from './helpers/services';

const { pool, freshSchema } = useThrowawaySchemas('gatehouse_test_migrate');

async function tablesIn(schema: string): Promise<string[]> {
  const { rows } = await pool().query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relkind IN ('r', 'i') ORDER BY c.relname`,
    [schema],
  );
  return rows.map((row) => row.name);
}

const EXPECTED_RELATIONS = [
  'gatehouse_attempts',
  'gatehouse_attempts_pkey',
  'gatehouse_identities',
  'gatehouse_identities_actor_id_idx',
  'gatehouse_identities_pkey',
  'gatehouse_limits',
  'gatehouse_limits_expires_at_idx',
  'gatehouse_limits_pkey',
  'gatehouse_migrations',
  'gatehouse_migrations_pkey',
  'gatehouse_one_time_uses',
  'gatehouse_one_time_uses_expires_at_idx',
  'gatehouse_one_time_uses_pkey',
  'gatehouse_provider_sessions',
  'gatehouse_provider_sessions_expires_at_idx',
  'gatehouse_provider_sessions_pkey',
  'gatehouse_recovery_codes',
  'gatehouse_recovery_codes_pkey',
  'gatehouse_revocations',
  'gatehouse_revocations_expires_at_idx',
  'gatehouse_revocations_pkey',
  'gatehouse_second_factors',
  'gatehouse_second_factors_pkey',
  'gatehouse_tokens',
  'gatehouse_tokens_actor_id_idx',
  'gatehouse_tokens_expires_at_idx',
  'gatehouse_tokens_family_id_idx',
  'gatehouse_tokens_id_idx',
  'gatehouse_tokens_pkey',
];



describe('migrate', () => {
  it('should ship the SQL where both src/ and dist/ look for it (package.json files lists migrations)', () => {
    expect(existsSync(path.join(MIGRATIONS_DIR, '001_gatehouse.sql'))).toBe(true);
    expect(path.basename(MIGRATIONS_DIR)).toBe('migrations');
    expect(require('../package.json').files).toContain('migrations');
  });

  it('should create the tables and indexes in a new schema', async () => {
    const schema = freshSchema('create');
    await migrate(pool(), { schema });
    expect(await tablesIn(schema)).toEqual(EXPECTED_RELATIONS);
  });

  it('should be idempotent: running it again keeps the data', async () => {
    const schema = freshSchema('again');
    await migrate(pool(), { schema });
    const store = new PostgresStore({ pool: pool(), schema });
    await store.saveToken({ hash: 'a1'.repeat(32), kind: 'appUser', actorId: 'device-7', createdAt: 1, expiresAt: null });
    await migrate(pool(), { schema });
    await store.migrate();
    expect((await store.findToken('a1'.repeat(32)))?.actorId).toBe('device-7');
    expect(await tablesIn(schema)).toEqual(EXPECTED_RELATIONS);
  });

  it('should succeed when several instances run it at the same time', async () => {
    const schema = freshSchema('concurrent');
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => migrate(pool(), { schema })));
    expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
    expect(await tablesIn(schema)).toEqual(EXPECTED_RELATIONS);
  });

  it('should put the tables in the first schema of the search_path when no schema is given', async () => {
    const schema = freshSchema('searchpath');
    await pool().query(`CREATE SCHEMA "${schema}"`);
    const scoped = new Pool({ connectionString: DATABASE_URL, connectionTimeoutMillis: 2000, options: `-c search_path=${schema}` });
    try {
      await migrate(scoped);
      expect(await tablesIn(schema)).toEqual(EXPECTED_RELATIONS);
      const store = new PostgresStore({ pool: scoped });
      await store.saveRevocation('jti-1', 10, Date.now() + 60_000);
      expect(await store.findRevocations(['jti-1'])).toEqual([10]);
    } finally {
      await scoped.end();
    }
  });

  it('should refuse a schema name that is not a plain identifier, before touching the database', async () => {
    await expect(migrate(pool(), { schema: 'bad-name' })).rejects.toThrow(TypeError);
    await expect(migrate(pool(), { schema: 'bad-name' })).rejects.toThrow(/schema must be a name/);
  });
});
