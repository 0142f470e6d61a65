/**
 * One login is one session with `login.credentials: 'token+cookie'`: the token and the cookie
 * share the login's family in every store, and a request that loaded the cookie session
 * before the token logged out cannot bring the cookie back with its write-back.
 */
import request from 'supertest';
import { MemoryStore, type GatehouseStore } from '../src';
import { hashSecret } from '../src/tokens/format';
import { ALICE_PASSWORD } from './helpers/app';
import { BACKENDS, useBackends } from './helpers/backends';
import { sessionCookie, withCookie } from './helpers/cookie';
import { heldCookieApp, sessionIdOf } from './helpers/held-cookie-app';

const backends = useBackends('token-and-cookie');
const ROLLING_SAVE_DUE = 61_000;

async function linkedAppOver(store: GatehouseStore) {
  const t = heldCookieApp(store, { login: { credentials: 'token+cookie' } });
  const login = async () => {
    const res = await t.logIn();
    expect(res.status).toBe(200);
    return { token: res.body.token as string, cookie: sessionCookie(res).pair };
  };
  return { ...t, login };
}

describe.each(BACKENDS)("a login's token and cookie end together (%s)", (backend) => {
  it('should keep the cookie ended after the token logs out while a cookie request is in flight', async () => {
    const users = new MemoryStore({ passwordCost: 10 });
    await users.addUser({ login: 'alice@example.org', password: ALICE_PASSWORD, roles: ['admin'] });
    const store = backends.storeFor(backend, users);
    const t = await linkedAppOver(store);
    const s = await t.login();
    t.clock.now += ROLLING_SAVE_DUE;
    const held = t.hold();
    const slow = withCookie(request(t.app).get('/v1/slow'), s.cookie).then((res) => res);
    await held.reached;

    const logout = await request(t.app).delete('/v1/sessions/current').set('Authorization', `Bearer ${s.token}`);
    expect(logout.status).toBe(200);
    expect((await withCookie(request(t.app).get('/v1/projects'), s.cookie)).status).toBe(401);

    held.release();
    expect((await slow).status).toBe(200);
    expect(await store.findToken!(hashSecret(sessionIdOf(s.cookie)))).toBeNull();
    expect((await withCookie(request(t.app).get('/v1/projects'), s.cookie)).status).toBe(401);
    expect((await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${s.token}`)).status).toBe(401);
  });

  it('should end the token when the cookie logs out, in this store too', async () => {
    const users = new MemoryStore({ passwordCost: 10 });
    await users.addUser({ login: 'alice@example.org', password: ALICE_PASSWORD, roles: ['admin'] });
    const store = backends.storeFor(backend, users);
    const t = await linkedAppOver(store);
    const s = await t.login();
    expect((await withCookie(request(t.app).get('/v1/projects'), s.cookie)).status).toBe(200);
    const out = await withCookie(request(t.app).delete('/v1/sessions/current'), s.cookie).set('Origin', 'https://127.0.0.1').set('Sec-Fetch-Site', 'same-origin');
    expect(out.status).toBe(200);
    expect((await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${s.token}`)).status).toBe(401);
  });
});
