/**
 * `auth.tokens.list` shows each store-issued API key's limits — its own, or the defaults, and
 * its actor's shared ones, each with its `source` — and its usage: the cost counted in each
 * limit's current window and when the window resets, read from the store's counters
 * (`readLimits`) without counting a request. On MemoryStore, RedisStore and PostgresStore.
 */
import express from 'express';
import request from 'supertest';
import { gatehouse, GatehouseError, MemoryStore, type CredentialInfo, type GatehouseOptions } from '../src';
import { BACKENDS, useBackends, type BackendName } from './helpers/backends';
import { realNow } from './helpers/clock';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** A minute's first millisecond, in the future of the real clock (Redis expires counters by its own clock). */
const minuteStart = () => Math.floor(realNow() / MINUTE) * MINUTE + MINUTE;
/** When the UTC day and the UTC month that `at` falls in end. */
const dayEnd = (at: number) => new Date(Math.floor(at / DAY) * DAY + DAY);
const monthEnd = (at: number) => new Date(Date.UTC(new Date(at).getUTCFullYear(), new Date(at).getUTCMonth() + 1, 1));

const RATE_LIMITS: GatehouseOptions['rateLimits'] = {
  limits: [{ name: 'burst', limit: 100, window: '1m' }],
  classes: { trial: [{ name: 'trial', limit: 3, window: '1m' }] },
  perActor: [{ name: 'account', limit: 1000, window: '1d', quota: true }],
  cost: (req) => (req.method === 'POST' ? 5 : 1),
};

describe.each(BACKENDS)('tokens.list shows API keys’ limits and usage on %s', (backend: BackendName) => {
  const backends = useBackends(`keyusage_${backend}`);

  async function setup(options: { rateLimits?: GatehouseOptions['rateLimits']; readLimits?: 'absent' | 'failing' } = {}) {
    const users = new MemoryStore({ passwordCost: 10 });
    const alice = await users.addUser({ login: 'alice@example.org', password: 'irrelevant password' });
    const start = minuteStart();
    const store = backends.storeFor(backend, users, (tokens) => {
      if (options.readLimits === 'absent') {
        const { readLimits: _absent, ...rest } = tokens;
        return rest;
      }
      if (options.readLimits === 'failing') return { ...tokens, readLimits: () => Promise.reject(new Error('counters unreachable')) };
      return tokens;
    });
    const auth = gatehouse({ store, now: () => start, rateLimits: 'rateLimits' in options ? options.rateLimits : RATE_LIMITS });
    const app = express();
    app.use(auth.authenticate());
    app.get('/v1/reports', auth.require(), (_req, res) => res.json({ ok: true }));
    app.post('/v1/reports', auth.require(), (_req, res) => res.status(201).json({ ok: true }));
    const call = (key: string, method: 'get' | 'post' = 'get') => request(app)[method]('/v1/reports').set('Authorization', `ApiKey ${key}`);
    const listed = async (id: string): Promise<CredentialInfo> => (await auth.tokens.list(alice.id, { kinds: ['apiKey'] })).find((info) => info.id === id)!;
    return { auth, alice, start, call, listed };
  }

  it('after N requests of cost c, a key lists c×N used in each of its limits, what is left and when each window resets', async () => {
    const t = await setup();
    const created = await t.auth.tokens.create({
      actorId: t.alice.id,
      label: 'reporting',
      limits: [{ name: 'own', limit: 50, window: '1m' }, { name: 'monthly', limit: 10_000, window: 'month', quota: true }],
    });
    for (let i = 0; i < 3; i += 1) expect((await t.call(created.key, 'post')).status).toBe(201);
    expect((await t.call(created.key)).status).toBe(200);

    const info = await t.listed(created.id);
    expect(info.limits).toEqual([
      { name: 'own', limit: 50, window: MINUTE, quota: false, source: 'key', used: 16, remaining: 34, resetsAt: new Date(t.start + MINUTE) },
      { name: 'monthly', limit: 10_000, window: 'month', quota: true, source: 'key', used: 16, remaining: 9984, resetsAt: monthEnd(t.start) },
      { name: 'account', limit: 1000, window: DAY, quota: true, source: 'perActor', used: 16, remaining: 984, resetsAt: dayEnd(t.start) },
    ]);
    // lastUsedAt was already recorded by the key check; listing shows it.
    expect(info.lastUsedAt).toEqual(new Date(t.start));
    // What was listed is what the next request meets.
    expect((await t.call(created.key)).headers.ratelimit).toBe(`"own";r=33;t=60, "monthly";r=9983;t=${Math.ceil((monthEnd(t.start).getTime() - t.start) / 1000)}, "account";r=983;t=${(dayEnd(t.start).getTime() - t.start) / 1000}`);
  });

  it('a key without limits of its own shows the defaults (source default); its actor’s shared limit counts all its keys', async () => {
    const t = await setup();
    const own = await t.auth.tokens.create({ actorId: t.alice.id, limits: 'trial' });
    const plain = await t.auth.tokens.create({ actorId: t.alice.id });
    expect((await t.call(own.key)).status).toBe(200);
    expect((await t.call(plain.key, 'post')).status).toBe(201);
    expect((await t.call(plain.key)).status).toBe(200);

    expect((await t.listed(plain.id)).limits).toEqual([
      { name: 'burst', limit: 100, window: MINUTE, quota: false, source: 'default', used: 6, remaining: 94, resetsAt: new Date(t.start + MINUTE) },
      { name: 'account', limit: 1000, window: DAY, quota: true, source: 'perActor', used: 7, remaining: 993, resetsAt: dayEnd(t.start) },
    ]);
    // A class given to create is stored as its limits: the key's own.
    expect((await t.listed(own.id)).limits?.map((limit) => [limit.name, limit.source, limit.used])).toEqual([['trial', 'key', 1], ['account', 'perActor', 7]]);
    // update(id, { limits: null }) gives the defaults back, and the listing says so.
    const updated = await t.auth.tokens.update(own.id, { limits: null });
    expect(updated?.limits?.map((limit) => [limit.name, limit.source, limit.used])).toEqual([['burst', 'default', 0], ['account', 'perActor', 7]]);
  });

  it('reading usage counts nothing: listed many times, a key still gets exactly its limit', async () => {
    const t = await setup();
    const created = await t.auth.tokens.create({ actorId: t.alice.id, limits: [{ name: 'tight', limit: 3, window: '1m' }] });
    expect((await t.call(created.key)).status).toBe(200);
    expect((await t.call(created.key)).status).toBe(200);
    for (let i = 0; i < 5; i += 1) {
      expect((await t.listed(created.id)).limits?.[0]).toMatchObject({ name: 'tight', used: 2, remaining: 1 });
    }
    const third = await t.call(created.key);
    expect([third.status, third.headers.ratelimit]).toEqual([200, '"tight";r=0;t=60, "account";r=997;t=' + (dayEnd(t.start).getTime() - t.start) / 1000]);
    expect((await t.call(created.key)).body).toMatchObject({ code: '429.1', rateLimit: 'tight' });
    expect((await t.listed(created.id)).limits?.[0]).toMatchObject({ used: 3, remaining: 0 });
  });

  it('a rotated key keeps its limits, with counters of its own; the old key, in its grace, keeps its usage', async () => {
    const t = await setup();
    const limits = [{ name: 'own', limit: 20, window: '1m' }];
    const created = await t.auth.tokens.create({ actorId: t.alice.id, limits });
    expect((await t.call(created.key, 'post')).status).toBe(201);
    const rotated = await t.auth.tokens.rotate(created.id, { grace: '1h' });
    expect(rotated?.limits).toEqual([
      { name: 'own', limit: 20, window: MINUTE, quota: false, source: 'key', used: 0, remaining: 20, resetsAt: new Date(t.start + MINUTE) },
      { name: 'account', limit: 1000, window: DAY, quota: true, source: 'perActor', used: 5, remaining: 995, resetsAt: dayEnd(t.start) },
    ]);
    expect((await t.call(rotated!.key)).status).toBe(200);
    const [old, next] = [await t.listed(created.id), await t.listed(rotated!.id)];
    expect([old.state, next.replaces]).toEqual(['rotating', created.id]);
    expect(old.limits?.map((limit) => [limit.name, limit.source, limit.limit, limit.used])).toEqual([['own', 'key', 20, 5], ['account', 'perActor', 1000, 6]]);
    expect(next.limits?.map((limit) => [limit.name, limit.source, limit.limit, limit.used])).toEqual([['own', 'key', 20, 1], ['account', 'perActor', 1000, 6]]);
  });

  it('create shows a new key’s limits; a store without readLimits lists them with used null', async () => {
    const t = await setup({ readLimits: 'absent' });
    const created = await t.auth.tokens.create({ actorId: t.alice.id });
    expect((await t.call(created.key)).status).toBe(200);
    expect((await t.listed(created.id)).limits).toEqual([
      { name: 'burst', limit: 100, window: MINUTE, quota: false, source: 'default', used: null, remaining: null, resetsAt: new Date(t.start + MINUTE) },
      { name: 'account', limit: 1000, window: DAY, quota: true, source: 'perActor', used: null, remaining: null, resetsAt: dayEnd(t.start) },
    ]);
  });

  it('a store failure while reading usage fails list with 503.1, but not the create that made a key', async () => {
    const t = await setup({ readLimits: 'failing' });
    const created = await t.auth.tokens.create({ actorId: t.alice.id, limits: [{ name: 'own', limit: 5, window: '1m' }] });
    expect(created.limits?.map((limit) => [limit.name, limit.used])).toEqual([['own', null], ['account', null]]);
    expect((await t.call(created.key)).status).toBe(200);
    await expect(t.auth.tokens.list(t.alice.id)).rejects.toMatchObject({ code: '503.1' });
    await expect(t.auth.tokens.list(t.alice.id)).rejects.toBeInstanceOf(GatehouseError);
  });

  it('without rateLimits, keys are listed with no limits member (nothing is counted)', async () => {
    const t = await setup({ rateLimits: undefined });
    const created = await t.auth.tokens.create({ actorId: t.alice.id });
    expect((await t.call(created.key)).status).toBe(200);
    expect(created).not.toHaveProperty('limits');
    expect(await t.listed(created.id)).not.toHaveProperty('limits');
  });
});
