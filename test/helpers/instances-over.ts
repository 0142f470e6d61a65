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
