import { monthWindow, type LimitSpec, type TokenLimitPlan } from '../src/rate-limits/policy';
import { PostgresStore } from '../src/store/postgres';
import { RedisStore } from '../src/store/redis';
import type { TokenRecord } from '../src/store/types';
import { realNow } from './helpers/clock';
import { useMigratedSchema, useRedisPrefix } from './helpers/services';

/**
 * Issue 29: the rate-limited key checks one pass of the event loop makes go to the store
 * together — one statement to PostgreSQL (which reads each counter once and writes it once
 * with the sum of what was accepted), one script to Redis — and are decided in the order
 * they were made, each all or nothing against what the checks before it left. Observable:
 * each check's outcome, the round trips, and the counts the store holds afterwards.
 */
const { schema, pool } = useMigratedSchema('gh_batched_limits');
const redis = useRedisPrefix('batched-limits');

const WINDOW = 3_600_000;

function apiKey(hash: string, actorId: string, own: LimitSpec[] | null): TokenRecord {
  const details = { start: 'gthkey_AbCd', expiresAt: null, disabledAt: null, metadata: null, service: null, replaces: null, replacedBy: null };
  return { hash, kind: 'apiKey', actorId, createdAt: realNow() - 1000, expiresAt: null, data: { apiKey: own ? { ...details, limits: own } : details } };
}

type Backend = 'PostgresStore' | 'RedisStore';

/** The store, with its round trips counted. */
function counted(backend: Backend): { store: PostgresStore | RedisStore; roundTrips: () => number } {
  let sent = 0;
  if (backend === 'RedisStore') {
    const store = new RedisStore({ client: redis.client(), keyPrefix: redis.keyPrefix });
    const client = store.client;
    const sendCommand = client.sendCommand.bind(client);
    client.sendCommand = ((command: never, stream?: never) => {
      sent += 1;
      return sendCommand(command, stream);
    }) as typeof client.sendCommand;
    return { store, roundTrips: () => sent };
  }
  const store = new PostgresStore({ pool: pool(), schema });
  const query = store.pool.query.bind(store.pool) as (...args: unknown[]) => unknown;
  (store.pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    sent += 1;
    return query(...args);
  };
  return { store, roundTrips: () => sent };
}

/** What the store holds in the counters of `subjects`' limit `name` in the window of `now`, by subject. */
async function storedCounts(backend: Backend, subjects: string[], name: string, now: number): Promise<Record<string, number>> {
  const start = Math.floor(now / WINDOW) * WINDOW;
  const keys = subjects.map((subject) => `${subject}:${name}:${start}`);
  if (backend === 'RedisStore') {
    const values = await redis.client().mget(keys.map((key) => `${redis.keyPrefix}limit:${key}`));
    return Object.fromEntries(subjects.flatMap((subject, index) => (values[index] === null ? [] : [[subject, Number(values[index])]])));
  }
  const { rows } = await pool().query<{ key: string; used: string }>(`SELECT key, used FROM "${schema}".gatehouse_limits WHERE key = ANY($1)`, [keys]);
  return Object.fromEntries(rows.map((row) => [row.key.slice(0, row.key.indexOf(`:${name}:`)), Number(row.used)]));
}

describe.each(['PostgresStore', 'RedisStore'] as const)('%s: the rate-limited key checks of one pass (issue 29)', (backend) => {
  it('decides one pass of checks in order, each all or nothing, in one round trip, and counts each counter once with what was accepted', async () => {
    const { store, roundTrips } = counted(backend);
    const now = realNow();
    const own = (limit: number): LimitSpec[] => [{ name: 'own', limit, window: WINDOW, quota: false }];
    const a = apiKey('batch-a', 'batch-actor', own(5));
    const b = apiKey('batch-b', 'batch-actor', own(5));
    await store.saveToken(a);
    await store.saveToken(b);
    const plan = (cost: number): TokenLimitPlan => ({ kind: 'apiKey', cost, defaults: [], perActor: [{ name: 'account', limit: 6, window: WINDOW, quota: true }], month: monthWindow(now) });
    await store.findTokenAndConsume('unknown', plan(1), now); // loads the script on Redis
    const before = roundTrips();

    const checks: Array<[string, number]> = [
      ['batch-a', 3], // accepted: a 3, account 3
      ['batch-b', 4], // refused by the account (3 + 4 > 6): counted in neither
      ['batch-b', 2], // accepted: b 2, account 5
      ['unknown', 1], // no record
      ['batch-a', 2], // a has room (3 + 2 ≤ 5), the account has not (5 + 2 > 6): refused, a stays 3
      ['batch-a', 0], // a cost of 0: accepted, counts nothing
      ['batch-a', 1], // accepted: a 4, account 6
      ['batch-b', 1], // refused by the account
    ];
    const found = await Promise.all(checks.map(([hash, cost]) => store.findTokenAndConsume(hash, plan(cost), now)));
    expect(roundTrips() - before).toBe(1);
    expect(found.map((result) => result && { hash: result.record.hash, allowed: result.outcome?.allowed, used: result.outcome?.counters.map((c) => [c.name, c.used]) })).toEqual([
      { hash: 'batch-a', allowed: true, used: [['own', 3], ['account', 3]] },
      { hash: 'batch-b', allowed: false, used: [['own', 0], ['account', 3]] },
      { hash: 'batch-b', allowed: true, used: [['own', 2], ['account', 5]] },
      null,
      { hash: 'batch-a', allowed: false, used: [['own', 3], ['account', 5]] },
      { hash: 'batch-a', allowed: true, used: [['own', 3], ['account', 5]] },
      { hash: 'batch-a', allowed: true, used: [['own', 4], ['account', 6]] },
      { hash: 'batch-b', allowed: false, used: [['own', 2], ['account', 6]] },
    ]);
    const start = Math.floor(now / WINDOW) * WINDOW;
    expect(found[0]?.outcome?.counters[1]).toEqual({ name: 'account', limit: 6, quota: true, start, resetsAt: start + WINDOW, used: 3 });
    expect(await storedCounts(backend, ['key:batch-a', 'key:batch-b'], 'own', now)).toEqual({ 'key:batch-a': 4, 'key:batch-b': 2 });
    expect(await storedCounts(backend, ['actor:batch-actor'], 'account', now)).toEqual({ 'actor:batch-actor': 6 });
  });

  it('counts a hot key\'s pass of 30 checks in order and carries the count to the next pass, which accepts exactly what is left of the limit', async () => {
    const { store } = counted(backend);
    const now = realNow();
    await store.saveToken(apiKey('hot-key', 'hot-actor', null));
    const plan: TokenLimitPlan = { kind: 'apiKey', cost: 1, defaults: [{ name: 'burst', limit: 45, window: WINDOW, quota: false }], perActor: [], month: monthWindow(now) };
    const first = await Promise.all(Array.from({ length: 30 }, () => store.findTokenAndConsume('hot-key', plan, now)));
    expect(first.map((result) => result?.outcome?.counters[0].used)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(await storedCounts(backend, ['key:hot-key'], 'burst', now)).toEqual({ 'key:hot-key': 30 });
    const second = await Promise.all(Array.from({ length: 30 }, () => store.findTokenAndConsume('hot-key', plan, now)));
    expect(second.map((result) => result?.outcome?.allowed)).toEqual(Array.from({ length: 30 }, (_, i) => i < 15));
    expect(second.map((result) => result?.outcome?.counters[0].used)).toEqual(Array.from({ length: 30 }, (_, i) => Math.min(31 + i, 45)));
    expect(await storedCounts(backend, ['key:hot-key'], 'burst', now)).toEqual({ 'key:hot-key': 45 });
  });
});
