/**
 * The refresh-token reuse interval: a refresh retried (its answer was lost) or sent to two
 * instances at once keeps the session — one rotation happens, and a duplicate within the
 * interval is answered with the same successor — while a token presented again after the
 * interval is still taken as stolen and ends its family.
 */
import express from 'express';
import request from 'supertest';
import { gatehouse, MemoryStore, type GatehouseStore } from '../src';
import { ALICE_PASSWORD } from './helpers/app';
import { BACKENDS, holdingAfter, pause, useBackends, type Pause } from './helpers/backends';
import { JWT_OPTIONS } from './helpers/jwt';

const backends = useBackends('refresh-reuse');
const REUSE_INTERVAL = 30_000;

function instance(store: GatehouseStore, clock: { now: number }) {
  const auth = gatehouse({ store, now: () => clock.now, jwt: { ...JWT_OPTIONS, refreshReuseInterval: REUSE_INTERVAL } });
  const app = express();
  app.use('/v1', auth.routes());
  app.use('/v1', auth.authenticate());
  app.get('/v1/projects', auth.require(), (req, res) => res.json({ id: req.user!.id }));
  return { app, auth };
}

/** Two app instances over one store and one clock; rotations can be held after the token is marked used. */
async function twoInstances(backend: (typeof BACKENDS)[number]) {
  const users = new MemoryStore({ passwordCost: 10 });
  const alice = await users.addUser({ login: 'alice@example.org', password: ALICE_PASSWORD });
  const clock = { now: Date.now() };
  let held: Pause | null = null;
  const store = backends.storeFor(backend, users, holdingAfter('markTokenUsed', () => held));
  const a = instance(store, clock);
  const b = instance(store, clock);
  const login = await request(a.app).post('/v1/jwt/authenticate').send({ login: 'alice@example.org', password: ALICE_PASSWORD });
  expect(login.status).toBe(200);
  return { a, b, clock, alice, tokens: login.body as { access: string; refresh: string }, hold: () => (held = pause()) };
}

const refresh = (app: express.Express, token: string) => request(app).post('/v1/jwt/refresh').send({ refresh: token }).then((res) => res);
const use = (app: express.Express, access: string) => request(app).get('/v1/projects').set('Authorization', `Bearer ${access}`);

describe.each(BACKENDS)('refresh reuse interval, two instances over one %s', (backend) => {
  it('the same refresh sent to both instances at once: one rotation, the session goes on (10 unpaused rounds)', async () => {
    const t = await twoInstances(backend);
    let current = t.tokens.refresh;
    for (let round = 0; round < 10; round += 1) {
      const answers = await Promise.all([refresh(t.a.app, current), refresh(t.b.app, current)]);
      const ok = answers.filter((res) => res.status === 200);
      expect({ round, succeeded: ok.length >= 1 }).toEqual({ round, succeeded: true });
      // Exactly one rotation: every success carries the one successor.
      expect(new Set(ok.map((res) => res.body.refresh)).size).toBe(1);
      for (const res of answers) if (res.status !== 200) expect(res.body.code).toBe('401.2');
      for (const res of ok) expect((await use(t.b.app, res.body.access)).status).toBe(200);
      current = ok[0].body.refresh;
    }
    expect((await refresh(t.a.app, current)).status).toBe(200);
  });

  it('while the first rotation is under way, the duplicate is refused and the family kept; the first succeeds and its tokens stay valid', async () => {
    const t = await twoInstances(backend);
    const held = t.hold();
    const first = refresh(t.a.app, t.tokens.refresh);
    await held.reached;
    const duplicate = await refresh(t.b.app, t.tokens.refresh);
    expect(duplicate.status).toBe(401);
    expect(duplicate.body.code).toBe('401.2');
    held.release();
    const winner = await first;
    expect(winner.status).toBe(200);
    expect((await use(t.b.app, winner.body.access)).status).toBe(200);
    expect((await refresh(t.b.app, winner.body.refresh)).status).toBe(200);
  });

  it('a client whose answer was lost retries within the interval and gets the same successor', async () => {
    const t = await twoInstances(backend);
    const lost = await refresh(t.a.app, t.tokens.refresh);
    expect(lost.status).toBe(200);
    t.clock.now += REUSE_INTERVAL - 1000;
    const retry = await refresh(t.b.app, t.tokens.refresh);
    expect(retry.status).toBe(200);
    expect(retry.body.refresh).toBe(lost.body.refresh);
    expect((await use(t.a.app, retry.body.access)).status).toBe(200);
    expect((await refresh(t.a.app, retry.body.refresh)).status).toBe(200);
  });

  it('reuse after the interval still revokes the family: its refresh and access tokens', async () => {
    const t = await twoInstances(backend);
    const legitimate = await refresh(t.a.app, t.tokens.refresh);
    expect(legitimate.status).toBe(200);
    t.clock.now += REUSE_INTERVAL + 1000;
    const replay = await refresh(t.b.app, t.tokens.refresh);
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('401.2');
    expect((await refresh(t.a.app, legitimate.body.refresh)).body.code).toBe('401.2');
    expect((await use(t.a.app, legitimate.body.access)).body.code).toBe('401.2');
  });

  it('a retry within the interval does not bring back a family that revokeAll ended', async () => {
    const t = await twoInstances(backend);
    expect((await refresh(t.a.app, t.tokens.refresh)).status).toBe(200);
    await t.a.auth.tokens.revokeAll(t.alice.id);
    t.clock.now += 1000;
    expect((await refresh(t.b.app, t.tokens.refresh)).body.code).toBe('401.2');
  });
});

describe('refreshReuseInterval option', () => {
  it.each([-1, 1.5, '30', 300_001])('refuses %p at construction, naming the option', (value) => {
    expect(() => gatehouse({ store: new MemoryStore(), jwt: { ...JWT_OPTIONS, refreshReuseInterval: value as never } })).toThrow(/refreshReuseInterval/);
  });
});
