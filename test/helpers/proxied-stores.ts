/**
 * RedisStore and PostgresStore reached through a loopback TCP proxy that a test stops (an
 * outage) and starts again, with their clean-up. The services must be up: connecting first
 * fails loudly with how to start them.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { Pool, type PoolConfig } from 'pg';
import { migrate, PostgresStore } from '../../src/store/postgres';
import { RedisStore } from '../../src/store/redis';
import { connectPostgres, connectRedis, DATABASE_URL, REDIS_URL, runId } from './services';
import { TcpProxy } from './tcp-proxy';

async function proxyTo(url: string, defaultPort: number): Promise<TcpProxy> {
  const target = new URL(url);
  const proxy = new TcpProxy({ host: target.hostname, port: Number(target.port || defaultPort) });
  await proxy.start();
  return proxy;
}

/**
 * Runs `scenario` with a RedisStore behind a proxy. `client` gives the ioredis options of a
 * client the test makes; without it the store makes its own (REDIS_FAIL_FAST_OPTIONS).
 */
export async function withProxiedRedis(client: RedisOptions | null, scenario: (store: RedisStore, proxy: TcpProxy) => Promise<void>): Promise<void> {
  (await connectRedis()).disconnect();
  const proxy = await proxyTo(REDIS_URL, 6379);
  const keyPrefix = `gatehouse-test:proxied:${runId()}:`;
  const own = client ? new Redis({ host: '127.0.0.1', port: proxy.port, ...client }) : null;
  own?.on('error', () => {});
  const store = new RedisStore({ client: own ?? { host: '127.0.0.1', port: proxy.port }, keyPrefix });
  try {
    await scenario(store, proxy);
  } finally {
    await proxy.stop();
    if (own) own.disconnect();
    else await store.close();
  }
}

/** Runs `scenario` with a PostgresStore on a migrated throwaway schema, its pool behind a proxy. */
export async function withProxiedPostgres(pool: PoolConfig, scenario: (store: PostgresStore, proxy: TcpProxy) => Promise<void>): Promise<void> {
  const admin = await connectPostgres();
  const schema = `gh_proxied_${runId()}`;
  await migrate(admin, { schema });
  const proxy = await proxyTo(DATABASE_URL, 5432);
  const proxied = new URL(DATABASE_URL);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(proxy.port);
  const proxiedPool = new Pool({ ...pool, connectionString: proxied.toString() });
  proxiedPool.on('error', () => {});
  try {
    await scenario(new PostgresStore({ pool: proxiedPool, schema }), proxy);
  } finally {
    await proxy.stop();
    await proxiedPool.end().catch(() => {});
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  }
}
