import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Pool } from 'pg';
import { combineStores, gatehouse, MemoryStore } from '../src';
import { migrate, MIGRATIONS_DIR, PostgresStore } from '../src/store/postgres';
import { DATABASE_URL, useThrowawaySchemas } from './helpers/services';

const { pool, freshSchema } = useThrowawaySchemas('gatehouse_test_versions');

/** The migration files that ship, in version order (001, 002, then whatever the features add: 005_rate_limits.sql…). */
const SHIPPED = readdirSync(MIGRATIONS_DIR)
  .filter((name) => /^\d+_[A-Za-z0-9_-]+\.sql$/.test(name))
  .sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
const SHIPPED_VERSIONS = SHIPPED.map((name) => parseInt(name, 10));

async function versions(schema: string): Promise<Array<{ version: number; name: string; applied_at: string }>> {
  const { rows } = await pool().query(`SELECT version, name, applied_at FROM "${schema}".gatehouse_migrations ORDER BY version`);
  return rows;
}

/** A schema as Gatehouse 0.1 left it: 001 run by hand, no version table, tokens without ids. */
async function schemaWithOnly001(schema: string): Promise<void> {
  const sql = await readFile(path.join(MIGRATIONS_DIR, '001_gatehouse.sql'), 'utf8');
  const client = await pool().connect();
  try {
    await client.query(`CREATE SCHEMA "${schema}"`);
    await client.query(`SET search_path TO "${schema}"`);
    await client.query(sql);
    await client.query(
      `INSERT INTO gatehouse_tokens (hash, kind, actor_id, created_at, expires_at, label)
       VALUES ('${'a'.repeat(64)}', 'appUser', 'device-7', 1000, NULL, 'Tablet 7'),
              ('${'b'.repeat(64)}', 'personal', 'device-7', 2000, NULL, NULL),
              ('${'c'.repeat(64)}', 'session', 'alice', 3000, 4102444800000, NULL)`,
    );
  } finally {
    await client.query('RESET search_path');
    client.release();
  }
}



describe('versioned migrations', () => {
  it('should apply every migration once on a fresh schema, in order, and record each', async () => {
    const schema = freshSchema('fresh');
    expect(await migrate(pool(), { schema })).toEqual({ applied: SHIPPED });
    const recorded = await versions(schema);
    expect(SHIPPED.slice(0, 2)).toEqual(['001_gatehouse.sql', '002_credential_ids.sql']);
    expect(SHIPPED).toContain('005_rate_limits.sql');
    expect(recorded.map(({ version, name }) => ({ version, name }))).toEqual(SHIPPED.map((name) => ({ version: parseInt(name, 10), name })));

    expect(await migrate(pool(), { schema })).toEqual({ applied: [] });
    expect(await new PostgresStore({ pool: pool(), schema }).migrate()).toEqual({ applied: [] });
    expect(await versions(schema)).toEqual(recorded); // same rows, same applied_at: nothing ran again
  });

  it('should upgrade a schema that has only 001: old tokens keep working and each gets its own id', async () => {
    const schema = freshSchema('upgrade');
    await schemaWithOnly001(schema);
    expect(await migrate(pool(), { schema })).toEqual({ applied: SHIPPED });

    const store = new PostgresStore({ pool: pool(), schema });
    const device = await store.findToken('a'.repeat(64));
    expect(device).toMatchObject({ kind: 'appUser', actorId: 'device-7', label: 'Tablet 7', createdAt: 1000, expiresAt: null });
    const listed = await store.listTokens('device-7');
    expect(listed.map((record) => record.hash).sort()).toEqual(['a'.repeat(64), 'b'.repeat(64)]);
    const ids = [...listed.map((record) => record.id), (await store.findToken('c'.repeat(64)))!.id];
    expect(ids.every((id) => typeof id === 'string' && /^[A-Za-z0-9_-]{22}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(3);
    expect((await store.findTokenById(device!.id!))?.hash).toBe('a'.repeat(64));

    // A record saved without an id (a browser session) gets one; saving it again keeps it.
    await store.saveToken({ hash: 'd'.repeat(64), kind: 'cookie', actorId: 'alice', createdAt: 5000, expiresAt: 4102444800000 });
    const cookieId = (await store.findToken('d'.repeat(64)))!.id;
    await store.saveToken({ hash: 'd'.repeat(64), kind: 'cookie', actorId: 'alice', createdAt: 5000, expiresAt: 4102444800000, lastUsedAt: 6000 });
    expect((await store.findToken('d'.repeat(64)))!.id).toBe(cookieId);

    // Through auth.tokens: the old app-user key is listed and revoked by its new id.
    const users = new MemoryStore({ passwordCost: 10 });
    await users.addUser({ login: 'tablet-7', kind: 'appUser', id: 'device-7' });
    const auth = gatehouse({ store: combineStores({ credentials: users, tokens: store }), now: () => 10_000 });
    expect((await auth.tokens.list('device-7', { kinds: ['appUser'] })).map((c) => c.id)).toEqual([device!.id]);
    expect(await auth.tokens.revokeById(device!.id!)).toBe(true);
    expect(await store.findToken('a'.repeat(64))).toBeNull();
  });

  it('should apply each migration once when several instances migrate at the same time', async () => {
    const fresh = freshSchema('race');
    const upgraded = freshSchema('raceupgrade');
    await schemaWithOnly001(upgraded);
    for (const schema of [fresh, upgraded]) {
      const results = await Promise.all(Array.from({ length: 6 }, () => migrate(pool(), { schema })));
      expect(results.flatMap((result) => result.applied)).toEqual(SHIPPED);
      expect((await versions(schema)).map((row) => row.version)).toEqual(SHIPPED_VERSIONS);
    }
  });

  it("should not be cut short by a pool's request-sized statement_timeout while giving many tokens ids", async () => {
    const schema = freshSchema('large');
    await schemaWithOnly001(schema);
    await pool().query(
      `INSERT INTO "${schema}".gatehouse_tokens (hash, kind, actor_id, created_at)
       SELECT md5(i::text) || md5((i + 1)::text), 'session', 'actor-' || (i % 1000), i FROM generate_series(1, 50000) AS i`,
    );
    // 20 ms is far below what numbering 50 000 rows takes; the migration sets its own limit.
    const strict = new Pool({ connectionString: DATABASE_URL, connectionTimeoutMillis: 2000, statement_timeout: 20, max: 1 });
    try {
      await expect(strict.query(`SELECT count(*) FROM "${schema}".gatehouse_tokens a, generate_series(1, 20)`)).rejects.toThrow(/statement timeout/);
      expect(await migrate(strict, { schema })).toEqual({ applied: SHIPPED });
    } finally {
      await strict.end();
    }
    const { rows } = await pool().query(`SELECT count(*)::int AS total, count(DISTINCT id)::int AS ids FROM "${schema}".gatehouse_tokens`);
    expect(rows[0]).toEqual({ total: 50003, ids: 50003 });
    await expect(migrate(pool(), { schema, timeoutMs: 0 })).rejects.toThrow('migrate: timeoutMs must be a positive whole number of milliseconds (default 300000).');
  });

  it('should leave the schema as it was when a migration fails', async () => {
    const schema = freshSchema('failure');
    await schemaWithOnly001(schema);
    // Two tokens with one id: 002's unique index cannot be built, so nothing of it may stay.
    await pool().query(`ALTER TABLE "${schema}".gatehouse_tokens ADD COLUMN id text`);
    await pool().query(`UPDATE "${schema}".gatehouse_tokens SET id = 'same'`);
    await expect(migrate(pool(), { schema })).rejects.toThrow(/unique|duplicate/i);
    const { rows } = await pool().query(`SELECT to_regclass('"${schema}".gatehouse_migrations') AS versions`);
    expect(rows[0].versions).toBeNull();
    expect((await pool().query(`SELECT count(*)::int AS n FROM "${schema}".gatehouse_tokens`)).rows[0].n).toBe(3);
  });
});
