/**
 * Revocation is final for credentials still being issued: a login (bearer, cookie, JWT) whose
 * password check began before `tokens.revokeAll`, or a refresh of a family that began before
 * it, yields nothing that works — the documented step after a password change must end every
 * session, including the one a client was getting with the old password at that moment.
 */
import express from 'express';
import request from 'supertest';
import { gatehouse, MemoryStore, type CredentialRecord, type GatehouseOptions, type GatehouseStore } from '../src';
import { ALICE_PASSWORD } from './helpers/app';
import { BACKENDS, holdingAfter, pause, useBackends, type Pause } from './helpers/backends';
import { COOKIE_SECRET, sessionCookie, withCookie } from './helpers/cookie';
import { JWT_OPTIONS } from './helpers/jwt';

const backends = useBackends('revoke-all-in-flight');

/** Users whose credential lookup can be held after it has read the (old) password hash. */
async function pausableUsers() {
  const users = new MemoryStore({ passwordCost: 10 });
  const alice = await users.addUser({ login: 'alice@example.org', password: ALICE_PASSWORD, roles: ['admin'] });
  let held: Pause | null = null;
  const findCredentials = users.findCredentials.bind(users);
  users.findCredentials = async (login: string): Promise<CredentialRecord | null> => {
    const record = await findCredentials(login);
    await held?.wait();
    return record;
  };
  return { users, alice, holdLookup: () => (held = pause()) };
}

function appOver(store: GatehouseStore, options: Partial<GatehouseOptions> = {}) {
  const auth = gatehouse({ store, jwt: JWT_OPTIONS, cookie: { secret: COOKIE_SECRET }, ...options });
  const app = express();
  app.set('trust proxy', 'loopback');
  app.use('/v1', auth.routes());
  app.use('/v1', auth.authenticate());
  app.get('/v1/projects', auth.require(), (req, res) => res.json({ user: req.user }));
  return { app, auth };
}

const credentials = { login: 'alice@example.org', password: ALICE_PASSWORD };

/** A count that can be awaited: `reached(n)` resolves once `add()` has been called n times. */
function progress() {
  const waiting: Array<{ target: number; resolve: () => void }> = [];
  const state = {
    count: 0,
    add() {
      state.count += 1;
      for (const waiter of waiting.filter((entry) => entry.target <= state.count)) {
        waiting.splice(waiting.indexOf(waiter), 1);
        waiter.resolve();
      }
    },
    reached(target: number): Promise<void> {
      if (state.count >= target) return Promise.resolve();
      return new Promise((resolve) => waiting.push({ target, resolve }));
    },
  };
  return state;
}

/**
 * Sends a login whose credential lookup is held after it read the password hash, runs
 * revokeAll while it is held, then lets it finish; resolves to the login's answer.
 */
async function loginRacingRevokeAll(backend: (typeof BACKENDS)[number], send: (app: express.Express) => request.Test) {
  const { users, alice, holdLookup } = await pausableUsers();
  const { app, auth } = appOver(backends.storeFor(backend, users));
  const held = holdLookup();
  const login = send(app).then((res) => res);
  await held.reached;
  await auth.tokens.revokeAll(alice.id);
  held.release();
  return { app, res: await login };
}

describe.each(BACKENDS)('tokens.revokeAll refuses what a login or refresh already under way would issue (%s)', (backend) => {
  it('POST /sessions whose password check began before revokeAll answers 401.2 and leaves no working token', async () => {
    const { app, res } = await loginRacingRevokeAll(backend, (server) => request(server).post('/v1/sessions').send(credentials));
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('401.2');
    expect(res.body).not.toHaveProperty('token');
    // A login that starts after revokeAll is a new proof, and works.
    const again = await request(app).post('/v1/sessions').send(credentials);
    expect(again.status).toBe(200);
    expect((await request(app).get('/v1/projects').set('Authorization', `Bearer ${again.body.token}`)).status).toBe(200);
  });

  it('a cookie login (session: true) whose password check began before revokeAll answers 401.2 and its cookie does not work', async () => {
    const { app, res } = await loginRacingRevokeAll(backend, (server) =>
      request(server).post('/v1/sessions').set('X-Forwarded-Proto', 'https').send({ ...credentials, session: true }),
    );
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('401.2');
    const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((line) => line.startsWith('__Host-gatehouse='));
    if (cookie) expect((await withCookie(request(app).get('/v1/projects'), cookie.split(';')[0])).status).toBe(401);
  });

  it('POST /jwt/authenticate whose password check began before revokeAll answers 401.2: no refresh chain survives', async () => {
    const { res } = await loginRacingRevokeAll(backend, (server) => request(server).post('/v1/jwt/authenticate').send(credentials));
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('401.2');
    expect(res.body).not.toHaveProperty('refresh');
    expect(res.body).not.toHaveProperty('access');
  });

  it('POST /jwt/refresh of a family that began before revokeAll, in flight during it, answers 401.2', async () => {
    const users = new MemoryStore({ passwordCost: 10 });
    const alice = await users.addUser({ login: 'alice@example.org', password: ALICE_PASSWORD, roles: ['admin'] });
    let held: Pause | null = null;
    // Held after the refresh token was read (and marked used), before its successor is saved.
    const store = backends.storeFor(backend, users, holdingAfter('markTokenUsed', () => held));
    const { app, auth } = appOver(store);
    const first = await request(app).post('/v1/jwt/authenticate').send(credentials);
    expect(first.status).toBe(200);
    held = pause();
    const refresh = request(app).post('/v1/jwt/refresh').send({ refresh: first.body.refresh }).then((res) => res);
    await held.reached;
    await auth.tokens.revokeAll(alice.id);
    held.release();
    const res = await refresh;
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('401.2');
    expect(res.body).not.toHaveProperty('refresh');
    expect((await request(app).get('/v1/projects').set('Authorization', `Bearer ${first.body.access}`)).status).toBe(401);
  });

  it('a client logging in again and again with the old password keeps no working token across a password change (12 unpaused rounds)', async () => {
    const users = new MemoryStore({ passwordCost: 10 });
    const alice = await users.addUser({ login: 'alice@example.org', password: ALICE_PASSWORD, roles: ['admin'] });
    // Counted, never held: the rounds below wait for a number of lookups or answers, so the
    // password change lands at the same point of the logins' progress on a fast or a busy machine.
    const lookups = progress();
    const findCredentials = users.findCredentials.bind(users);
    users.findCredentials = async (login: string): Promise<CredentialRecord | null> => {
      const record = await findCredentials(login);
      lookups.add();
      return record;
    };
    const store = backends.storeFor(backend, users);
    // The new password hashed at the users' cost (10), not the default 12: less bcrypt, same rounds.
    const { app, auth } = appOver(store, { passwords: { cost: 10 } });
    const newHash = await auth.passwords.hash('a brand new password');
    const oldHash = (await users.findCredentials('alice@example.org'))!.passwordHash;
    for (let round = 0; round < 12; round += 1) {
      await users.setPasswordHash(alice.id, oldHash);
      const answers = progress();
      const lookupsBefore = lookups.count;
      const logins = Array.from({ length: 3 }, () =>
        request(app)
          .post('/v1/sessions')
          .send(credentials)
          .then((res) => (answers.add(), res)),
      );
      // Where the password change lands, by round: after 0, 1, 2 or 3 of the logins read the
      // old hash (their bcrypt checks under way), after one login answered, after all did.
      const point = round % 6;
      if (point < 4) await lookups.reached(lookupsBefore + point);
      else await answers.reached(point === 4 ? 1 : 3);
      await users.setPasswordHash(alice.id, newHash);
      await auth.tokens.revokeAll(alice.id);
      for (const res of await Promise.all(logins)) {
        if (res.status !== 200) continue;
        const use = await request(app).get('/v1/projects').set('Authorization', `Bearer ${res.body.token}`);
        expect({ round, status: use.status }).toEqual({ round, status: 401 });
      }
    }
    // 12 rounds × 3 logins × bcrypt at cost 10, over a real store: sized for a busy CI runner.
  }, 180_000);
});
