/**
 * Two `gatehouse()` instances over one token store, each with its own JWT options and its
 * own injected clock (both started from the real time, `skew` apart), for refresh-token
 * scenarios across instances: a signing-key roll half deployed, clocks that disagree,
 * concurrent rotations held at chosen store calls — and the concurrent-use cases every
 * multi-instance deployment of a store is held to.
 */
import express from 'express';
import request from 'supertest';
import { combineStores, gatehouse, MemoryStore, type Gatehouse, type GatehouseStore, type JwtOptions } from '../../src';
import { ALICE_PASSWORD } from './app';
import { bindAll, holdingAfter, pause, type BackendName, type Pause, type useBackends } from './backends';
import { realNow } from './clock';
import { JWT_OPTIONS } from './jwt';

type Backends = ReturnType<typeof useBackends>;

/** One instance: its app, its `auth`, and the clock it reads. */
export interface RefreshInstance {
  app: express.Express;
  auth: Gatehouse;
  clock: { now: number };
}

/** Tokens a login or a refresh answers with. */
export interface IssuedPair {
  access: string;
  refresh: string;
}

export interface TwoInstancesOptions {
  /** JWT options of instance A and of instance B. */
  jwt: [JwtOptions, JwtOptions];
  /** How far B's clock is ahead of A's, in ms (negative: behind). Default 0. */
  skew?: number;
  /** Replaces methods of the shared token store (to hold one at a gate, say). */
  wrap?: (tokens: ReturnType<typeof bindAll>) => ReturnType<typeof bindAll>;
}

function instance(store: GatehouseStore, jwt: JwtOptions, clock: { now: number }): RefreshInstance {
  const auth = gatehouse({ store, now: () => clock.now, jwt });
  const app = express();
  app.use('/v1', auth.routes());
  app.use('/v1', auth.authenticate());
  app.get('/v1/projects', auth.require(), (req, res) => res.json({ id: req.user!.id }));
  return { app, auth, clock };
}

/** Instances A and B over one `backend`; alice has logged in on A. */
export async function twoInstances(backends: Backends, backend: BackendName, options: TwoInstancesOptions) {
  const users = new MemoryStore({ passwordCost: 10 });
  const alice = await users.addUser({ login: 'alice@example.org', password: ALICE_PASSWORD });
  const store = backends.storeFor(backend, users, options.wrap);
  const start = realNow();
  const a = instance(store, options.jwt[0], { now: start });
  const b = instance(store, options.jwt[1], { now: start + (options.skew ?? 0) });
  return {
    a,
    b,
    alice,
    tokens: await loginOn(a),
    /** Moves both clocks on, keeping their skew. */
    advance(ms: number) {
      a.clock.now += ms;
      b.clock.now += ms;
    },
    /** The refresh tokens of alice's families still usable, as the store lists them. */
    liveRefreshTokens: () => a.auth.tokens.list(alice.id, { kinds: ['refresh'] }),
  };
}

/** Alice's `POST /jwt/authenticate` on one instance: a new family. */
export async function loginOn(target: RefreshInstance): Promise<IssuedPair> {
  const login = await request(target.app).post('/v1/jwt/authenticate').send({ login: 'alice@example.org', password: ALICE_PASSWORD });
  expect(login.status).toBe(200);
  return login.body as IssuedPair;
}

/** `POST /jwt/refresh` on one instance. */
export const refreshOn = (target: RefreshInstance, token: string) => request(target.app).post('/v1/jwt/refresh').send({ refresh: token }).then((res) => res);

/** A request to a protected route with an access token. */
export const useAccess = (target: RefreshInstance, access: string) => request(target.app).get('/v1/projects').set('Authorization', `Bearer ${access}`).then((res) => res);

/**
 * Backends for `twoInstances` over one deployment of the test's own (a Redis Cluster, Sentinel,
 * PgBouncer): every store is `storeOnItsOwnConnection()`, a client or pool of its own.
 */
export function backendsOver(storeOnItsOwnConnection: () => object): Backends {
  return {
    storeFor: (_backend, users, wrap = (tokens) => tokens) => combineStores({ credentials: users, tokens: wrap(bindAll(storeOnItsOwnConnection())) as never }),
  };
}

/**
 * Two concurrent uses of one refresh token on instances A and B over `backend`, as `it`s of the
 * calling `describe`: without a reuse interval, the second use judged before the first checked
 * its family (both refused, the family ends) and one after the other (the first answers 200,
 * the second ends what it handed out); with the default interval, both at once answer with the
 * same successor, which works.
 */
export function itKeepsRefreshPromisesUnderConcurrentUse(backends: Backends, backend: BackendName): void {
  const strict = { ...JWT_OPTIONS, refreshReuseInterval: 0 };

  it('no reuse interval, the second use judged before the first checked its family: both refused, the family ends', async () => {
    let gate: Pause | null = null;
    const t = await twoInstances(backends, backend, { jwt: [strict, strict], wrap: holdingAfter('markTokenUsed', () => gate) });
    gate = pause();
    const first = refreshOn(t.a, t.tokens.refresh);
    await gate.reached;
    const second = await refreshOn(t.b, t.tokens.refresh);
    gate.release();
    expect([(await first).status, second.status]).toEqual([401, 401]);
    expect((await useAccess(t.b, t.tokens.access)).body.code).toBe('401.2');
    expect(await t.liveRefreshTokens()).toEqual([]);
  });

  it('no reuse interval, one after the other on two instances: the first answers 200, the second ends what it handed out', async () => {
    const t = await twoInstances(backends, backend, { jwt: [strict, strict] });
    const first = await refreshOn(t.a, t.tokens.refresh);
    const second = await refreshOn(t.b, t.tokens.refresh);
    expect([first.status, second.status]).toEqual([200, 401]);
    expect((await refreshOn(t.a, first.body.refresh)).body.code).toBe('401.2');
    expect((await useAccess(t.a, first.body.access)).body.code).toBe('401.2');
    expect(await t.liveRefreshTokens()).toEqual([]);
  });

  it('with the default reuse interval, at once on two instances: both answer with the same successor, which works', async () => {
    const t = await twoInstances(backends, backend, { jwt: [JWT_OPTIONS, JWT_OPTIONS] });
    const answers = await Promise.all([refreshOn(t.a, t.tokens.refresh), refreshOn(t.b, t.tokens.refresh)]);
    const ok = answers.filter((res) => res.status === 200);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    expect(new Set(ok.map((res) => res.body.refresh)).size).toBe(1);
    for (const res of answers.filter((answer) => answer.status !== 200)) expect(res.body.code).toBe('401.2');
    expect((await useAccess(t.b, ok[0].body.access)).status).toBe(200);
    expect((await refreshOn(t.b, ok[0].body.refresh)).status).toBe(200);
    expect((await loginOn(t.b)).refresh).toBeDefined();
  });
}
