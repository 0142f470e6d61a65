/**
 * Two `gatehouse()` instances over one token store, each with its own JWT options and its
 * own injected clock (both started from the real time, `skew` apart), for refresh-token
 * scenarios across instances: a signing-key roll half deployed, clocks that disagree,
 * concurrent rotations held at chosen store calls.
 */
import express from 'express';
import request from 'supertest';
import { gatehouse, MemoryStore, type Gatehouse, type GatehouseStore, type JwtOptions } from '../../src';
import { ALICE_PASSWORD } from './app';
import type { bindAll, BackendName, useBackends } from './backends';
import { realNow } from './clock';

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
