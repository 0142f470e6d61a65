/**
 * `POST {sessions}/reauthenticate`: the signed-in caller proves their password again and the
 * credential they present gets a fresh proof (`authTime`), so a route with
 * `auth.require({ maxAge })` lets it in again — on MemoryStore, RedisStore and PostgresStore.
 * The same password check and lockout as a login; `tokens.revokeAll` keeps its word.
 */
import express from 'express';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { gatehouse, MemoryStore, type GatehouseOptions } from '../src';
import { hashSecret } from '../src/tokens/format';
import { ALICE_PASSWORD, BOB_PASSWORD, CONFIG_API_KEY } from './helpers/app';
import { BACKENDS, pause, useBackends, type BackendName, type Pause } from './helpers/backends';
import { COOKIE_SECRET, sessionCookie } from './helpers/cookie';
import { runEsmHelper } from './helpers/esm';
import { everyCredentialApp } from './helpers/every-credential-app';
import { sessionOn } from './helpers/instances-over';
import { JWT_OPTIONS } from './helpers/jwt';

const ALICE = { login: 'alice@example.org', password: ALICE_PASSWORD };
const MINUTE = 60_000;

describe.each(BACKENDS)('re-authentication on %s', (backend: BackendName) => {
  const backends = useBackends(`reauth_${backend}`);

  /** An app on this backend; `beforeUpdate`, when armed, holds the token store's updateToken before it runs. */
  async function reauthApp(options: Partial<GatehouseOptions> = {}, hold: { beforeUpdate?: Pause; afterUpdate?: Pause } = {}) {
    const users = new MemoryStore({ passwordCost: 10 });
    const alice = await users.addUser({ login: 'alice@example.org', password: ALICE_PASSWORD, roles: ['admin'] });
    const bob = await users.addUser({ login: 'bob@example.org', password: BOB_PASSWORD, roles: ['editor'] });
    const store = backends.storeFor(backend, users, (tokens) => ({
      ...tokens,
      async updateToken(...args: unknown[]) {
        if (hold.beforeUpdate) await hold.beforeUpdate.wait();
        const result = await tokens.updateToken!(...args);
        if (hold.afterUpdate) await hold.afterUpdate.wait();
        return result;
      },
    }));
    const { app, auth, clock, events } = everyCredentialApp(store, options);
    app.get('/v1/recent', auth.require({ maxAge: '10m' }), (req, res) => res.json({ authInfo: req.authInfo }));
    return { app, auth, store, alice, bob, clock, events };
  }

  const reauthenticate = (app: express.Express, credential: [string, string], body: object = ALICE) =>
    request(app).post('/v1/sessions/reauthenticate').set(credential[0], credential[1]).send(body);

  it('a session token: 401.6 after 11 minutes, re-authenticated in place (same token, record raised), then let in', async () => {
    const t = await reauthApp();
    const token = await sessionOn(t.app);
    t.clock.now += 11 * MINUTE;
    expect((await request(t.app).get('/v1/recent').set('Authorization', `Bearer ${token}`)).body.code).toBe('401.6');
    const res = await reauthenticate(t.app, ['Authorization', `Bearer ${token}`]);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({ authTime: new Date(t.clock.now).toISOString(), amr: ['pwd'], acr: 'single' });
    const record = await t.store.findToken!(hashSecret(token));
    expect(record?.data).toMatchObject({ provenAt: t.clock.now, amr: ['pwd'] });
    const recent = await request(t.app).get('/v1/recent').set('Authorization', `Bearer ${token}`);
    expect(recent.status).toBe(200);
    expect(recent.body.authInfo.authTime).toBe(new Date(t.clock.now).toISOString());
    expect(t.events.filter((event) => event.type === 'reauthentication.succeeded')).toEqual([
      expect.objectContaining({ scheme: 'sessionToken', actorId: t.alice.id, code: null, amr: ['pwd'] }),
    ]);
    expect(t.events.some((event) => event.type === 'login.succeeded' && event.time.getTime() === t.clock.now)).toBe(false);
  });

  it('a raise through one gatehouse() instance is seen by another over the same store', async () => {
    const t = await reauthApp();
    const other = gatehouse({ store: t.store, now: () => t.clock.now });
    const otherApp = express();
    otherApp.use(other.authenticate());
    otherApp.get('/recent', other.require({ maxAge: '10m' }), (_req, res) => res.json({}));
    const token = await sessionOn(t.app);
    t.clock.now += 11 * MINUTE;
    expect((await request(otherApp).get('/recent').set('Authorization', `Bearer ${token}`)).body.code).toBe('401.6');
    expect((await reauthenticate(t.app, ['Authorization', `Bearer ${token}`])).status).toBe(200);
    expect((await request(otherApp).get('/recent').set('Authorization', `Bearer ${token}`)).status).toBe(200);
  });

  it('a cookie session: re-authenticated in place, the same cookie then let in', async () => {
    const t = await reauthApp();
    const login = await request(t.app).post('/v1/sessions').send({ ...ALICE, session: true });
    const { pair } = sessionCookie(login, 'gatehouse');
    t.clock.now += 11 * MINUTE;
    expect((await request(t.app).get('/v1/recent').set('Cookie', pair)).body.code).toBe('401.6');
    const res = await request(t.app).post('/v1/sessions/reauthenticate').set('Cookie', pair).set('X-CSRF-Token', login.body.csrf).send(ALICE);
    expect(res.status).toBe(200);
    expect(res.body.authTime).toBe(new Date(t.clock.now).toISOString());
    const recent = await request(t.app).get('/v1/recent').set('Cookie', pair);
    expect(recent.status).toBe(200);
    expect(recent.body.authInfo).toMatchObject({ scheme: 'cookie', authTime: new Date(t.clock.now).toISOString(), amr: ['pwd'] });
  });

  it('a JWT: answered with a fresh pair on the new proof; the presented family ends; the new family keeps the proof through a refresh', async () => {
    const t = await reauthApp();
    const first = await request(t.app).post('/v1/jwt/authenticate').send(ALICE);
    t.clock.now += 11 * MINUTE;
    const access = first.body.access as string;
    expect((await request(t.app).get('/v1/recent').set('Authorization', `Bearer ${access}`)).body.code).toBe('401.6');
    const res = await reauthenticate(t.app, ['Authorization', `Bearer ${access}`]);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['access', 'accessExpiresAt', 'refresh', 'refreshExpiresAt']);
    const reauthenticatedAt = Math.floor(t.clock.now / 1000);
    expect(jwt.decode(res.body.access)).toMatchObject({ sub: t.alice.id, auth_time: reauthenticatedAt, amr: ['pwd'], acr: 'single' });
    expect((await request(t.app).get('/v1/recent').set('Authorization', `Bearer ${res.body.access}`)).status).toBe(200);
    // The presented pair is over.
    expect((await request(t.app).get('/v1/recent').set('Authorization', `Bearer ${access}`)).body.code).toBe('401.2');
    expect((await request(t.app).post('/v1/jwt/refresh').send({ refresh: first.body.refresh })).body.code).toBe('401.2');
    t.clock.now += MINUTE;
    const refreshed = await request(t.app).post('/v1/jwt/refresh').send({ refresh: res.body.refresh });
    expect(refreshed.status).toBe(200);
    expect(jwt.decode(refreshed.body.access)).toMatchObject({ auth_time: reauthenticatedAt });
  });

  it('a wrong password is 401.2, reported as login.failed, and counts toward the login\'s lockout', async () => {
    const t = await reauthApp({ lockout: { maxAttempts: 3 } });
    const token = await sessionOn(t.app);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const res = await reauthenticate(t.app, ['Authorization', `Bearer ${token}`], { login: ALICE.login, password: 'wrong-password-5521' });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('401.2');
    }
    expect(t.events.filter((event) => event.type === 'login.failed')).toHaveLength(3);
    expect((await reauthenticate(t.app, ['Authorization', `Bearer ${token}`])).body.code).toBe('403.2');
    expect((await request(t.app).post('/v1/sessions').send(ALICE)).body.code).toBe('403.2');
    expect((await t.store.findToken!(hashSecret(token)))?.data).toMatchObject({ provenAt: expect.any(Number) });
    expect(t.events.some((event) => event.type === 'reauthentication.succeeded')).toBe(false);
  });

  it('another actor\'s login, even with its right password, is 401.2 and raises nothing', async () => {
    const t = await reauthApp();
    const token = await sessionOn(t.app);
    const before = (await t.store.findToken!(hashSecret(token)))?.data;
    const res = await reauthenticate(t.app, ['Authorization', `Bearer ${token}`], { login: 'bob@example.org', password: BOB_PASSWORD });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('401.2');
    expect((await t.store.findToken!(hashSecret(token)))?.data).toEqual(before);
  });

  it('a revokeAll while the proof is being raised wins: 401.2, and the token stays gone', async () => {
    const afterUpdate = pause();
    const t = await reauthApp({}, { afterUpdate });
    const token = await sessionOn(t.app);
    const answer = reauthenticate(t.app, ['Authorization', `Bearer ${token}`]).then((res) => res);
    await afterUpdate.reached;
    t.clock.now += 1;
    await t.auth.tokens.revokeAll(t.alice.id);
    afterUpdate.release();
    const res = await answer;
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('401.2');
    expect(await t.store.findToken!(hashSecret(token))).toBeNull();
    expect((await request(t.app).get('/v1/recent').set('Authorization', `Bearer ${token}`)).body.code).toBe('401.2');
  });

  it('a cookie session revoked while its proof is being raised: 401.2, the session gone, the cookie refused', async () => {
    const beforeUpdate = pause();
    beforeUpdate.armed = false;
    const t = await reauthApp({}, { beforeUpdate });
    const login = await request(t.app).post('/v1/sessions').send({ ...ALICE, session: true });
    const { pair } = sessionCookie(login, 'gatehouse');
    beforeUpdate.armed = true;
    const answer = request(t.app).post('/v1/sessions/reauthenticate').set('Cookie', pair).set('X-CSRF-Token', login.body.csrf).send(ALICE).then((res) => res);
    await beforeUpdate.reached;
    t.clock.now += 1;
    await t.auth.tokens.revokeAll(t.alice.id);
    beforeUpdate.release();
    expect((await answer).body.code).toBe('401.2');
    expect((await request(t.app).get('/v1/recent').set('Cookie', pair)).body.code).toBe('401.2');
  });

  it('a revokeAll just before the raise is written: the write re-creates nothing, 401.2', async () => {
    const beforeUpdate = pause();
    const t = await reauthApp({}, { beforeUpdate });
    const token = await sessionOn(t.app);
    const answer = reauthenticate(t.app, ['Authorization', `Bearer ${token}`]).then((res) => res);
    await beforeUpdate.reached;
    t.clock.now += 1;
    await t.auth.tokens.revokeAll(t.alice.id);
    beforeUpdate.release();
    expect((await answer).body.code).toBe('401.2');
    expect(await t.store.findToken!(hashSecret(token))).toBeNull();
  });
});

describe('what cannot be re-authenticated, and the description', () => {
  async function plainApp() {
    const store = new MemoryStore({ passwordCost: 10 });
    const alice = await store.addUser({ login: 'alice@example.org', password: ALICE_PASSWORD });
    const auth = gatehouse({ store, jwt: JWT_OPTIONS, cookie: { secret: COOKIE_SECRET, secure: false }, apiKeys: { [CONFIG_API_KEY]: { role: 'admin', label: 'admin' } } });
    const app = express();
    app.set('trust proxy', 'loopback');
    app.use('/v1', auth.routes());
    return { app, auth, alice };
  }

  it('Basic, API keys, app-user keys and personal tokens answer 403.1; no credential 401.1', async () => {
    const t = await plainApp();
    const { token: personal } = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'personal' });
    const post = () => request(t.app).post('/v1/sessions/reauthenticate').set('X-Forwarded-Proto', 'https');
    expect((await post().auth(ALICE.login, ALICE.password).send(ALICE)).body.code).toBe('403.1');
    expect((await post().set('Authorization', `ApiKey ${CONFIG_API_KEY}`).send(ALICE)).body.code).toBe('403.1');
    expect((await post().set('Authorization', `Bearer ${personal}`).send(ALICE)).body.code).toBe('403.1');
    expect((await post().send(ALICE)).body.code).toBe('401.1');
  });

  it('auth.openapi() describes it (moved with paths.reauthenticate too), and the document validates', async () => {
    const t = await plainApp();
    const fragment = t.auth.openapi({ paths: { reauthenticate: '/auth/step-up' }, mountPath: '/v1' });
    const operation = fragment.paths['/v1/auth/step-up']?.post as { operationId: string; responses: Record<string, { description: string }> };
    expect(operation.operationId).toBe('gatehouseReauthenticate');
    expect(Object.keys(operation.responses).sort()).toEqual(['200', '400', '401', '403', '503']);
    expect((fragment.components.schemas.GatehouseProblem as { properties: Record<string, unknown> }).properties).toHaveProperty('maxAge');
    const valid = await runEsmHelper<{ valid: boolean; error?: string }>('openapi-validate.mjs', { openapi: '3.1.0', info: { title: 't', version: '1' }, ...fragment });
    expect(valid).toMatchObject({ valid: true });
    const app = express();
    app.use('/v1', t.auth.routes({ paths: { reauthenticate: '/auth/step-up' } }));
    expect((await request(app).post('/v1/auth/step-up').send(ALICE)).body.code).toBe('401.1');
  });
});
