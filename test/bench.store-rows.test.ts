import path from 'node:path';
import { ensureBuilt, ROOT } from './helpers/build';
import { useRedisCluster } from './helpers/redis-cluster';
import { connectPostgres, connectRedis } from './helpers/services';

/**
 * The benchmark rows over RedisStore and PostgresStore (issue 20) answer what they claim:
 * each server, started as the harness starts it, answers 200 to its credential (twice: the
 * second is the cached or repeated path the row measures) and 401 without it, and leaves
 * no key prefix or schema behind when it stops. Nothing is timed here.
 */
describe('bench rows with a real store', () => {
  const { startServer } = require(path.join(ROOT, 'bench', 'harness.js'));
  const { STORE_ROWS } = require(path.join(ROOT, 'bench', 'rows.js'));

  // The cluster rows' servers are told where this test's cluster is (bench/run.js tells them
  // through REDIS_CLUSTER_NODES).
  const { cluster } = useRedisCluster();
  beforeAll(() => ensureBuilt());

  it('has bearer, cookie, JWT, Basic-repeated and rate-limited API key rows for both stores, and bearer and cookie on a Redis Cluster', () => {
    expect(STORE_ROWS.map((row: { id: string }) => row.id).sort()).toEqual(
      [...['bearer', 'cookie', 'jwt', 'basic-repeated', 'apiKeyLimited'].flatMap((scheme) => [`${scheme}-postgres`, `${scheme}-redis`]), 'bearer-redis-cluster', 'cookie-redis-cluster'].sort(),
    );
  });

  const cases: Array<[string, unknown]> = STORE_ROWS.map((row: { id: string }) => [row.id, row]);
  it.each(cases)('%s answers 200 with its credential, 401 without, and cleans up', async (id, row) => {
    const { options } = row as { options: Record<string, unknown> };
    const nodes = id.endsWith('-redis-cluster') ? { redisClusterNodes: cluster().ports.map((port) => `127.0.0.1:${port}`).join(',') } : {};
    const server = await startServer({ ...(row as object), options: { ...options, ...nodes } }, {});
    const pid: number = server.child.pid;
    let stopped = false;
    try {
      for (let i = 0; i < 2; i += 1) {
        const response = await fetch(server.base + server.request.path, { headers: server.request.headers });
        expect({ id, status: response.status }).toEqual({ id, status: 200 });
      }
      const { Cookie: _cookie, Authorization: _authorization, ...rest } = server.request.headers;
      const without = await fetch(server.base + server.request.path, { headers: rest });
      expect(without.status).toBe(401);
      await new Promise((resolve) => {
        server.child.once('exit', resolve);
        server.child.kill();
      });
      stopped = true;
    } finally {
      if (!stopped) server.child.kill();
    }
    if (id.endsWith('-redis-cluster')) {
      const client = cluster().client();
      for (const node of client.nodes('master')) expect(await node.keys(`gatehouse-bench:${pid}:*`)).toEqual([]);
    } else if (id.endsWith('-redis')) {
      const client = await connectRedis();
      try {
        expect(await client.keys(`gatehouse-bench:${pid}:*`)).toEqual([]);
      } finally {
        client.disconnect();
      }
    } else {
      const pool = await connectPostgres(1);
      try {
        const { rows } = await pool.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [`gatehouse_bench_${pid}`]);
        expect(rows).toEqual([]);
      } finally {
        await pool.end();
      }
    }
  }, 60_000);
});
