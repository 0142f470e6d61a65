import { createHash } from 'node:crypto';
import express from 'express';
import type { Redis } from 'ioredis';
import request from 'supertest';
import { combineStores, gatehouse, MemoryStore, type Actor, type Gatehouse, type GatehouseStore } from '../src';
import { PostgresStore } from '../src/store/postgres';
import { RedisStore } from '../src/store/redis';
import { ALICE_PASSWORD } from './helpers/app';
import { COOKIE_SECRET, sessionCookie } from './helpers/cookie';
import { JWT_OPTIONS } from './helpers/jwt';
import { connectRedis, deleteRedisKeys, runId, useMigratedSchema } from './helpers/services';
import { realNow } from './helpers/clock';

const T0 = realNow();
const HOUR = 3_600_000;
const keyPrefix = `gatehouse-test:list-by-id:${runId()}:`;
let redis: Redis | undefined;
const postgres = useMigratedSchema('gatehouse_test_list_by_id');

beforeAll(async () => {
  redis = await connectRedis();
});
afterAll(async () => {
  if (!redis) return;
  await deleteRedisKeys(redis, keyPrefix);
  await redis.quit();
});

/** Where tokens live; users always come from a MemoryStore, as a host's own user table would. */
const BACKENDS: Array<[string, (users: MemoryStore, now: () => number) => GatehouseStore]> = [
  ['MemoryStore', (users) => users],
  ['RedisStore', (users, now) => combineStores({ credentials: users, tokens: new RedisStore({ client: redis!, keyPrefix, now }) })],
  ['PostgresStore', (users, now) => combineStores({ credentials: users, tokens: new PostgresStore({ pool: postgres.pool(), schema: postgres.schema, now }) })],
];

interface Setup {
  app: express.Express;
  store: GatehouseStore;
  auth: Gatehouse;
  alice: Actor;
  bob: Actor;
  device: Actor;
  clock: { now: number };
}

async function setup(backend: (users: MemoryStore, now: () => number) => GatehouseStore): Promise<Setup> {
  const clock = { now: T0 };
  const now = () => clock.now;
  const users = new MemoryStore({ passwordCost: 10 });
  const alice = await users.addUser({ login: `alice-${runId()}@example.org`, password: ALICE_PASSWORD, roles: ['admin'] });
  const bob = await users.addUser({ login: `bob-${runId()}@example.org`, password: ALICE_PASSWORD });
  const device = await users.addUser({ login: `tablet-${runId()}`, kind: 'appUser' });
  const store = backend(users, now);
  return { ...instance(store, now), store, alice, bob, device, clock };
}

/** One app instance over `store`; several over one store are several machines of one app. */
function instance(store: GatehouseStore, now: () => number): { app: express.Express; auth: Gatehouse } {
  const auth = gatehouse({ store, now, jwt: JWT_OPTIONS, cookie: { secret: COOKIE_SECRET, secure: false } });
  const app = express();
  app.use('/v1', auth.routes());
  app.use('/v1', auth.authenticate());
  app.get('/v1/projects', auth.require({ actors: ['user', 'appUser', 'apiKey'] }), (req, res) => res.json({ id: req.user!.id }));
  return { app, auth };
}

const bearer = (t: Setup, token: string) => request(t.app).get('/v1/projects').set('Authorization', `Bearer ${token}`);
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe.each(BACKENDS)('credential listing and revoking by id (%s)', (_name, backend) => {
  it("lists the actor's live credentials with id, kind, label, roles and times, and never a token or its hash", async () => {
    const t = await setup(backend);
    const session = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'session' });
    t.clock.now += 1;
    const personal = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'personal', label: 'CI deploy key' });
    t.clock.now += 1;
    const apiKey = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'apiKey', label: 'reporting', roles: ['reader'] });
    t.clock.now += 1;
    const shortLived = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'personal', ttl: 1000 });
    const bobs = await t.auth.tokens.issue({ actorId: t.bob.id, kind: 'personal' });
    const deviceKey = await t.auth.tokens.issue({ actorId: t.device.id, kind: 'appUser', label: 'Tablet 7' });
    t.clock.now += 5000; // shortLived has expired
    expect((await bearer(t, personal.token)).status).toBe(200);

    const listed = await t.auth.tokens.list(t.alice.id);
    expect(listed).toEqual([
      { id: session.id, kind: 'session', label: null, roles: null, createdAt: new Date(T0), expiresAt: new Date(T0 + 24 * HOUR), state: 'active', lastUsedAt: null },
      { id: personal.id, kind: 'personal', label: 'CI deploy key', roles: null, createdAt: new Date(T0 + 1), expiresAt: null, state: 'active', lastUsedAt: new Date(T0 + 5003) },
      {
        id: apiKey.id, kind: 'apiKey', label: 'reporting', roles: ['reader'], createdAt: new Date(T0 + 2), expiresAt: null, state: 'active', lastUsedAt: null,
        start: apiKey.token.slice(0, 11), metadata: null, service: null, replaces: null, replacedBy: null,
      },
    ]);
    const shown = JSON.stringify(listed);
    for (const issued of [session, personal, apiKey, shortLived]) {
      expect(shown).not.toContain(issued.token);
      expect(shown).not.toContain(sha256(issued.token));
      expect(shown).not.toContain(sha256(issued.token).slice(0, 16));
    }
    expect(new Set([session.id, personal.id, apiKey.id, shortLived.id, bobs.id, deviceKey.id]).size).toBe(6);

    expect((await t.auth.tokens.list(t.alice.id, { kinds: ['personal', 'apiKey'] })).map((c) => c.id)).toEqual([personal.id, apiKey.id]);
    expect(await t.auth.tokens.list(t.device.id)).toEqual([expect.objectContaining({ id: deviceKey.id, kind: 'appUser', label: 'Tablet 7' })]);
    expect(await t.auth.tokens.list('nobody')).toEqual([]);
    await expect(t.auth.tokens.list(t.alice.id, { kinds: ['password' as never] })).rejects.toThrow(/kinds must be an array of 'session'/);
    await expect(t.auth.tokens.list('')).rejects.toThrow(TypeError);
  });

  it('revokeById ends exactly that credential on the next request; the others keep working', async () => {
    const t = await setup(backend);
    const first = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'personal', label: 'laptop' });
    const second = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'personal', label: 'phone' });
    const deviceKey = await t.auth.tokens.issue({ actorId: t.device.id, kind: 'appUser' });
    expect((await bearer(t, first.token)).status).toBe(200);

    expect(await t.auth.tokens.revokeById(first.id)).toBe(true);
    const refused = await bearer(t, first.token);
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('401.2');
    expect((await bearer(t, second.token)).status).toBe(200);
    expect(await t.auth.tokens.revokeById(first.id)).toBe(false);
    expect(await t.auth.tokens.revokeById('no-such-id')).toBe(false);
    expect(await t.auth.tokens.revokeById('')).toBe(false);
    await expect(t.auth.tokens.revokeById(second.id, { actorId: 7 as never })).rejects.toThrow(/options must be an object such as \{ actorId/);
    expect((await t.auth.tokens.list(t.alice.id)).map((c) => c.label)).toEqual(['phone']);

    // Scoped to an actor, for "manage your own tokens" endpoints: someone else's id is not found.
    expect(await t.auth.tokens.revokeById(second.id, { actorId: t.bob.id })).toBe(false);
    expect((await bearer(t, second.token)).status).toBe(200);
    expect(await t.auth.tokens.revokeById(second.id, { actorId: t.alice.id })).toBe(true);
    expect((await bearer(t, second.token)).status).toBe(401);

    // ODK Central's "revoke this App User": the device's URL stops working.
    expect((await request(t.app).get(`/v1/key/${deviceKey.token}/projects`)).status).toBe(200);
    expect(await t.auth.tokens.revokeById(deviceKey.id)).toBe(true);
    expect((await request(t.app).get(`/v1/key/${deviceKey.token}/projects`)).status).toBe(401);
  });

  it('a credential revoked by id on one instance is refused by the next request on another', async () => {
    const t = await setup(backend);
    const other = instance(t.store, () => t.clock.now);
    const personal = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'personal' });
    expect((await request(other.app).get('/v1/projects').set('Authorization', `Bearer ${personal.token}`)).status).toBe(200);
    expect((await other.auth.tokens.list(t.alice.id)).map((c) => c.id)).toEqual([personal.id]);
    expect(await t.auth.tokens.revokeById(personal.id)).toBe(true);
    expect((await request(other.app).get('/v1/projects').set('Authorization', `Bearer ${personal.token}`)).status).toBe(401);
  });

  it('lists the current refresh token of a JWT login; revoking it by id ends the family and its access tokens', async () => {
    const t = await setup(backend);
    const login = await request(t.app).post('/v1/jwt/authenticate').send({ login: t.alice.displayName, password: ALICE_PASSWORD });
    expect(login.status).toBe(200);
    const [first] = await t.auth.tokens.list(t.alice.id, { kinds: ['refresh'] });
    expect(first).toMatchObject({ kind: 'refresh', expiresAt: new Date(login.body.refreshExpiresAt) });

    t.clock.now += 1000;
    const rotated = await request(t.app).post('/v1/jwt/refresh').send({ refresh: login.body.refresh });
    expect(rotated.status).toBe(200);
    const afterRotation = await t.auth.tokens.list(t.alice.id, { kinds: ['refresh'] });
    expect(afterRotation).toHaveLength(1); // the spent token is not a live credential
    expect(afterRotation[0].id).not.toBe(first.id);

    expect(await t.auth.tokens.revokeById(afterRotation[0].id)).toBe(true);
    expect((await request(t.app).post('/v1/jwt/refresh').send({ refresh: rotated.body.refresh })).status).toBe(401);
    expect((await bearer(t, rotated.body.access)).status).toBe(401);
    expect(await t.auth.tokens.list(t.alice.id)).toEqual([]);
  });

  it('lists a browser session as kind cookie; revoking it by id logs that browser out', async () => {
    const t = await setup(backend);
    const login = await request(t.app).post('/v1/sessions').send({ login: t.alice.displayName, password: ALICE_PASSWORD, session: true });
    expect(login.status).toBe(200);
    const cookie = sessionCookie(login, 'gatehouse').pair;
    expect((await request(t.app).get('/v1/projects').set('Cookie', cookie)).status).toBe(200);
    const [browser] = await t.auth.tokens.list(t.alice.id, { kinds: ['cookie'] });
    expect(browser).toMatchObject({ kind: 'cookie', id: expect.any(String), createdAt: new Date(T0) });

    expect(await t.auth.tokens.revokeById(browser.id)).toBe(true);
    expect((await request(t.app).get('/v1/projects').set('Cookie', cookie)).status).toBe(401);
  });
});

describe('credential listing needs the store methods', () => {
  it('names the missing method when the store cannot list or find by id', async () => {
    const users = new MemoryStore({ passwordCost: 10 });
    const alice = await users.addUser({ login: 'alice@example.org' });
    const { listTokens: _list, findTokenById: _find, ...withoutListing } = bindAll(users);
    const auth = gatehouse({ store: withoutListing, lockout: false });
    await expect(auth.tokens.list(alice.id)).rejects.toThrow('The store does not implement listTokens(), which auth.tokens needs.');
    await expect(auth.tokens.revokeById('some-id')).rejects.toThrow('The store does not implement findTokenById(), which auth.tokens needs.');
  });
});

function bindAll(store: MemoryStore): Partial<GatehouseStore> {
  const methods = Object.getOwnPropertyNames(MemoryStore.prototype).filter((name) => name !== 'constructor');
  return Object.fromEntries(
    methods.flatMap((name) => {
      const value = (store as unknown as Record<string, unknown>)[name];
      return typeof value === 'function' ? [[name, (value as (...args: unknown[]) => unknown).bind(store)]] : [];
    }),
  );
}
