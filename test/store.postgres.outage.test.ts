import { Pool } from 'pg';
import { PostgresStore, POSTGRES_FAIL_FAST_OPTIONS } from '../src/store/postgres';
import { closedPort, DATABASE_URL, everyPartRejectsWithin, settleWithin, silentServer, useMigratedSchema } from './helpers/services';

// Generous bound: the stores settle within a few seconds; this only proves they never hang.
const BOUND_MS = 8000;
const { schema, pool: migratedPool } = useMigratedSchema('gatehouse_test_outage');
const policy = { maxAttempts: 5, windowMs: 60_000, lockMs: 60_000 };
const hash = '7e'.repeat(32);
describe('PostgresStore when PostgreSQL is unreachable', () => {
  it('should reject store calls promptly when nothing listens on the port', async () => {
    const store = new PostgresStore({ pool: `postgres://postgres@127.0.0.1:${await closedPort()}/test`, schema });
    try {
      expect(await everyPartRejectsWithin(store, hash, BOUND_MS)).toEqual([true, true, true, true]);
    } finally {
      await store.close();
    }
  });

  it('should reject promptly when the server accepts the connection but never answers', async () => {
    const stalled = await silentServer();
    const hostPool = new Pool({ host: '127.0.0.1', port: stalled.port, user: 'postgres', database: 'test', connectionTimeoutMillis: 300 });
    hostPool.on('error', () => {});
    const store = new PostgresStore({ pool: hostPool, schema });
    try {
      const outcome = await settleWithin(store.readAttempts('login', Date.now()), BOUND_MS);
      expect(outcome.ok).toBe(false);
      if (!outcome.ok) expect(outcome.error.message).toMatch(/timeout/i);
    } finally {
      await hostPool.end();
      await stalled.close();
    }
  });

  it('should reject promptly when a statement is stuck behind a lock, and not apply it later', async () => {
    const store = new PostgresStore({ pool: { connectionString: DATABASE_URL, ...POSTGRES_FAIL_FAST_OPTIONS, statement_timeout: 300 }, schema });
    const blocker = await migratedPool().connect();
    try {
      await store.saveToken({ hash, kind: 'refresh', actorId: 'locked-actor', createdAt: Date.now(), expiresAt: null, familyId: 'f' });
      await blocker.query('BEGIN');
      await blocker.query(`SELECT 1 FROM "${schema}".gatehouse_tokens WHERE hash = $1 FOR UPDATE`, [hash]);
      const outcome = await settleWithin(store.markTokenUsed(hash, Date.now()), BOUND_MS);
      expect(outcome.ok).toBe(false);
      await blocker.query('ROLLBACK');
      // The server cancelled the statement, so the token is still unused once the lock is gone.
      expect((await store.findToken(hash))?.usedAt).toBeNull();
    } finally {
      blocker.release();
      await store.close();
    }
  });

  it('should work with a pool that reaches PostgreSQL, after the failures above', async () => {
    const store = new PostgresStore({ pool: migratedPool(), schema });
    await store.saveToken({ hash, kind: 'session', actorId: 'outage-actor', createdAt: Date.now(), expiresAt: Date.now() + 60_000 });
    expect((await store.findToken(hash))?.actorId).toBe('outage-actor');
    expect(await store.recordFailedAttempt('login', policy, Date.now())).toEqual({ count: 1, lockedUntil: null });
  });
});
