import jwt from 'jsonwebtoken';
import request from 'supertest';
import { MemoryStore } from '../src';
import { ALICE_PASSWORD, buildApp } from './helpers/app';
import { JWT_OPTIONS, JWT_SECRET, localClaims } from './helpers/jwt';
import { realNow } from './helpers/clock';

const T = realNow(); // a whole second
type App = Awaited<ReturnType<typeof buildApp>>;
const login = async (t: App) =>
  (await request(t.app).post('/v1/jwt/authenticate').send({ login: 'alice@example.org', password: ALICE_PASSWORD })).body as {
    access: string;
    refresh: string;
  };
const projects = (t: App, access: string) => request(t.app).get('/v1/projects').set('Authorization', `Bearer ${access}`);

describe('JWT revocation', () => {
  it('logout (DELETE /sessions/current) revokes exactly that jti, until its exp', async () => {
    let now = T;
    const t = await buildApp({ jwt: JWT_OPTIONS, now: () => now });
    const mine = await login(t);
    const otherDevice = await login(t);
    expect((await request(t.app).delete('/v1/sessions/current').set('Authorization', `Bearer ${mine.access}`)).body).toEqual({ success: true });
    expect((await projects(t, mine.access)).body.code).toBe('401.2');
    expect((await projects(t, otherDevice.access)).status).toBe(200);
    // A second logout with the same token is refused like any revoked token.
    expect((await request(t.app).delete('/v1/sessions/current').set('Authorization', `Bearer ${mine.access}`)).body.code).toBe('401.2');
    now += 10 * 60_000;
    expect((await projects(t, mine.access)).body.code).toBe('401.2');
  });

  it('tokens.revokeAll stops outstanding access tokens, also in stateless mode', async () => {
    for (const stateless of [false, true]) {
      let now = T;
      const t = await buildApp({ jwt: { ...JWT_OPTIONS, stateless }, now: () => now });
      const { access } = await login(t);
      expect((await projects(t, access)).status).toBe(200);
      now += 2000;
      await t.auth.tokens.revokeAll(t.alice.id);
      expect((await projects(t, access)).body.code).toBe('401.2');
      now += 1000;
      expect((await projects(t, (await login(t)).access)).status).toBe(200);
    }
  });

  it('a token issued in the same second as revokeAll is refused, even just after it (iat has whole seconds)', async () => {
    let now = T + 100;
    const t = await buildApp({ jwt: JWT_OPTIONS, now: () => now });
    const before = await login(t);
    now = T + 500;
    await t.auth.tokens.revokeAll(t.alice.id);
    now = T + 900;
    const sameSecond = await login(t);
    expect((await projects(t, before.access)).body.code).toBe('401.2');
    expect((await projects(t, sameSecond.access)).body.code).toBe('401.2');
    now = T + 1000;
    expect((await projects(t, (await login(t)).access)).status).toBe(200);
  });

  it('the not-before covers every access token still alive: kept for accessTtl, then dropped', async () => {
    let now = T;
    const t = await buildApp({ jwt: { ...JWT_OPTIONS, accessTtl: 60_000 }, now: () => now });
    const { access } = await login(t);
    await t.auth.tokens.revokeAll(t.alice.id);
    now += 59_000;
    expect((await projects(t, access)).body.code).toBe('401.2');
    now += 10_000; // past exp and the clock tolerance: expired anyway
    expect((await projects(t, access)).body.code).toBe('401.4');
  });

  it('a forged token without iat is refused once the actor has a not-before', async () => {
    const t = await buildApp({ jwt: JWT_OPTIONS, now: () => T });
    const { iat: _iat, ...claims } = localClaims(t.alice.id, T / 1000);
    const token = jwt.sign(claims, JWT_SECRET, { algorithm: 'HS256', noTimestamp: true });
    expect((await projects(t, token)).status).toBe(200);
    await t.auth.tokens.revokeAll(t.alice.id);
    expect((await projects(t, token)).body.code).toBe('401.2');
  });

  it('checks jti, family and actor in one findRevocations call per request', async () => {
    // The spy goes on before gatehouse() takes the store's methods.
    const store = new MemoryStore({ passwordCost: 10 });
    const findRevocations = jest.spyOn(store, 'findRevocations');
    const t = await buildApp({ jwt: JWT_OPTIONS, now: () => T }, store);
    const { access } = await login(t);
    findRevocations.mockClear();
    expect((await projects(t, access)).status).toBe(200);
    expect(findRevocations).toHaveBeenCalledTimes(1);
    expect(findRevocations.mock.calls[0][0]).toHaveLength(3);
  });

  it('a failing revocation store answers 503.1, never lets the token through', async () => {
    const store = new MemoryStore({ passwordCost: 10 });
    const findRevocations = jest.spyOn(store, 'findRevocations');
    const t = await buildApp({ jwt: JWT_OPTIONS, now: () => T }, store);
    const { access } = await login(t);
    findRevocations.mockRejectedValue(new Error('connection reset'));
    const res = await projects(t, access);
    expect([res.status, res.body.code]).toEqual([503, '503.1']);
    expect(JSON.stringify(res.body)).not.toContain('connection reset');
  });
});
