import { Pool } from 'pg';
import { migrate, PostgresStore } from '../src/store/postgres';
import { DATABASE_URL, useThrowawaySchemas } from './helpers/services';

const { pool, freshSchema } = useThrowawaySchemas('gatehouse_test_batched');

/**
 * Issue 20's store rows: the reads every authenticated request makes (its token, its
 * revocations, its lockout counter) go as one statement for all the requests read in one
 * pass of the event loop. Each caller still gets exactly its own answer, and a failed
 * statement fails every caller in it.
 */
function countingPool(): { pool: Pool; statements: () => number; failNext: (error: Error) => void } {
  const counted = new Pool({ connectionString: DATABASE_URL, connectionTimeoutMillis: 2000, max: 4 });
  counted.on('error', () => {});
  let sent = 0;
  let failure: Error | null = null;
  const query = counted.query.bind(counted) as (...args: unknown[]) => Promise<unknown>;
  (counted as unknown as { query: (...args: unknown[]) => Promise<unknown> }).query = (...args: unknown[]) => {
    sent += 1;
    if (failure) {
      const error = failure;
      failure = null;
      return Promise.reject(error);
    }
    return query(...args);
  };
  return { pool: counted, statements: () => sent, failNext: (error) => (failure = error) };
}

/** A PostgresStore in a fresh schema over a counting pool, ended after `use`. */
async function withCountingStore(name: string, use: (store: PostgresStore, counting: ReturnType<typeof countingPool>) => Promise<void>): Promise<void> {
  const schema = freshSchema(name);
  await migrate(pool(), { schema });
  const counting = countingPool();
  try {
    await use(new PostgresStore({ pool: counting.pool, schema }), counting);
  } finally {
    await counting.pool.end();
  }
}

const record = (hash: string, actorId: string) => ({ hash, kind: 'session' as const, actorId, createdAt: Date.now(), expiresAt: null, roles: [actorId] });

describe('PostgresStore batches the per-request reads (issue 20)', () => {
  it('answers 30 concurrent token lookups, some of one token, some unknown, with one statement', async () => {
    await withCountingStore('tokens', async (store, { statements }) => {
    for (let i = 0; i < 10; i += 1) await store.saveToken(record(`hash-${i}`, `actor-${i}`));
    const before = statements();
    const hashes = [...Array.from({ length: 10 }, (_, i) => `hash-${i}`), ...Array.from({ length: 10 }, () => 'hash-3'), ...Array.from({ length: 10 }, (_, i) => `unknown-${i}`)];
    const found = await Promise.all(hashes.map((hash) => store.findToken(hash)));
    expect(statements() - before).toBe(1);
    expect(found.map((token) => token?.actorId ?? null)).toEqual(hashes.map((hash) => (hash.startsWith('hash-') ? `actor-${hash.slice(5)}` : null)));
    // A lookup alone is answered too, by a statement of its own.
    expect((await store.findToken('hash-7'))?.actorId).toBe('actor-7');
    expect(statements() - before).toBe(2);
    });
  });

  it('answers concurrent revocation and lockout reads, each with its own keys and clock, with one statement each', async () => {
    await withCountingStore('reads', async (store, { statements }) => {
    await store.saveRevocation('jti:a', 1_000, Date.now() + 60_000);
    await store.saveRevocation('actor:b', 2_000, Date.now() + 60_000);
    const policy = { maxAttempts: 2, windowMs: 60_000, lockMs: 60_000 };
    await store.recordFailedAttempt('login:x', policy, 10_000);
    await store.recordFailedAttempt('login:x', policy, 10_000);
    const before = statements();
    const [revocations, attempts] = await Promise.all([
      Promise.all([store.findRevocations(['jti:a', 'actor:b']), store.findRevocations(['jti:c', 'actor:b']), store.findRevocations(['jti:a'])]),
      Promise.all([store.readAttempts('login:x', 20_000), store.readAttempts('login:x', 80_000), store.readAttempts('login:y', 20_000)]),
    ]);
    expect(statements() - before).toBe(2);
    expect(revocations).toEqual([[1_000, 2_000], [null, 2_000], [1_000]]);
    // Locked at 10 s for a minute: still locked at 20 s, over at 80 s; another login has no counter.
    expect(attempts).toEqual([{ count: 2, lockedUntil: 70_000 }, { count: 0, lockedUntil: null }, { count: 0, lockedUntil: null }]);
    });
  });

  it('fails every lookup of a batch whose statement fails, and answers the next batch', async () => {
    await withCountingStore('failing', async (store, { failNext }) => {
    await store.saveToken(record('kept', 'actor-kept'));
    failNext(new Error('connection terminated'));
    const outcomes = await Promise.allSettled([store.findToken('kept'), store.findToken('kept'), store.findToken('other')]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect((await store.findToken('kept'))?.actorId).toBe('actor-kept');
    });
  });
});
