/**
 * A Redis Cluster of the test's own: six `redis-server --cluster-enabled yes` nodes on free
 * loopback ports (three primaries, three replicas, made a cluster by `redis-cli --cluster
 * create --cluster-replicas 1`), with their files in a temporary directory. The shared Redis
 * on 6379 is not touched. Fails (never skips) when redis-server or redis-cli is missing.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Cluster, Redis, type ClusterOptions } from 'ioredis';
import { REDIS_FAIL_FAST_OPTIONS } from '../../src/store/redis';
import {
  crashEngine,
  engineDir,
  realClockEnv,
  redisAnswers,
  redisServerArgs,
  removeDir,
  requireProgram,
  requireRedisServer,
  startEngine,
  useEngine,
  waitFor,
  type EngineProcess,
} from './engine-process';
import { closedPorts } from './services';

const run = promisify(execFile);

/** How long a node may be unreachable before the cluster calls it failed (and promotes its replica). */
const CLUSTER_NODE_TIMEOUT_MS = 1000;

/** One node as `CLUSTER NODES` reports it. */
interface ClusterNode {
  port: number;
  role: 'primary' | 'replica';
  /** The node id of its primary (replicas only). */
  primaryId: string | null;
  id: string;
}

export interface RedisCluster {
  /** The six nodes' ports, in the order they were given to `redis-cli --cluster create`. */
  ports: number[];
  /** An ioredis Cluster client with the fail-fast options (disconnected by `stop`). */
  client(options?: ClusterOptions): Cluster;
  /** A plain client of one node (disconnected by `stop`). */
  direct(port: number): Redis;
  /** Every live node's role, as the node on `askPort` (or the first live one) sees the cluster. */
  nodes(askPort?: number): Promise<ClusterNode[]>;
  /** The port of the primary that serves `key`'s slot now, and of its replica. */
  ownersOf(key: string): Promise<{ primary: number; replica: number }>;
  /** Resolves once the replica of the primary on `port` has every write the primary had when called. */
  replicated(port: number): Promise<void>;
  /** Stops one node's process (SIGSTOP) until `thaw`: a node that holds its connections and answers nothing. */
  freeze(port: number): void;
  thaw(port: number): void;
  /** Kills one node (SIGKILL: no shutdown, no last save), as a crash would. */
  crash(port: number): Promise<void>;
  stop(): Promise<void>;
}

function parseNodes(text: string): ClusterNode[] {
  return text
    .trim()
    .split('\n')
    .map((line) => line.split(' '))
    .filter((fields) => !fields[2].includes('fail') && !fields[2].includes('noaddr'))
    .map((fields) => ({
      id: fields[0],
      port: Number(/:(\d+)@/.exec(fields[1])![1]),
      role: fields[2].includes('master') ? ('primary' as const) : ('replica' as const),
      primaryId: fields[3] === '-' ? null : fields[3],
    }));
}

async function startRedisCluster(): Promise<RedisCluster> {
  const server = requireRedisServer();
  const cli = requireProgram('redis-cli', ['/usr/bin/redis-cli', '/usr/local/bin/redis-cli'], 'apt-get install redis-tools');
  const dir = engineDir('cluster');
  // Data ports and cluster-bus ports, all chosen together (port + 10000, Redis's default
  // bus port, may be past 65535 or taken).
  const chosen = await closedPorts(12);
  const ports = chosen.slice(0, 6);
  const busPorts = chosen.slice(6);
  const engines: EngineProcess[] = [];
  const clients: Array<Redis | Cluster> = [];
  const stop = async () => {
    for (const client of clients) client.disconnect();
    for (const engine of engines) {
      engine.child.kill('SIGCONT'); // a frozen node would not act on SIGTERM
      await engine.stop();
    }
    removeDir(dir);
  };
  try {
    for (const [index, port] of ports.entries()) {
      engines.push(
        await startEngine({
          name: `Redis cluster node ${port}`,
          command: server,
          args: redisServerArgs(port, dir, [
            '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`,
            '--cluster-port', String(busPorts[index]),
            '--cluster-node-timeout', String(CLUSTER_NODE_TIMEOUT_MS),
          ]),
          ready: () => redisAnswers(port, async (c) => (await c.ping()) === 'PONG'),
        }),
      );
    }
    await run(cli, ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '1', '--cluster-yes'], {
      env: realClockEnv(),
      timeout: 30_000,
    });
    // Ready once every node agrees the cluster is ok, knows a replica for every primary (gossip
    // takes a moment to spread), and every replica's link to its primary is up.
    await waitFor('the cluster to be ok on every node, every replica known and in sync', async () => {
      for (const port of ports) {
        const ok = await redisAnswers(port, async (c) => {
          if (!(await c.call('CLUSTER', 'INFO') as string).includes('cluster_state:ok')) return false;
          const ranges = (await c.call('CLUSTER', 'SLOTS')) as unknown[][];
          if (ranges.length !== 3 || ranges.some((range) => range.length < 4)) return false;
          const replication = await c.info('replication');
          return replication.includes('role:master') || replication.includes('master_link_status:up');
        });
        if (!ok) return false;
      }
      return true;
    });
  } catch (error) {
    await stop();
    throw error;
  }
  const keep = <T extends Redis | Cluster>(client: T) => {
    client.on('error', () => {});
    clients.push(client);
    return client;
  };
  const cluster: RedisCluster = {
    ports,
    client: (options = {}) =>
      keep(
        new Cluster(ports.slice(0, 3).map((port) => ({ host: '127.0.0.1', port })), {
          ...options,
          redisOptions: { ...REDIS_FAIL_FAST_OPTIONS, ...options.redisOptions },
        }),
      ),
    direct: (port) => keep(new Redis({ host: '127.0.0.1', port, commandTimeout: 2000 })),
    nodes: async (askPort) => {
      const live = askPort === undefined ? await firstLive(ports) : askPort;
      return parseNodes(await redisAnswers(live, async (c) => (await c.call('CLUSTER', 'NODES')) as string));
    },
    ownersOf: async (key) => {
      const live = await firstLive(ports);
      const slot = await redisAnswers(live, async (c) => (await c.call('CLUSTER', 'KEYSLOT', key)) as number);
      const ranges = await redisAnswers(live, async (c) => (await c.call('CLUSTER', 'SLOTS')) as Array<[number, number, [string, number], [string, number]]>);
      const range = ranges.find(([from, to]) => slot >= from && slot <= to);
      if (!range) throw new Error(`no node serves slot ${slot}`);
      return { primary: range[2][1], replica: range[3][1] };
    },
    replicated: async (port) => {
      const offset = (info: string, field: RegExp) => Number(field.exec(info)?.[1] ?? -1);
      const target = offset(await redisAnswers(port, (c) => c.info('replication')), /master_repl_offset:(\d+)/);
      await waitFor(`the replica of ${port} reaching offset ${target}`, async () =>
        offset(await redisAnswers(port, (c) => c.info('replication')), /slave0:[^\n]*offset=(\d+)/) >= target,
      );
    },
    freeze: (port) => void engines[ports.indexOf(port)].child.kill('SIGSTOP'),
    thaw: (port) => void engines[ports.indexOf(port)].child.kill('SIGCONT'),
    crash: (port) => crashEngine(engines[ports.indexOf(port)]),
    stop,
  };
  return cluster;
}

async function firstLive(ports: number[]): Promise<number> {
  for (const port of ports) {
    if (await redisAnswers(port, async (c) => (await c.ping()) === 'PONG').catch(() => false)) return port;
  }
  throw new Error('no cluster node answers');
}

/** A six-node cluster started in `beforeAll` and stopped in `afterAll`. */
export function useRedisCluster(): { cluster: () => RedisCluster } {
  return { cluster: useEngine('The Redis Cluster', startRedisCluster) };
}
