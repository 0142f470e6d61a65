#!/usr/bin/env node
// `node bench/redis-client-cpu.js [--concurrent 20]`: the client CPU one token lookup (`findToken`, the read of
// an opaque bearer or cookie request) costs RedisStore over a plain ioredis client (the shared
// Redis at REDIS_URL) and over an ioredis Cluster client (a six-node cluster of its own,
// bench/redis-cluster.js): 100 000 lookups, 20 (or --concurrent) at a time, after 2 000 rounds
// to warm up, two runs each, alternating. What the `*-redis-cluster` rows would show on a quiet machine.
'use strict';
const { Redis, Cluster } = require('ioredis');
const { RedisStore, REDIS_FAIL_FAST_OPTIONS } = require('express-gatehouse/redis');
const { startRedisCluster } = require('./redis-cluster');

const concurrentAt = process.argv.indexOf('--concurrent');
/** Lookups in flight at once: the plain client batches them into one script (ReadBatch); the Cluster client cannot (their keys are in different slots). */
const CONCURRENT = concurrentAt === -1 ? 20 : Number(process.argv[concurrentAt + 1]);
const ROUNDS = 100_000 / CONCURRENT;

async function measure(store) {
  const hashes = Array.from({ length: CONCURRENT }, (_, index) => String(index).padStart(64, 'e'));
  for (const hash of hashes) {
    await store.saveToken({ hash, kind: 'session', actorId: 'bench', createdAt: Date.now(), expiresAt: Date.now() + 600_000, usedAt: null, lastUsedAt: null, label: null, roles: null, familyId: null, data: null });
  }
  const round = () => Promise.all(hashes.map((hash) => store.findToken(hash)));
  for (let i = 0; i < 2000; i += 1) await round();
  const before = process.cpuUsage();
  for (let i = 0; i < ROUNDS; i += 1) await round();
  const used = process.cpuUsage(before);
  await store.deleteTokensForActor('bench');
  return (used.user + used.system) / (ROUNDS * CONCURRENT);
}

async function main() {
  const cluster = await startRedisCluster();
  const single = new Redis(process.env.REDIS_URL || 'redis://127.0.0.1:6379', REDIS_FAIL_FAST_OPTIONS);
  const nodes = cluster.nodes.split(',').map((node) => ({ host: '127.0.0.1', port: Number(node.split(':')[1]) }));
  const clustered = new Cluster(nodes, { redisOptions: REDIS_FAIL_FAST_OPTIONS });
  const autoPipelined = new Cluster(nodes, { redisOptions: REDIS_FAIL_FAST_OPTIONS, enableAutoPipelining: true });
  const keyPrefix = `gatehouse-bench-cpu:${process.pid}:`;
  try {
    console.log(`${CONCURRENT} lookups at a time`);
    console.log('| run | plain client µs/lookup | Cluster client µs/lookup | Cluster client, enableAutoPipelining, µs/lookup |');
    console.log('|---|---:|---:|---:|');
    for (let run = 1; run <= 2; run += 1) {
      const plain = await measure(new RedisStore({ client: single, keyPrefix }));
      const onCluster = await measure(new RedisStore({ client: clustered, keyPrefix }));
      const pipelined = await measure(new RedisStore({ client: autoPipelined, keyPrefix }));
      console.log(`| ${run} | ${plain.toFixed(1)} | ${onCluster.toFixed(1)} | ${pipelined.toFixed(1)} |`);
    }
  } finally {
    single.disconnect();
    clustered.disconnect();
    autoPipelined.disconnect();
    cluster.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
