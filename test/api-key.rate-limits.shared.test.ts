import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Redis } from 'ioredis';
import { Pool } from 'pg';
import { combineStores, gatehouse, MemoryStore, type Gatehouse } from '../src';
import { PostgresStore } from '../src/store/postgres';
import { RedisStore } from '../src/store/redis';
import { bindAll } from './helpers/backends';
import { connectPostgres, connectRedis, DATABASE_URL, useMigratedSchema, useRedisPrefix } from './helpers/services';

/**
 * Issue 29 over the shared stores: a rate-limited store-issued key costs one store round
 * trip per request (lookup and counters together), a configured key one too, and exactly
 * the limit is accepted when four instances share one Redis (or one PostgreSQL) and 500
 * requests for one key reach the store at once, in 20 rounds.
 */
const CONFIGURED_KEY = 'sharedlimitkey-0123456789';
const redis = useRedisPrefix('ratelimits');
const postgres = useMigratedSchema('gh_ratelimits');
const extraClients: Redis[] = [];
const extraPools: Pool[] = [];
const servers: http.Server[] = [];
// Every request of a round must be in flight at once (the gate holds them all): no socket limit.
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

afterAll(async () => {
  agent.destroy();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  for (const client of extraClients) client.disconnect();
  await Promise.all(extraPools.map((pool) => pool.end()));
});

type Tokens = RedisStore | PostgresStore;

/** A gate on `findTokenAndConsume`: calls wait until `expected` have arrived, then all go on together. */
class Gate {
  private waiting: Array<() => void> = [];
  expected = 0;
  arrive(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      if (this.waiting.length >= this.expected) {
        const all = this.waiting;
        this.waiting = [];
        for (const go of all) go();
      }
    });
  }
}

async function instance(tokens: Tokens, users: MemoryStore, gate: Gate | null): Promise<{ auth: Gatehouse; url: string }> {
  const bound = bindAll(tokens);
  if (gate) {
    const original = bound.findTokenAndConsume;
    bound.findTokenAndConsume = async (...args: unknown[]) => {
      await gate.arrive();
      return original(...args);
    };
  }
  const auth = gatehouse({
    store: combineStores({ credentials: users, tokens: bound as never }),
    storeTimeout: 60_000,
    apiKeys: { [CONFIGURED_KEY]: { role: 'reader' } },
    rateLimits: { limits: [{ name: 'burst', limit: 100, window: '1h' }] },
  });
  const app = express();
  app.use(auth.authenticate());
  app.get('/', auth.require(), (_req, res) => res.send('ok'));
  const server = app.listen(0, '127.0.0.1');
  // The client keeps sockets for the next round; the server must not close them meanwhile.
  server.keepAliveTimeout = 10 * 60_000;
  await new Promise((resolve) => server.once('listening', resolve));
  servers.push(server);
  return { auth, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

function get(url: string, key: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers: { Authorization: `ApiKey ${key}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
  });
}

describe.each(['RedisStore', 'PostgresStore'] as const)('rate limits over %s', (backend) => {
  const tokensOver = async (own: boolean): Promise<Tokens> => {
    if (backend === 'RedisStore') {
      const client = own ? await connectRedis() : redis.client();
      if (own) extraClients.push(client);
      return new RedisStore({ client, keyPrefix: redis.keyPrefix });
    }
    if (!own) return new PostgresStore({ pool: postgres.pool(), schema: postgres.schema });
    // 500 requests queue for 20 connections and serialise on one counter row: this test is about
    // exactness, not latency, so the waits are not cut at the fail-fast defaults of 2 s.
    await connectPostgres(1).then((probe) => probe.end());
    const pool = new Pool({ connectionString: DATABASE_URL, max: 20, connectionTimeoutMillis: 60_000 });
    extraPools.push(pool);
    return new PostgresStore({ pool, schema: postgres.schema, queryTimeoutMs: 60_000 });
  };

  it('costs one store round trip per request for a store-issued key (lookup and counter together) and for a configured key', async () => {
    const tokens = await tokensOver(true);
    let roundTrips = 0;
    if (tokens instanceof RedisStore) {
      const client = tokens.client;
      const sendCommand = client.sendCommand.bind(client);
      client.sendCommand = ((command: never, stream?: never) => {
        roundTrips += 1;
        return sendCommand(command, stream);
      }) as typeof client.sendCommand;
    } else {
      const pool = tokens.pool;
      const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
      (pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
        roundTrips += 1;
        return query(...args);
      };
    }
    const users = new MemoryStore({ passwordCost: 10 });
    const alice = await users.addUser({ login: 'alice@example.org' });
    const { auth, url } = await instance(tokens, users, null);
    const { token } = await auth.tokens.issue({ actorId: alice.id, kind: 'apiKey' });
    // The first use writes the key's last use (at most once a minute) and may load the script.
    expect(await get(url, token)).toBe(200);
    expect(await get(url, CONFIGURED_KEY)).toBe(200);
    roundTrips = 0;
    for (let i = 0; i < 5; i += 1) expect(await get(url, token)).toBe(200);
    expect(roundTrips).toBe(5);
    roundTrips = 0;
    for (let i = 0; i < 5; i += 1) expect(await get(url, CONFIGURED_KEY)).toBe(200);
    expect(roundTrips).toBe(5);
  });

  it('accepts exactly the limit when 4 instances share the store and 500 requests for one key arrive at once, in 20 rounds', async () => {
    const users = new MemoryStore({ passwordCost: 10 });
    const gate = new Gate();
    const instances = await Promise.all([0, 1, 2, 3].map(async () => instance(await tokensOver(true), users, gate)));
    const accepted: number[] = [];
    for (let round = 0; round < 20; round += 1) {
      const actor = await users.addUser({ login: `round-${round}@example.org` });
      // A fresh key each round: its counter starts at 0, so 100 of the 500 must get through.
      const { token } = await instances[round % 4].auth.tokens.issue({ actorId: actor.id, kind: 'apiKey' });
      gate.expected = 500;
      const statuses = await Promise.all(Array.from({ length: 500 }, (_, i) => get(instances[i % 4].url, token)));
      expect(statuses.filter((status) => status !== 200 && status !== 429)).toEqual([]);
      accepted.push(statuses.filter((status) => status === 200).length);
    }
    expect(accepted).toEqual(Array.from({ length: 20 }, () => 100));
  }, 180_000);
});
