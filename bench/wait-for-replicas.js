#!/usr/bin/env node
// `node bench/wait-for-replicas.js [--calls 300]`: what RedisStore's `waitForReplicas`
// costs. On a six-node Redis Cluster of its own (bench/redis-cluster.js), times `calls`
// sequential revocation writes (saveRevocation, and deleteToken of a saved token) without
// and with `waitForReplicas: { replicas: 1, timeoutMs: 500 }`, alternating the two stores
// call by call, and prints the medians and p99s. Reads are not affected and not timed.
'use strict';
const { Cluster } = require('ioredis');
const { RedisStore, REDIS_FAIL_FAST_OPTIONS } = require('express-gatehouse/redis');
const { startRedisCluster } = require('./redis-cluster');

const at = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const summary = (times) => {
  const sorted = [...times].sort((a, b) => a - b);
  return { median: at(sorted, 0.5), p99: at(sorted, 0.99) };
};

async function main() {
  const callsAt = process.argv.indexOf('--calls');
  const calls = callsAt === -1 ? 300 : Number(process.argv[callsAt + 1]);
  const cluster = await startRedisCluster();
  const client = new Cluster(cluster.nodes.split(',').map((node) => ({ host: '127.0.0.1', port: Number(node.split(':')[1]) })), { redisOptions: REDIS_FAIL_FAST_OPTIONS });
  client.on('error', () => {});
  try {
    const keyPrefix = `gatehouse-bench-wait:${process.pid}:`;
    const stores = {
      'no WAIT': new RedisStore({ client, keyPrefix }),
      'waitForReplicas 1': new RedisStore({ client, keyPrefix, waitForReplicas: { replicas: 1, timeoutMs: 500 } }),
    };
    const times = { 'no WAIT': { saveRevocation: [], deleteToken: [] }, 'waitForReplicas 1': { saveRevocation: [], deleteToken: [] } };
    const record = (index) => ({
      hash: String(index).padStart(64, '0'), kind: 'session', actorId: `actor-${index % 50}`, createdAt: Date.now(), expiresAt: Date.now() + 600_000,
      usedAt: null, lastUsedAt: null, label: null, roles: null, familyId: null, data: null,
    });
    for (let i = 0; i < calls + 20; i += 1) {
      const order = i % 2 === 0 ? ['no WAIT', 'waitForReplicas 1'] : ['waitForReplicas 1', 'no WAIT'];
      for (const name of order) {
        const store = stores[name];
        const index = name === 'no WAIT' ? 2 * i : 2 * i + 1;
        let start = process.hrtime.bigint();
        await store.saveRevocation(`jti:${index}`, Date.now(), Date.now() + 600_000);
        const revocation = Number(process.hrtime.bigint() - start) / 1000;
        await store.saveToken(record(index));
        start = process.hrtime.bigint();
        await store.deleteToken(record(index).hash);
        const deletion = Number(process.hrtime.bigint() - start) / 1000;
        // The first 20 rounds warm up connections and script caches.
        if (i >= 20) {
          times[name].saveRevocation.push(revocation);
          times[name].deleteToken.push(deletion);
        }
      }
    }
    console.log(`| write (${calls} calls each, µs) | no WAIT median | p99 | waitForReplicas 1 median | p99 |`);
    console.log('|---|---:|---:|---:|---:|');
    for (const write of ['saveRevocation', 'deleteToken']) {
      const plain = summary(times['no WAIT'][write]);
      const waiting = summary(times['waitForReplicas 1'][write]);
      console.log(`| ${write} | ${plain.median.toFixed(0)} | ${plain.p99.toFixed(0)} | ${waiting.median.toFixed(0)} | ${waiting.p99.toFixed(0)} |`);
    }
  } finally {
    client.disconnect();
    cluster.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
