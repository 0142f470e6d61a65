/**
 * A Sentinel-managed Redis of the test's own: a primary, one replica and one sentinel
 * monitoring them as `gh`, each a `redis-server` on a free loopback port with its files in
 * a temporary directory (the shared Redis on 6379 is not touched). Fails (never skips)
 * when redis-server is not installed.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';
import { REDIS_FAIL_FAST_OPTIONS } from '../../src/store/redis';
import { crashEngine, engineDir, redisAnswers, redisServerArgs, removeDir, requireRedisServer, startEngine, useEngine, type EngineProcess } from './engine-process';
import { closedPorts } from './services';

/** The name the sentinel monitors the primary under. */
export const SENTINEL_MASTER_NAME = 'gh';

export interface SentinelGroup {
  /** The sentinel's port. */
  sentinelPort: number;
  /** The ports of the two data servers; the first starts as primary. */
  serverPorts: [number, number];
  /** An ioredis client that finds the primary through the sentinel (disconnected by `stop`). */
  client(options?: RedisOptions): Redis;
  /** A plain client of one server or of the sentinel (disconnected by `stop`). */
  direct(port: number): Redis;
  /** The primary's port, as the sentinel reports it. */
  primaryPort(): Promise<number>;
  /** Kills one of the two data servers (SIGKILL: no shutdown, no last save), as a crash would. */
  crash(port: number): Promise<void>;
  stop(): Promise<void>;
}

async function startSentinelGroup(): Promise<SentinelGroup> {
  const program = requireRedisServer();
  const dir = engineDir('sentinel');
  const [primary, replica, sentinel] = await closedPorts(3);
  const engines: EngineProcess[] = [];
  const clients: Redis[] = [];
  const stop = async () => {
    for (const client of clients) client.disconnect();
    for (const engine of engines.reverse()) await engine.stop();
    removeDir(dir);
  };
  try {
    engines.push(await startEngine({ name: 'Redis primary', command: program, args: redisServerArgs(primary, dir), ready: () => redisAnswers(primary, async (c) => (await c.ping()) === 'PONG') }));
    engines.push(
      await startEngine({
        name: 'Redis replica',
        command: program,
        args: redisServerArgs(replica, dir, ['--replicaof', '127.0.0.1', String(primary)]),
        ready: () => redisAnswers(replica, async (c) => (await c.info('replication')).includes('master_link_status:up')),
      }),
    );
    const conf = path.join(dir, 'sentinel.conf');
    // The sentinel rewrites its configuration file as it learns, so it lives in the temp dir.
    writeFileSync(
      conf,
      [
        `port ${sentinel}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${SENTINEL_MASTER_NAME} 127.0.0.1 ${primary} 1`,
        `sentinel down-after-milliseconds ${SENTINEL_MASTER_NAME} 1000`,
        `sentinel failover-timeout ${SENTINEL_MASTER_NAME} 10000`,
        `sentinel parallel-syncs ${SENTINEL_MASTER_NAME} 1`,
        '',
      ].join('\n'),
    );
    engines.push(
      await startEngine({
        name: 'Redis sentinel',
        command: program,
        args: [conf, '--sentinel'],
        // Ready once it knows the replica: a failover needs one to promote.
        ready: () =>
          redisAnswers(sentinel, async (c) => {
            const replicas = (await c.call('SENTINEL', 'REPLICAS', SENTINEL_MASTER_NAME)) as string[][];
            return replicas.some((fields) => fields[fields.indexOf('flags') + 1] === 'slave');
          }),
      }),
    );
  } catch (error) {
    await stop();
    throw error;
  }
  const keep = (client: Redis) => {
    client.on('error', () => {});
    clients.push(client);
    return client;
  };
  const group: SentinelGroup = {
    sentinelPort: sentinel,
    serverPorts: [primary, replica],
    client: (options = {}) =>
      keep(new Redis({ ...REDIS_FAIL_FAST_OPTIONS, sentinels: [{ host: '127.0.0.1', port: sentinel }], name: SENTINEL_MASTER_NAME, ...options })),
    direct: (port) => keep(new Redis({ host: '127.0.0.1', port, commandTimeout: 2000 })),
    crash: (port) => crashEngine(engines[group.serverPorts.indexOf(port)]),
    primaryPort: async () => {
      const [, port] = await redisAnswers(sentinel, async (c) => (await c.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SENTINEL_MASTER_NAME)) as string[]);
      return Number(port);
    },
    stop,
  };
  return group;
}

/** A sentinel group started in `beforeAll` and stopped in `afterAll`. */
export function useSentinelGroup(): { group: () => SentinelGroup } {
  return { group: useEngine('The Redis sentinel group', startSentinelGroup) };
}
