import express from 'express';
import request from 'supertest';
import { combineStores, gatehouse, MemoryStore, type Gatehouse, type TokenStore } from '../src';
import { PostgresStore } from '../src/store/postgres';
import { RedisStore } from '../src/store/redis';
import { realNow } from './helpers/clock';
import { useMigratedSchema, useRedisPrefix } from './helpers/services';

/**
 * A key's limits given to the API-key management API (`auth.tokens.create({ limits })`) are
 * enforced, live in one place (`data.apiKey.limits`), survive `auth.tokens.rotate`, and change
 * with `auth.tokens.update(id, { limits })`; on MemoryStore, RedisStore and PostgresStore.
 */
const redis = useRedisPrefix('ratelimit-create');
const postgres = useMigratedSchema('gh_ratelimit_create');

/** A clock start at a minute's first millisecond, in the future of the real clock. */
const minuteStart = () => Math.floor(realNow() / 60_000) * 60_000 + 60_000;

async function limitedApp(tokens: TokenStore | null) {
  const users = new MemoryStore({ passwordCost: 10 });
  const alice = await users.addUser({ login: 'alice@example.org', password: 'correct horse battery' });
  const start = minuteStart();
  const auth: Gatehouse = gatehouse({
    store: tokens ? combineStores({ credentials: users, tokens: tokens as never }) : users,
    now: () => start,
    rateLimits: { limits: [{ name: 'default', limit: 100, window: '1m' }], classes: { trial: [{ name: 'trial', limit: 1, window: '1m' }] } },
  });
  const app = express();
  app.use(auth.authenticate());
  app.get('/v1/projects', auth.require(), (_req, res) => res.json({ ok: true }));
  return { auth, alice, get: (key: string) => request(app).get('/v1/projects').set('Authorization', `ApiKey ${key}`) };
}

const backends: Array<[string, () => TokenStore | null]> = [
  ['MemoryStore', () => null],
  ['RedisStore', () => new RedisStore({ client: redis.client(), keyPrefix: redis.keyPrefix })],
  ['PostgresStore', () => new PostgresStore({ pool: postgres.pool(), schema: postgres.schema })],
];

describe.each(backends)('limits of tokens.create over %s', (_name, tokensOf) => {
  it('enforces a limit set by tokens.create, keeps it on the key rotate makes, and counts the new key afresh', async () => {
    const t = await limitedApp(tokensOf());
    const created = await t.auth.tokens.create({ actorId: t.alice.id, label: 'CI', limits: [{ name: 'own', limit: 2, window: '1m', quota: true }] });
    expect((await t.get(created.key)).headers.ratelimit).toBe('"own";r=1;t=60');
    expect((await t.get(created.key)).status).toBe(200);
    const refused = await t.get(created.key);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ code: '429.2', rateLimit: 'own' });

    const rotated = await t.auth.tokens.rotate(created.id, { grace: '1h' });
    expect(rotated).not.toBeNull();
    // The new key has the old one's limits (its own counter, so it starts from 0), not the defaults.
    const fresh = await t.get(rotated!.key);
    expect(fresh.status).toBe(200);
    expect(fresh.headers['ratelimit-policy']).toBe('"own";q=2;w=60');
    expect(fresh.headers.ratelimit).toBe('"own";r=1;t=60');
    expect((await t.get(rotated!.key)).status).toBe(200);
    expect((await t.get(rotated!.key)).body).toMatchObject({ code: '429.2', rateLimit: 'own' });
    // The old key, still in its grace, is still over its own limit.
    expect((await t.get(created.key)).status).toBe(429);
  });

  it('takes a class name on create, and update changes the limits (null: the defaults again)', async () => {
    const t = await limitedApp(tokensOf());
    const created = await t.auth.tokens.create({ actorId: t.alice.id, limits: 'trial' });
    expect((await t.get(created.key)).headers['ratelimit-policy']).toBe('"trial";q=1;w=60');
    expect((await t.get(created.key)).body).toMatchObject({ code: '429.1', rateLimit: 'trial' });
    await t.auth.tokens.update(created.id, { limits: null });
    const relaxed = await t.get(created.key);
    expect(relaxed.status).toBe(200);
    expect(relaxed.headers['ratelimit-policy']).toBe('"default";q=100;w=60');
    await t.auth.tokens.update(created.id, { limits: [{ name: 'tight', limit: 1, window: '1m' }] });
    expect((await t.get(created.key)).status).toBe(200);
    expect((await t.get(created.key)).body).toMatchObject({ code: '429.1', rateLimit: 'tight' });
  });

  it('answers a disabled key 401.2 even when it is over its limit, and counts nothing for it', async () => {
    const t = await limitedApp(tokensOf());
    const created = await t.auth.tokens.create({ actorId: t.alice.id, limits: [{ name: 'own', limit: 1, window: '1m' }] });
    expect((await t.get(created.key)).status).toBe(200);
    expect((await t.get(created.key)).status).toBe(429);
    await t.auth.tokens.disable(created.id);
    const refused = await t.get(created.key);
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ code: '401.2' });
    expect(refused.headers.ratelimit).toBeUndefined();
  });
});

describe('limits of tokens.create: configuration errors', () => {
  it('refuses limits without rateLimits and an unknown class, as tokens.issue does', async () => {
    const users = new MemoryStore({ passwordCost: 10 });
    const alice = await users.addUser({ login: 'bob@example.org', password: 'correct horse battery' });
    const off = gatehouse({ store: users });
    await expect(off.tokens.create({ actorId: alice.id, limits: [{ name: 'a', limit: 1, window: '1s' }] })).rejects.toMatchObject({
      code: 'GATEHOUSE_INVALID_OPTION',
      option: 'limits',
    });
    const on = await limitedApp(null);
    await expect(on.auth.tokens.create({ actorId: on.alice.id, limits: 'gold' })).rejects.toMatchObject({ option: 'limits' });
    await expect(on.auth.tokens.update('x', { limits: 'gold' })).rejects.toMatchObject({ option: 'limits' });
  });
});
