/**
 * Connections to the real Redis and PostgreSQL the store tests run against. When a
 * service is down the tests fail (never skip) with the URL and how to start it.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { Redis } from 'ioredis';
import { Pool } from 'pg';
import { redactUrl } from '../../src/cli/redact-url';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const START_REDIS =
  'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log';
const START_POSTGRES = 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start';

/** A suffix that keeps parallel jest workers and repeated runs apart. */
export function runId(): string {
  return randomBytes(4).toString('hex');
}

/** A connected ioredis client with a command timeout, or an error saying how to start Redis. */
export async function connectRedis(): Promise<Redis> {
  const client = new Redis(REDIS_URL, {
    lazyConnect: true,
    commandTimeout: 2000,
    connectTimeout: 2000,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  // ioredis rejects with "Connection is closed."; the socket error says why.
  let socketError: Error | undefined;
  client.on('error', (error: Error) => {
    socketError ??= error;
  });
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    client.disconnect();
    throw new Error(
      `Redis is not reachable at ${redactUrl(REDIS_URL)} (${(socketError ?? (error as Error)).message}). ` +
        `Start it with: ${START_REDIS} — or point REDIS_URL at a running server.`,
    );
  }
  return client;
}

/** A pg pool that has answered a query, or an error saying how to start PostgreSQL. */
export async function connectPostgres(max = 10): Promise<Pool> {
  const pool = new Pool({ connectionString: DATABASE_URL, connectionTimeoutMillis: 2000, max });
  pool.on('error', () => {});
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => {});
    throw new Error(
      `PostgreSQL is not reachable at ${redactUrl(DATABASE_URL)} (${(error as Error).message}). ` +
        `Start it with: ${START_POSTGRES} — or point DATABASE_URL at a running server.`,
    );
  }
  return pool;
}

/** Deletes every key under a prefix (SCAN is fine here: test cleanup only). */
export async function deleteRedisKeys(client: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    if (keys.length > 0) await client.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** A 127.0.0.1 port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A TCP server that accepts connections and never answers: a stalled service. */
export async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Resolves to how the promise settled, or rejects if it has not settled within `limitMs`:
 * the bound a fail-fast store must meet (generous, so a slow CI machine still passes).
 */
export async function settleWithin<T>(promise: Promise<T>, limitMs: number): Promise<{ ok: true; value: T } | { ok: false; error: Error }> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the store call was still pending after ${limitMs} ms`)), limitMs);
  });
  try {
    return await Promise.race([
      promise.then(
        (value) => ({ ok: true as const, value }),
        (error: Error) => ({ ok: false as const, error }),
      ),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Calls one read and one write of each store part at once (handlers attached together, so
 * no rejection goes unhandled while another is awaited) and reports which settled as a
 * rejection within the bound.
 */
export async function everyPartRejectsWithin(
  store: Pick<import('../../src').GatehouseStore, 'findToken' | 'markTokenUsed' | 'recordFailedAttempt' | 'findRevocations'>,
  hash: string,
  limitMs: number,
): Promise<boolean[]> {
  const policy = { maxAttempts: 5, windowMs: 60_000, lockMs: 60_000 };
  const calls: Array<Promise<unknown>> = [
    store.findToken(hash),
    store.markTokenUsed(hash, Date.now()),
    store.recordFailedAttempt('login', policy, Date.now()),
    store.findRevocations(['jti']),
  ];
  const outcomes = await Promise.all(calls.map((call) => settleWithin(call, limitMs)));
  return outcomes.map((outcome) => !outcome.ok);
}

/**
 * A throwaway PostgreSQL schema, migrated in `beforeAll` and dropped in `afterAll`, so each
 * test file and jest worker works apart. `pool()` fails loudly when PostgreSQL is down.
 */
export function useMigratedSchema(prefix: string): { schema: string; pool: () => Pool } {
  const schema = `${prefix}_${runId()}`;
  let pool: Pool | undefined;
  beforeAll(async () => {
    pool = await connectPostgres();
    const { migrate } = await import('../../src/store/postgres');
    await migrate(pool, { schema });
  });
  afterAll(async () => {
    if (!pool) return;
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  });
  return {
    schema,
    pool: () => {
      if (!pool) throw new Error('PostgreSQL is not connected; see the beforeAll error above.');
      return pool;
    },
  };
}

/**
 * Throwaway PostgreSQL schemas made by the test itself (`freshSchema`), all dropped in
 * `afterAll`, on one pool connected in `beforeAll`: for tests of `migrate` itself.
 */
export function useThrowawaySchemas(prefix: string, max = 20): { pool: () => Pool; freshSchema: (label: string) => string } {
  const run = runId();
  const schemas: string[] = [];
  let pool: Pool | undefined;
  beforeAll(async () => {
    pool = await connectPostgres(max);
  });
  afterAll(async () => {
    if (!pool) return;
    for (const schema of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  });
  return {
    pool: () => {
      if (!pool) throw new Error('PostgreSQL is not connected; see the beforeAll error above.');
      return pool;
    },
    freshSchema: (label) => {
      const schema = `${prefix}_${label}_${run}`;
      schemas.push(schema);
      return schema;
    },
  };
}

/**
 * A Redis client connected in `beforeAll` and a key prefix of this run, whose keys are
 * deleted in `afterAll`. `client()` fails loudly when Redis is down.
 */
export function useRedisPrefix(label: string): { keyPrefix: string; client: () => Redis } {
  const keyPrefix = `gatehouse-test:${label}:${runId()}:`;
  let client: Redis | undefined;
  beforeAll(async () => {
    client = await connectRedis();
  });
  afterAll(async () => {
    if (!client) return;
    await deleteRedisKeys(client, keyPrefix);
    client.disconnect();
  });
  return {
    keyPrefix,
    client: () => {
      if (!client) throw new Error('Redis is not connected; see the beforeAll error above.');
      return client;
    },
  };
}
