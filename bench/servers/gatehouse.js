// Gatehouse in front of one route, in the configuration a row names: no credential, API
// key, opaque bearer, JWT, Basic (cached or not), cookie session; MemoryStore, RedisStore or
// PostgresStore behind the tokens, revocations and counters.
'use strict';
const express = require('express');
const { gatehouse, MemoryStore, combineStores } = require('express-gatehouse');

const PASSWORD = 'correct horse battery';
const API_KEY = 'bench-api-key-0123456789';
const JWT_SECRET = 'bench-jwt-secret-that-is-32-bytes-long!';
const COOKIE_SECRET = 'bench-cookie-secret-of-at-least-32-chars';

async function post(url, body, headers = {}) {
  const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
  return response;
}

/**
 * A scheme names what is presented and, after a dash, the store behind tokens, revocations
 * and failed-attempt counters: `bearer-redis`, `cookie-postgres`, `basic-repeated-redis`,
 * `bearer-redis-cluster` (a Cluster client of the cluster REDIS_CLUSTER_NODES names).
 * Without a store suffix everything lives in one MemoryStore.
 */
const STORE_SUFFIX = /-(memory|redis-cluster|redis|postgres)$/;
function parseScheme(scheme) {
  const match = STORE_SUFFIX.exec(scheme);
  return match ? { credential: scheme.slice(0, match.index), storeKind: match[1] } : { credential: scheme, storeKind: 'memory' };
}

/**
 * RedisStore under a throwaway key prefix; fails loudly when Redis is down. The keys are
 * deleted when the server stops.
 */
async function redisTokens() {
  const Redis = require('ioredis');
  const { RedisStore, REDIS_FAIL_FAST_OPTIONS } = require('express-gatehouse/redis');
  const url = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  const client = new Redis(url, { ...REDIS_FAIL_FAST_OPTIONS, lazyConnect: true });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    client.disconnect();
    throw new Error(`bench: Redis is not reachable at ${url} (${error.message}); start it or set REDIS_URL`);
  }
  const keyPrefix = `gatehouse-bench:${process.pid}:`;
  return {
    tokens: new RedisStore({ client, keyPrefix }),
    close: async () => {
      let cursor = '0';
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 500); // bench cleanup only
        if (keys.length) await client.del(...keys);
        cursor = next;
      } while (cursor !== '0');
      client.disconnect();
    },
  };
}

/**
 * RedisStore over an ioredis Cluster client of the cluster named by REDIS_CLUSTER_NODES
 * (`host:port,…`; bench/run.js starts one for these rows) or by the row's `redisClusterNodes`,
 * under a throwaway key prefix, deleted when the server stops.
 */
async function redisClusterTokens(named = process.env.REDIS_CLUSTER_NODES) {
  const { Cluster } = require('ioredis');
  const { RedisStore, REDIS_FAIL_FAST_OPTIONS } = require('express-gatehouse/redis');
  const nodes = (named || '').split(',').filter(Boolean).map((node) => {
    const [host, port] = node.split(':');
    return { host, port: Number(port) };
  });
  if (nodes.length === 0) throw new Error('bench: REDIS_CLUSTER_NODES is not set (host:port,…); bench/run.js starts a cluster for the *-redis-cluster rows');
  const client = new Cluster(nodes, { redisOptions: REDIS_FAIL_FAST_OPTIONS });
  client.on('error', () => {});
  const keyPrefix = `gatehouse-bench:${process.pid}:`;
  return {
    tokens: new RedisStore({ client, keyPrefix }),
    close: async () => {
      for (const node of client.nodes('master')) {
        let cursor = '0';
        do {
          const [next, keys] = await node.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 500); // bench cleanup only
          for (const key of keys) await node.del(key);
          cursor = next;
        } while (cursor !== '0');
      }
      client.disconnect();
    },
  };
}

/**
 * PostgresStore in a throwaway schema, migrated here and dropped when the server stops;
 * fails loudly when PostgreSQL is down.
 */
async function postgresTokens() {
  const { Pool } = require('pg');
  const { PostgresStore, POSTGRES_FAIL_FAST_OPTIONS, migrate } = require('express-gatehouse/postgres');
  const url = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
  const pool = new Pool({ connectionString: url, ...POSTGRES_FAIL_FAST_OPTIONS });
  pool.on('error', () => {});
  const schema = `gatehouse_bench_${process.pid}`;
  try {
    await migrate(pool, { schema });
  } catch (error) {
    await pool.end().catch(() => {});
    throw new Error(`bench: PostgreSQL is not reachable or not migratable at ${url.replace(/\/\/[^@/]*@/, '//…@')} (${error.message}); start it or set DATABASE_URL`);
  }
  return {
    tokens: new PostgresStore({ pool, schema }),
    close: async () => {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    },
  };
}

/**
 * `frozenClock` (bench/instructions.js only): Gatehouse's clock stands still at the server's
 * start. Under valgrind a request takes ~50× as long, so clock-driven work that real traffic
 * spreads over thousands of requests (a bcrypt check again when a Basic cache entry's minute
 * is up, a bearer token's last-use write once a minute) would land in the counted requests as
 * often as the machine's load makes the run slow, and make the count depend on it.
 */
module.exports = async function create({ scheme: named, sessions = 0, maxQueue, frozenClock = false, redisClusterNodes, rateLimitHeaders }) {
  const frozenAt = Date.now();
  const { credential: scheme, storeKind } = parseScheme(named);
  const users = new MemoryStore({ passwordCost: 10 });
  const alice = await users.addUser({ login: 'alice@example.org', password: PASSWORD, roles: ['admin'] });
  let store = users;
  let close;
  if (storeKind !== 'memory') {
    const shared = storeKind === 'redis' ? await redisTokens() : storeKind === 'redis-cluster' ? await redisClusterTokens(redisClusterNodes) : await postgresTokens();
    store = combineStores({ credentials: users, tokens: shared.tokens });
    close = shared.close;
  }
  const auth = gatehouse({
    store,
    apiKeys: { [API_KEY]: { role: 'admin' } },
    jwt: { secret: JWT_SECRET },
    cookie: { secret: COOKIE_SECRET },
    passwords: { cost: 10, ...(maxQueue ? { maxQueue } : {}) },
    // The store rows count failed attempts in the store, so a Basic cache hit reads the counter there.
    lockout: storeKind === 'memory' ? false : {},
    basic: scheme === 'basic-first' ? { cache: false } : {},
    ...(frozenClock ? { now: () => frozenAt } : {}),
    // Issue 29: a store-issued key counted against a rate limit it never reaches (one counter per hour).
    ...(scheme === 'apiKeyLimited' ? { rateLimits: { limits: [{ name: 'bench', limit: 1_000_000_000, window: '1h' }], ...(rateLimitHeaders ? { headers: rateLimitHeaders } : {}) } } : {}),
  });

  if (sessions > 0) await populateSessions(users, alice.id, sessions);

  const app = express();
  app.set('trust proxy', 'loopback');
  app.use('/v1', auth.routes());
  app.use('/v1', auth.authenticate());
  app.get('/v1/public', (req, res) => res.json({ hello: 'world' }));
  app.get('/v1/projects', auth.require(), (req, res) => res.json({ projects: ['demo'] }));

  async function prepare(base) {
    const basic = { 'X-Forwarded-Proto': 'https', Authorization: `Basic ${Buffer.from(`alice@example.org:${PASSWORD}`).toString('base64')}` };
    switch (scheme) {
      case 'none':
        return { path: '/v1/public', headers: {} };
      case 'apiKey':
        return { path: '/v1/projects', headers: { Authorization: `ApiKey ${API_KEY}` } };
      case 'apiKeyLimited': {
        const { token } = await auth.tokens.issue({ actorId: alice.id, kind: 'apiKey' });
        return { path: '/v1/projects', headers: { Authorization: `ApiKey ${token}` } };
      }
      case 'bearer': {
        const { token } = await auth.tokens.issue({ actorId: alice.id, kind: 'session' });
        return { path: '/v1/projects', headers: { Authorization: `Bearer ${token}` } };
      }
      case 'jwt': {
        const { access } = await (await post(`${base}/v1/jwt/authenticate`, { login: 'alice@example.org', password: PASSWORD })).json();
        return { path: '/v1/projects', headers: { Authorization: `Bearer ${access}` } };
      }
      case 'basic-repeated':
      case 'basic-first':
        return { path: '/v1/projects', headers: basic };
      case 'cookie': {
        const response = await post(`${base}/v1/sessions`, { login: 'alice@example.org', password: PASSWORD, session: true }, { 'X-Forwarded-Proto': 'https' });
        const cookie = response.headers.get('set-cookie').split(';')[0];
        return { path: '/v1/projects', headers: { Cookie: cookie, 'X-Forwarded-Proto': 'https' } };
      }
      default:
        throw new Error(`unknown scheme ${scheme}`);
    }
  }
  return { app, prepare, close };
};

/** Fills the store with live sessions of one actor, as TokenService would write them. */
async function populateSessions(store, actorId, count) {
  const { randomBytes } = require('node:crypto');
  const now = Date.now();
  const batch = 10_000;
  for (let start = 0; start < count; start += batch) {
    // Random store keys (the SHA-256 hex of a token) drawn in bulk: setting up 1M sessions takes seconds, not minutes.
    const hex = randomBytes(32 * batch).toString('hex');
    const saves = [];
    for (let i = 0; i < batch && start + i < count; i += 1) {
      saves.push(
        store.saveToken({
          hash: hex.slice(i * 64, i * 64 + 64),
          kind: 'session',
          actorId: `${actorId}-${(start + i) % 1000}`,
          createdAt: now,
          expiresAt: now + 86_400_000,
          lastUsedAt: null,
          usedAt: null,
          label: null,
          roles: null,
          familyId: null,
        }),
      );
    }
    await Promise.all(saves);
  }
}
