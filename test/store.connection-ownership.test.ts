/**
 * Client ownership, one rule for both stores over a connection (src/store/rules.ts): a
 * connection the host passes stays the host's — `close()` leaves it open — and must carry a
 * time limit, or the constructor refuses it; one the store creates from a URL is the
 * store's, and `close()` ends it. No connection is opened: the clients are lazy.
 */
import { Redis } from 'ioredis';
import { Pool } from 'pg';
import { PostgresStore } from '../src/store/postgres';
import { RedisStore } from '../src/store/redis';
import { DATABASE_URL, REDIS_URL } from './helpers/services';

describe('RedisStore', () => {
  it('refuses a client without commandTimeout, naming it', () => {
    const client = new Redis(REDIS_URL, { lazyConnect: true });
    expect(() => new RedisStore({ client })).toThrow(/RedisStore: the client has no commandTimeout/);
    client.disconnect();
  });

  it('leaves a client it was given open at close(), and ends one it created', async () => {
    const given = new Redis(REDIS_URL, { lazyConnect: true, commandTimeout: 1000 });
    await new RedisStore({ client: given }).close();
    expect(given.status).not.toBe('end');
    given.disconnect();
    const store = new RedisStore({ client: { lazyConnect: true } });
    await store.close();
    expect(store.client.status).toBe('end');
  });

  it('refuses anything that is not a client, options or a URL', () => {
    expect(() => new RedisStore({ client: 42 as never })).toThrow(/RedisStore: client is required/);
  });
});

describe('PostgresStore', () => {
  it('refuses a pool without connectionTimeoutMillis, naming it', () => {
    const pool = new Pool({ connectionString: DATABASE_URL });
    expect(() => new PostgresStore({ pool })).toThrow(/PostgresStore: the pool has no connectionTimeoutMillis/);
    return pool.end();
  });

  it('leaves a pool it was given open at close(), and ends one it created', async () => {
    const given = new Pool({ connectionString: DATABASE_URL, connectionTimeoutMillis: 2000 });
    await new PostgresStore({ pool: given }).close();
    expect(given.ended).toBe(false);
    await given.end();
    const store = new PostgresStore({ pool: DATABASE_URL });
    await store.close();
    expect(store.pool.ended).toBe(true);
  });

  it('refuses anything that is not a pool, options or a connection string', () => {
    expect(() => new PostgresStore({ pool: 42 as never })).toThrow(/PostgresStore: pool is required/);
  });
});
