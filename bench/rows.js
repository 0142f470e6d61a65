// What one benchmark run measures. Each row names a server module (bench/servers/) and
// its options; `target` is the minimum ratio to bare Express in the same run.
'use strict';

const gatehouse = (scheme, extra = {}) => ({ server: 'gatehouse', options: { scheme, ...extra } });

/**
 * Connections for the rows that run bcrypt on every request: at a few checks a second, 50
 * waiting clients outlast autocannon's 10 s timeout, and its re-sent requests then overflow
 * Gatehouse's bcrypt queue (503.2), so the row would measure the queue bound, not bcrypt.
 */
const BCRYPT_CONNECTIONS = 10;

/** Opaque bearer, cookie, JWT and Basic repeated over RedisStore and PostgresStore. */
const STORE_ROWS = [];
// Targets from issue 20: Redis rows ≥ 0.80, PostgreSQL rows ≥ 0.65 of bare Express.
for (const [store, name, target] of [['redis', 'RedisStore', 0.8], ['postgres', 'PostgresStore', 0.65]]) {
  STORE_ROWS.push(
    { id: `bearer-${store}`, label: `Gatehouse opaque bearer (${name})`, ...gatehouse(`bearer-${store}`), target },
    { id: `cookie-${store}`, label: `Gatehouse cookie session (${name})`, ...gatehouse(`cookie-${store}`), target },
    { id: `jwt-${store}`, label: `Gatehouse JWT HS256, revocation checks in ${name}`, ...gatehouse(`jwt-${store}`), target },
    { id: `basic-repeated-${store}`, label: `Gatehouse Basic, repeated (verification cache), lockout counter in ${name}`, ...gatehouse(`basic-repeated-${store}`), target },
    { id: `apiKeyLimited-${store}`, label: `Gatehouse API key with a rate limit (${name})`, ...gatehouse(`apiKeyLimited-${store}`), target },
  );
}

// Issue 33: the same opaque bearer and cookie over a Redis Cluster (RedisStore's cluster key
// layout, one command per request), ≥ 0.80 of bare Express. bench/run.js starts the cluster.
STORE_ROWS.push(
  { id: 'bearer-redis-cluster', label: 'Gatehouse opaque bearer (RedisStore, Redis Cluster)', ...gatehouse('bearer-redis-cluster'), target: 0.8 },
  { id: 'cookie-redis-cluster', label: 'Gatehouse cookie session (RedisStore, Redis Cluster)', ...gatehouse('cookie-redis-cluster'), target: 0.8 },
);

/** Throughput rows: req/s, p99 and the ratio to bare Express. */
const ROWS = [
  { id: 'bare', label: 'bare Express route (baseline)', server: 'bare' },
  { id: 'bare-again', label: 'bare Express route, a second server (the method\'s own bias)', server: 'bare', diagnostic: true },
  { id: 'layers', label: 'Express floor: three no-op middlewares where Gatehouse mounts its three', server: 'layers', diagnostic: true },
  { id: 'bare-loaded', label: 'bare Express route in a process that has loaded express-gatehouse (nothing mounted): what the package\'s heap costs', server: 'bare', options: { load: ['express-gatehouse'] }, diagnostic: true },
  { id: 'floor-user', label: 'Express floor: a middleware that only sets req.user and req.authInfo', server: 'floor', diagnostic: true },
  { id: 'floor-user-shaped', label: 'Express floor: the same after the request-shape step (the request only, as Gatehouse did until round 15)', server: 'floor', options: { prepare: 'request' }, diagnostic: true },
  { id: 'floor-user-exchange', label: 'Express floor: the same after Gatehouse\'s shape step of the request and its response', server: 'floor', options: { prepare: 'exchange' }, diagnostic: true },
  { id: 'none', label: 'Gatehouse, no credential, public route', ...gatehouse('none'), target: 0.95 },
  { id: 'apiKey', label: 'Gatehouse API key (config map)', ...gatehouse('apiKey'), target: 0.9 },
  { id: 'bearer-memory', label: 'Gatehouse opaque bearer (MemoryStore)', ...gatehouse('bearer-memory'), target: 0.85 },
  // Issue 29: a store-issued API key counted against a rate limit (lookup and counter in one store call).
  { id: 'apiKeyLimited-memory', label: 'Gatehouse API key with a rate limit (MemoryStore)', ...gatehouse('apiKeyLimited-memory'), target: 0.85 },
  // The same with rateLimits.headers: 'refused': what the two header fields on every accepted answer cost.
  { id: 'apiKeyLimited-memory-refusedHeaders', label: "Gatehouse API key with a rate limit (MemoryStore), header fields only on 429 (rateLimits.headers: 'refused')", ...gatehouse('apiKeyLimited-memory', { rateLimitHeaders: 'refused' }), diagnostic: true },
  { id: 'jwt', label: 'Gatehouse JWT HS256', ...gatehouse('jwt'), target: 0.8 },
  { id: 'basic-repeated', label: 'Gatehouse Basic, repeated (verification cache)', ...gatehouse('basic-repeated'), target: 0.7 },
  { id: 'basic-first', label: 'Gatehouse Basic, bcrypt every request (cache off, cost 10)', ...gatehouse('basic-first'), pin: false, paired: false, connections: BCRYPT_CONNECTIONS },
  { id: 'cookie', label: 'Gatehouse cookie session', ...gatehouse('cookie') },
  // The same credentials over a shared store (issue 20): Redis and PostgreSQL on 127.0.0.1,
  // a throwaway key prefix or schema per server. Basic counts failures in the store (lockout
  // on), so its cache hit reads the counter there; JWT checks the store's revocations.
  ...STORE_ROWS,
  { id: 'anchor-bearer', label: 'anchor: passport-http-bearer + Map', server: 'passport-bearer' },
  { id: 'anchor-passport-jwt', label: 'anchor: passport-jwt, string secret', server: 'passport-jwt' },
  { id: 'anchor-express-jwt', label: 'anchor: express-jwt', server: 'express-jwt' },
  { id: 'anchor-basic', label: 'anchor: passport-http Basic, bcrypt every request (cost 10)', server: 'passport-basic', pin: false, paired: false, connections: BCRYPT_CONNECTIONS },
  { id: 'anchor-session', label: 'anchor: express-session + passport.session()', server: 'passport-session' },
];

/**
 * Bearer lookups with few and many live sessions in MemoryStore: flat is the goal. The
 * heap-floor row shows what holding as many records costs a server without Gatehouse.
 */
const SCALING = [
  { id: 'sessions-1k', label: 'opaque bearer, 1 000 live sessions', ...gatehouse('bearer-memory', { sessions: 1_000 }) },
  { id: 'sessions-1m', label: 'opaque bearer, 1 000 000 live sessions', ...gatehouse('bearer-memory', { sessions: 1_000_000 }) },
  { id: 'heap-floor', label: 'bare Express route holding 1 000 000 session-sized records in a Map (the floor: a large heap, no Gatehouse)', server: 'bare', options: { liveRecords: 1_000_000 }, diagnostic: true },
];

/**
 * p99 of a public route while 200 wrong-password Basic requests are in flight. With a
 * queue that holds all 200 they wait on bcrypt (off the event loop); with the default
 * queue (100) the rest are refused at once with 503.2 and the load generator sends them
 * again immediately, which is a request flood rather than bcrypt pressure: shown apart.
 */
const EVENT_LOOP = [
  { id: 'event-loop', label: 'public p99, 200 wrong-password Basic requests in flight (maxQueue 500)', ...gatehouse('basic-first', { maxQueue: 500 }), pin: false, targetP99Ms: 50 },
  { id: 'event-loop-flood', label: 'public p99, 200 connections of wrong-password Basic, default maxQueue (503.2 answers retried at once)', ...gatehouse('basic-first'), pin: false },
];

module.exports = { STORE_ROWS, ROWS, SCALING, EVENT_LOOP, BCRYPT_CONNECTIONS };
