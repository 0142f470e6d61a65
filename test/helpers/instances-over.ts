/**
 * Several `gatehouse()` instances, each over a store object of its own (its own pool or
 * client) reaching one shared engine — the shape of a multi-instance deployment, in one
 * process. Users come from one MemoryStore (the host's table, the same on every instance).
 */
import express from 'express';
import request from 'supertest';
import { combineStores, gatehouse, MemoryStore } from '../../src';
import type { PostgresStore } from '../../src/store/postgres';
import type { RedisStore } from '../../src/store/redis';
import { ALICE_PASSWORD } from './app';
import { waitFor } from './engine-process';

export type SharedTokens = PostgresStore | RedisStore;

/** One express app per token store; alice can log in on each. */
export async function instancesOver(tokenStores: readonly SharedTokens[]): Promise<express.Express[]> {
  const users = new MemoryStore({ passwordCost: 10 });
  await users.addUser({ login: 'alice@example.org', password: ALICE_PASSWORD });
  return tokenStores.map((tokens) => {
    const auth = gatehouse({ store: combineStores({ credentials: users, tokens }) });
    const app = express();
    app.use('/v1', auth.routes());
    app.use('/v1', auth.authenticate());
    app.get('/v1/projects', auth.require(), (req, res) => res.json({ id: req.user!.id }));
    return app;
  });
}

/** Alice's session token from `POST /sessions` on `app`. */
export async function sessionOn(app: express.Express): Promise<string> {
  const login = await request(app).post('/v1/sessions').send({ login: 'alice@example.org', password: ALICE_PASSWORD });
  expect(login.status).toBe(200);
  return login.body.token as string;
}

export const projectsWith = (app: express.Express, token: string) => request(app).get('/v1/projects').set('Authorization', `Bearer ${token}`);

/**
 * Logs in on `a`, uses the token on `b`, logs out on `a`: what `b` answers to the token on
 * its next request, for each of `rounds` sessions.
 */
export async function revokedOnARefusedOnB(a: express.Express, b: express.Express, rounds: number): Promise<{ acceptedBefore: number; refusedAfter: string[] }> {
  let acceptedBefore = 0;
  const refusedAfter: string[] = [];
  for (let i = 0; i < rounds; i += 1) {
    const token = await sessionOn(a);
    if ((await projectsWith(b, token)).status === 200) acceptedBefore += 1;
    expect((await request(a).delete('/v1/sessions/current').set('Authorization', `Bearer ${token}`)).status).toBe(200);
    const after = await projectsWith(b, token);
    refusedAfter.push(`${after.status} ${after.body.code}`);
  }
  return { acceptedBefore, refusedAfter };
}

/** Alice's sessions made on one instance: `live` ones, and as many `revoked` ones, logged out there. */
export interface LiveAndRevoked {
  live: string[];
  revoked: string[];
}

/** `count` live and `count` revoked sessions of alice's, all made (and the revoked ones logged out) on `app`. */
export async function liveAndRevokedOn(app: express.Express, count: number): Promise<LiveAndRevoked> {
  const live = await Promise.all(Array.from({ length: count }, () => sessionOn(app)));
  const revoked = await Promise.all(Array.from({ length: count }, () => sessionOn(app)));
  for (const token of revoked) expect((await request(app).delete('/v1/sessions/current').set('Authorization', `Bearer ${token}`)).status).toBe(200);
  return { live, revoked };
}

/**
 * While `switchOver` runs (a store's primary fails and is replaced), two loops of requests:
 * the live sessions on `a`, the revoked ones on `b`, each answer counted; the loops stop once
 * `switchOver` resolves. Then what the instances answered during the switch is held to the
 * store's promise — only 200, 503.1 or (for a revoked session) 401.2, never a revoked session
 * accepted nor a live one refused — and afterwards every live session works on both
 * instances, every revoked one stays refused, and a login on `b` is accepted on `a`.
 */
export async function expectSafeThroughSwitch(
  [a, b]: readonly express.Express[],
  { live, revoked }: LiveAndRevoked,
  switchOver: () => Promise<void>,
): Promise<void> {
  const during = { requests: 0, acceptedAfterRevoke: 0, liveRefused: [] as string[], other5xx: [] as string[], codes: new Set<string>() };
  let switching = true;
  const load = async () => {
    while (switching) {
      for (const [app, token, isRevoked] of [
        [a, live[during.requests % live.length], false],
        [b, revoked[during.requests % revoked.length], true],
      ] as const) {
        const res = await projectsWith(app, token);
        during.requests += 1;
        const outcome = `${res.status} ${res.body.code ?? ''}`.trim();
        during.codes.add(outcome);
        if (isRevoked && res.status === 200) during.acceptedAfterRevoke += 1;
        if (!isRevoked && res.status === 401) during.liveRefused.push(outcome);
        if (res.status >= 500 && res.body.code !== '503.1') during.other5xx.push(outcome);
      }
    }
  };
  const loaders = [load(), load()];
  try {
    await waitFor('a first request under load', async () => during.requests > 0);
    await switchOver();
  } finally {
    switching = false;
    await Promise.all(loaders);
  }

  expect(during.requests).toBeGreaterThan(0);
  expect(during.acceptedAfterRevoke).toBe(0);
  expect(during.other5xx).toEqual([]);
  expect(during.liveRefused).toEqual([]);
  expect([...during.codes].filter((code) => code !== '200' && code !== '503 503.1' && code !== '401 401.2')).toEqual([]);

  for (const app of [a, b]) {
    expect(await Promise.all(live.map(async (token) => (await projectsWith(app, token)).status))).toEqual(live.map(() => 200));
    expect(await Promise.all(revoked.map(async (token) => (await projectsWith(app, token)).body.code))).toEqual(revoked.map(() => '401.2'));
  }
  expect((await projectsWith(a, await sessionOn(b))).status).toBe(200);
}
