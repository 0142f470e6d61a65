// A six-node Redis Cluster (three primaries, three replicas) on free 127.0.0.1 ports for the
// `*-redis-cluster` rows, started by bench/run.js before it pins any process (the nodes are
// left to the scheduler, like the shared Redis) and stopped when the run ends. Fails loudly
// when redis-server or redis-cli is missing. The tests start theirs with
// test/helpers/redis-cluster.ts; this is the same recipe in plain JavaScript.
'use strict';
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

function program(name) {
  for (const dir of ['/usr/bin', '/usr/local/bin', ...(process.env.PATH || '').split(path.delimiter)]) {
    const file = path.join(dir, name);
    if (fs.existsSync(file)) return file;
  }
  throw new Error(`bench: ${name} is not installed; install it with apt-get install redis-server (redis-cli comes with it)`);
}

/** `count` free ports, all held open until every one is chosen. */
async function freePorts(count) {
  const servers = Array.from({ length: count }, () => net.createServer());
  await Promise.all(servers.map((server) => new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))));
  const ports = servers.map((server) => server.address().port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/** The environment of an engine: without libfaketime's preload. */
function engineEnv() {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name === 'LD_PRELOAD' || name.startsWith('FAKETIME')) delete env[name];
  return env;
}

const cli = (args) => execFileSync(program('redis-cli'), args, { env: engineEnv(), encoding: 'utf8', timeout: 30_000 });

/** Starts the cluster; resolves to { nodes: 'host:port,…', stop() }. */
async function startRedisCluster() {
  const server = program('redis-server');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-bench-cluster-'));
  const chosen = await freePorts(12);
  const ports = chosen.slice(0, 6);
  const children = ports.map((port, index) =>
    spawn(server, [
      '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', dir,
      '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-port', String(chosen[6 + index]), '--cluster-node-timeout', '1000',
    ], { stdio: 'ignore', env: engineEnv() }),
  );
  const stop = () => {
    for (const child of children) child.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + 30_000;
    const until = async (what, holds) => {
      while (!holds()) {
        if (Date.now() > deadline) throw new Error(`bench: the Redis Cluster: ${what} within 30 s`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    const answers = (port, ...args) => {
      try {
        return cli(['-p', String(port), ...args]);
      } catch {
        return '';
      }
    };
    await until('nodes not answering', () => ports.every((port) => answers(port, 'PING').includes('PONG')));
    cli(['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '1', '--cluster-yes']);
    await until('not ok', () => ports.every((port) => answers(port, 'CLUSTER', 'INFO').includes('cluster_state:ok')));
    await until('replicas not in sync', () =>
      ports.every((port) => {
        const replication = answers(port, 'INFO', 'replication');
        return replication.includes('role:master') || replication.includes('master_link_status:up');
      }),
    );
  } catch (error) {
    stop();
    throw error;
  }
  return { nodes: ports.map((port) => `127.0.0.1:${port}`).join(','), stop };
}

module.exports = { startRedisCluster };
