import { Pool } from 'pg';
import { migrate, PostgresStore } from '../src/store/postgres';
import { DATABASE_URL, useThrowawaySchemas } from './helpers/services';

const { pool, freshSchema } = useThrowawaySchemas('gatehouse_test_prepared');

/** A one-connection pool, so what one connection has prepared can be read back on it. */
function onePool(): Pool {
  const single = new Pool({ connectionString: DATABASE_URL, connectionTimeoutMillis: 2000, max: 1 });
  single.on('error', () => {});
  return single;
}

async function preparedNames(single: Pool): Promise<string[]> {
  const { rows } = await single.query<{ name: string }>("SELECT name FROM pg_prepared_statements WHERE name LIKE 'gatehouse_%' ORDER BY name");
  return rows.map((row) => row.name);
}

const record = (hash: string) => ({ hash, kind: 'session' as const, actorId: 'prepared-actor', createdAt: Date.now(), expiresAt: null });

describe('PostgresStore prepared statements (issue 20)', () => {
  it('prepares each statement once per connection, and not at all with preparedStatements: false', async () => {
    const schema = freshSchema('named');
    await migrate(pool(), { schema });
    const single = onePool();
    try {
      const store = new PostgresStore({ pool: single, schema });
      await store.saveToken(record('a'));
      expect((await store.findToken('a'))?.actorId).toBe('prepared-actor');
      expect((await store.findToken('a'))?.actorId).toBe('prepared-actor');
      expect(await store.findRevocations(['actor:x'])).toEqual([null]);
      // saveToken, findToken (twice, one statement) and findRevocations.
      expect(await preparedNames(single)).toHaveLength(3);

      await single.query('DEALLOCATE ALL');
      const unprepared = new PostgresStore({ pool: single, schema, preparedStatements: false });
      expect((await unprepared.findToken('a'))?.actorId).toBe('prepared-actor');
      expect(await preparedNames(single)).toEqual([]);
    } finally {
      await single.end();
    }
  });

  it('keeps two schemas on one pool apart (one name per statement text)', async () => {
    const first = freshSchema('first');
    const second = freshSchema('second');
    await migrate(pool(), { schema: first });
    await migrate(pool(), { schema: second });
    const single = onePool();
    try {
      const a = new PostgresStore({ pool: single, schema: first });
      const b = new PostgresStore({ pool: single, schema: second });
      await a.saveToken(record('only-in-first'));
      expect(await a.findToken('only-in-first')).not.toBeNull();
      expect(await b.findToken('only-in-first')).toBeNull();
    } finally {
      await single.end();
    }
  });

  it('still reads tokens on a connection that prepared its statements before a migration added a column', async () => {
    const schema = freshSchema('altered');
    await migrate(pool(), { schema });
    const single = onePool();
    try {
      const store = new PostgresStore({ pool: single, schema });
      await store.saveToken(record('before'));
      expect(await store.findToken('before')).not.toBeNull();
      expect(await store.markTokenUsed('before', Date.now())).not.toBeNull();
      await pool().query(`ALTER TABLE "${schema}".gatehouse_tokens ADD COLUMN future_column text`);
      expect((await store.findToken('before'))?.actorId).toBe('prepared-actor');
      expect((await store.markTokenUsed('before', Date.now()))?.usedAt).not.toBeNull();
      expect(await store.listTokens('prepared-actor')).toHaveLength(1);
    } finally {
      await single.end();
    }
  });

  it('refuses a preparedStatements that is not a boolean', () => {
    expect(() => new PostgresStore({ pool: pool(), preparedStatements: 'yes' as unknown as boolean })).toThrow(/preparedStatements must be true or false/);
  });
});
