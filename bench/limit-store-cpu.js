#!/usr/bin/env node
// `node bench/limit-store-cpu.js --store postgres|redis [--concurrent 50] [--checks 10000] [--root DIR]`:
// the CPU one rate-limited API key check (`findTokenAndConsume`, one counter of 1h) costs this
// process (the client) and the store's server processes (every `postgres` or `redis-server`
// process of the machine, read from /proc, so run it where no other work uses them), with
// `--concurrent` checks of one hot key in flight at once (one pass of the event loop: one
// batch). Three measurements of `--checks` checks each, after 50 rounds to warm up. CPU time,
// not wall time, so a machine shared with other work still gives a usable figure (bench/profiling.md, issue 29).
// `--root` takes another checkout's built package (its dist/ and migrations/), to compare two builds.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const option = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : process.argv[at + 1];
};
const STORE = option('store', 'postgres');
const CONCURRENT = Number(option('concurrent', 50));
const CHECKS = Number(option('checks', 10_000));
const ROOT = path.resolve(option('root', path.join(__dirname, '..')));
const fromRoot = (file) => require(path.join(ROOT, 'dist', file));

/** CPU µs of every process whose name starts with `name` (utime + stime, at 100 ticks a second). */
function serverMicros(name) {
  let ticks = 0;
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let stat;
    try {
      stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    if (!stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).startsWith(name)) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks * 10_000;
}

async function open() {
  if (STORE === 'postgres') {
    const { Pool } = require('pg');
    const { PostgresStore, migrate, POSTGRES_FAIL_FAST_OPTIONS } = fromRoot('store/postgres.js');
    const pool = new Pool({ connectionString: process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test', ...POSTGRES_FAIL_FAST_OPTIONS });
    const schema = `gatehouse_limit_cpu_${process.pid}`;
    await migrate(pool, { schema });
    return { store: new PostgresStore({ pool, schema }), server: 'postgres', close: async () => (await pool.query(`DROP SCHEMA "${schema}" CASCADE`), pool.end()) };
  }
  const { Redis } = require('ioredis');
  const { RedisStore, REDIS_FAIL_FAST_OPTIONS } = fromRoot('store/redis.js');
  const client = new Redis(process.env.REDIS_URL || 'redis://127.0.0.1:6379', REDIS_FAIL_FAST_OPTIONS);
  const keyPrefix = `gatehouse-limit-cpu:${process.pid}:`;
  const close = async () => {
    const keys = await client.keys(`${keyPrefix}*`);
    if (keys.length > 0) await client.del(keys);
    client.disconnect();
  };
  return { store: new RedisStore({ client, keyPrefix }), server: 'redis-server', close };
}

async function main() {
  const { monthWindow } = fromRoot('rate-limits/policy.js');
  const { store, server, close } = await open();
  const hash = 'c'.repeat(64);
  const now = Date.now();
  const details = { start: 'gthkey_AbCd', expiresAt: null, disabledAt: null, metadata: null, service: null, replaces: null, replacedBy: null };
  await store.saveToken({ hash, kind: 'apiKey', actorId: 'bench', createdAt: now, expiresAt: null, usedAt: null, lastUsedAt: null, label: null, roles: null, familyId: null, data: { apiKey: details } });
  const plan = { kind: 'apiKey', cost: 1, defaults: [{ name: 'bench', limit: 1_000_000_000, window: 3_600_000, quota: false }], perActor: [], month: monthWindow(now) };
  const round = async () => {
    const found = await Promise.all(Array.from({ length: CONCURRENT }, () => store.findTokenAndConsume(hash, plan, Date.now())));
    if (!found.every((result) => result?.outcome?.allowed)) throw new Error('a check was refused or found nothing');
  };
  for (let i = 0; i < 50; i += 1) await round();
  const rounds = Math.max(1, Math.round(CHECKS / CONCURRENT));
  const checks = rounds * CONCURRENT;
  for (let run = 1; run <= 3; run += 1) {
    const serverBefore = serverMicros(server);
    const before = process.cpuUsage();
    for (let i = 0; i < rounds; i += 1) await round();
    const client = process.cpuUsage(before);
    const serverUsed = serverMicros(server) - serverBefore;
    console.log(`${STORE}, ${CONCURRENT} at once, run ${run}: client ${((client.user + client.system) / checks).toFixed(1)} µs, ${server} ${(serverUsed / checks).toFixed(1)} µs CPU a check (${ROOT})`);
  }
  await close();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
