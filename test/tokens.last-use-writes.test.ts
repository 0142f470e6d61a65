import type { Server } from 'node:http';
import express from 'express';
import request from 'supertest';
import { gatehouse, MemoryStore, type Actor, type Gatehouse, type GatehouseOptions } from '../src';
import { ALICE_PASSWORD } from './helpers/app';
import { COOKIE_SECRET, sessionCookie } from './helpers/cookie';
import { realNow } from './helpers/clock';

const T0 = realNow();
const MINUTE = 60_000;

/**
 * A MemoryStore that counts the writes last use makes, and lands them late, as a store
 * across a network does: requests in flight meanwhile still read the old `lastUsedAt`.
 */
class CountingStore extends MemoryStore {
  touches = 0;

  override async touchToken(hash: string, lastUsedAt: number): Promise<void> {
    this.touches += 1;
    await new Promise((resolve) => setTimeout(resolve, 25));
    return super.touchToken(hash, lastUsedAt);
  }
}

interface Setup {
  server: Server;
  auth: Gatehouse;
  store: CountingStore;
  alice: Actor;
  device: Actor;
  clock: { now: number };
}

const servers: Server[] = [];
afterAll(() => Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve)))));

async function setup(options: Partial<GatehouseOptions> = {}): Promise<Setup> {
  const clock = { now: T0 };
  const store = new CountingStore({ passwordCost: 10 });
  const alice = await store.addUser({ login: 'alice@example.org', password: ALICE_PASSWORD });
  const device = await store.addUser({ login: 'tablet-7', kind: 'appUser' });
  const auth = gatehouse({ store, now: () => clock.now, cookie: { secret: COOKIE_SECRET, secure: false }, ...options });
  const app = express();
  app.use('/v1', auth.routes());
  app.use('/v1', auth.authenticate());
  app.get('/v1/projects', auth.require({ actors: ['user', 'appUser'] }), (_req, res) => res.json({ ok: true }));
  const server = app.listen(0);
  servers.push(server);
  return { server, auth, store, alice, device, clock };
}

/** `count` requests, `concurrency` at a time, each expected to succeed. */
async function hammer(t: Setup, token: string, count: number, concurrency = 100): Promise<void> {
  for (let sent = 0; sent < count; sent += concurrency) {
    const batch = Array.from({ length: Math.min(concurrency, count - sent) }, () =>
      request(t.server).get('/v1/projects').set('Authorization', `Bearer ${token}`),
    );
    for (const res of await Promise.all(batch)) expect(res.status).toBe(200);
  }
}

async function lastUsedAt(t: Setup, id: string, actorId = t.alice.id): Promise<number | null> {
  const credential = (await t.auth.tokens.list(actorId)).find((c) => c.id === id);
  return credential?.lastUsedAt?.getTime() ?? null;
}

describe('last use is recorded with at most one store write per credential per interval', () => {
  it('500 requests within a minute write once, even 100 at a time; past the minute, once more', async () => {
    const t = await setup();
    const personal = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'personal' });
    expect(await lastUsedAt(t, personal.id)).toBeNull();

    await hammer(t, personal.token, 500);
    expect(t.store.touches).toBe(1);
    expect(await lastUsedAt(t, personal.id)).toBe(T0);

    t.clock.now = T0 + MINUTE - 1;
    await hammer(t, personal.token, 200);
    expect(t.store.touches).toBe(1);
    expect(await lastUsedAt(t, personal.id)).toBe(T0);

    t.clock.now = T0 + MINUTE;
    await hammer(t, personal.token, 200);
    expect(t.store.touches).toBe(2);
    expect(await lastUsedAt(t, personal.id)).toBe(T0 + MINUTE);
  });

  it('each credential has its own interval', async () => {
    const t = await setup();
    const laptop = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'personal', label: 'laptop' });
    const phone = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'personal', label: 'phone' });
    await hammer(t, laptop.token, 50);
    t.clock.now += 10_000;
    await hammer(t, phone.token, 50);
    expect(t.store.touches).toBe(2);
    expect(await lastUsedAt(t, laptop.id)).toBe(T0);
    expect(await lastUsedAt(t, phone.id)).toBe(T0 + 10_000);
  });

  it('records the last use of every stored kind: session, personal, API key, app-user key and browser session', async () => {
    const t = await setup();
    const session = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'session' });
    const personal = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'personal' });
    const apiKey = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'apiKey' });
    const deviceKey = await t.auth.tokens.issue({ actorId: t.device.id, kind: 'appUser' });
    const login = await request(t.server).post('/v1/sessions').send({ login: 'alice@example.org', password: ALICE_PASSWORD, session: true });
    const cookie = sessionCookie(login, 'gatehouse').pair;

    t.clock.now = T0 + 5 * MINUTE;
    const used = [
      request(t.server).get('/v1/projects').set('Authorization', `Bearer ${session.token}`),
      request(t.server).get('/v1/projects').set('Authorization', `Bearer ${personal.token}`),
      request(t.server).get('/v1/projects').set('Authorization', `ApiKey ${apiKey.token}`),
      request(t.server).get(`/v1/key/${deviceKey.token}/projects`),
      request(t.server).get('/v1/projects').set('Cookie', cookie),
    ];
    for (const res of await Promise.all(used)) expect(res.status).toBe(200);

    const listed = await t.auth.tokens.list(t.alice.id);
    const lastUse = (id: string | undefined) => listed.find((c) => c.id === id)?.lastUsedAt?.getTime();
    const browser = listed.find((c) => c.kind === 'cookie');
    expect([session, personal, apiKey].map((issued) => lastUse(issued.id))).toEqual([T0 + 5 * MINUTE, T0 + 5 * MINUTE, T0 + 5 * MINUTE]);
    expect(lastUse(browser?.id)).toBe(T0 + 5 * MINUTE);
    expect(await lastUsedAt(t, deviceKey.id, t.device.id)).toBe(T0 + 5 * MINUTE);
  });

  it('lastUsedInterval sets the interval', async () => {
    const t = await setup({ lastUsedInterval: 5 * MINUTE });
    const personal = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'personal' });
    await hammer(t, personal.token, 10);
    t.clock.now = T0 + 5 * MINUTE - 1;
    await hammer(t, personal.token, 10);
    expect(t.store.touches).toBe(1);
    t.clock.now = T0 + 5 * MINUTE;
    await hammer(t, personal.token, 10);
    expect(t.store.touches).toBe(2);
    expect(() => gatehouse({ store: t.store, lastUsedInterval: 0 })).toThrow(
      'gatehouse(): lastUsedInterval must be a positive whole number of milliseconds (default 60000).',
    );
  });

  it('a session with an idle timeout writes at most once per tenth of it, and its idle time runs from the last write', async () => {
    const t = await setup({ sessionToken: { idleTimeout: 5 * MINUTE } });
    const session = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'session' });
    for (let second = 0; second <= 110; second += 10) {
      t.clock.now = T0 + second * 1000;
      await hammer(t, session.token, 10, 10);
    }
    // A request every 10 s for 110 s: writes at 0, 30, 60 and 90 s (a tenth of the idle timeout).
    expect(t.store.touches).toBe(4);
    t.clock.now = T0 + 90_000 + 5 * MINUTE;
    expect((await request(t.server).get('/v1/projects').set('Authorization', `Bearer ${session.token}`)).body.code).toBe('401.4');
  });
});
