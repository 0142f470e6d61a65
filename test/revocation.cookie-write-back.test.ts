/**
 * Revocation is final for browser sessions: a request that loaded its session before logout
 * or revokeAll, and finishes after, must not bring the session back when express-session
 * writes it back at the end of the response (its rolling save of the last-seen time).
 */
import session from 'express-session';
import request from 'supertest';
import { MemoryStore, type GatehouseOptions, type GatehouseStore } from '../src';
import { hashSecret } from '../src/tokens/format';
import { ALICE_PASSWORD } from './helpers/app';
import { BACKENDS, useBackends } from './helpers/backends';
import { COOKIE_SECRET, sessionCookie, withCookie } from './helpers/cookie';
import { heldCookieApp, sessionIdOf } from './helpers/held-cookie-app';

const backends = useBackends('cookie-write-back');
/** Past express-session's rolling save: the session's last-seen time is written back (at most once a minute). */
const ROLLING_SAVE_DUE = 61_000;

async function cookieAppOver(store: GatehouseStore, cookie: Partial<NonNullable<GatehouseOptions['cookie']>> = {}) {
  const t = heldCookieApp(store, { cookie: { secret: COOKIE_SECRET, ...cookie } });
  const login = async () => {
    const res = await t.logIn({ session: true });
    expect(res.status).toBe(200);
    return { cookie: sessionCookie(res).pair, csrf: res.body.csrf as string };
  };
  return { ...t, login };
}

async function users() {
  const store = new MemoryStore({ passwordCost: 10 });
  const alice = await store.addUser({ login: 'alice@example.org', password: ALICE_PASSWORD, roles: ['admin'] });
  return { users: store, alice };
}

describe.each(BACKENDS)('a cookie session ended while a request is in flight stays ended (%s)', (backend) => {
  const ends = {
    'DELETE /sessions/current': async (t: Awaited<ReturnType<typeof cookieAppOver>>, s: { cookie: string; csrf: string }, _actorId?: string) => {
      const res = await withCookie(request(t.app).delete('/v1/sessions/current'), s.cookie).set('X-CSRF-Token', s.csrf);
      expect(res.status).toBe(200);
    },
    'tokens.revokeAll': async (t: Awaited<ReturnType<typeof cookieAppOver>>, _s: { cookie: string; csrf: string }, actorId?: string) => {
      await t.auth.tokens.revokeAll(actorId!);
    },
  };

  it.each(Object.keys(ends) as Array<keyof typeof ends>)('should not authorize the cookie again after %s, when the held request finishes', async (end) => {
    const { users: userStore, alice } = await users();
    const store = backends.storeFor(backend, userStore);
    const t = await cookieAppOver(store);
    const s = await t.login();
    t.clock.now += ROLLING_SAVE_DUE;
    const held = t.hold();
    const slow = withCookie(request(t.app).get('/v1/slow'), s.cookie).then((res) => res);
    await held.reached;

    await ends[end](t, s, alice.id);
    expect((await withCookie(request(t.app).get('/v1/projects'), s.cookie)).body.code).toBe('401.2');

    held.release();
    // The request that was already under way finishes normally...
    expect((await slow).status).toBe(200);
    // ...and its write-back re-creates nothing.
    expect(await store.findToken(hashSecret(sessionIdOf(s.cookie)))).toBeNull();
    const after = await withCookie(request(t.app).get('/v1/projects'), s.cookie);
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('401.2');
  });

  it('should keep the session ended over 15 unpaused rounds of a request racing logout', async () => {
    const { users: userStore } = await users();
    const store = backends.storeFor(backend, userStore);
    const t = await cookieAppOver(store);
    for (let round = 0; round < 15; round += 1) {
      const s = await t.login();
      t.clock.now += ROLLING_SAVE_DUE;
      const [, logout] = await Promise.all([
        withCookie(request(t.app).get('/v1/projects'), s.cookie).then((res) => res),
        withCookie(request(t.app).delete('/v1/sessions/current'), s.cookie).set('X-CSRF-Token', s.csrf).then((res) => res),
      ]);
      expect(logout.status).toBe(200);
      const after = await withCookie(request(t.app).get('/v1/projects'), s.cookie);
      expect({ round, status: after.status }).toEqual({ round, status: 401 });
    }
  });
});

describe("a cookie session in a host's own express-session store stays ended", () => {
  it('should not authorize the cookie again after logout, though the held request writes the session back into the host store', async () => {
    const { users: userStore } = await users();
    const hostStore = new session.MemoryStore();
    const t = await cookieAppOver(userStore, { store: hostStore });
    const s = await t.login();
    t.clock.now += ROLLING_SAVE_DUE;
    const held = t.hold();
    const slow = withCookie(request(t.app).get('/v1/slow'), s.cookie).then((res) => res);
    await held.reached;
    const logout = await withCookie(request(t.app).delete('/v1/sessions/current'), s.cookie).set('X-CSRF-Token', s.csrf);
    expect(logout.status).toBe(200);
    held.release();
    expect((await slow).status).toBe(200);
    // The host store took the write-back as a new session; Gatehouse still refuses it.
    const sid = sessionIdOf(s.cookie);
    expect(await new Promise((resolve) => hostStore.get(sid, (_error, data) => resolve(data ?? null)))).not.toBeNull();
    const after = await withCookie(request(t.app).get('/v1/projects'), s.cookie);
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('401.2');
  });
});

describe.each(BACKENDS.filter((name) => name !== 'MemoryStore'))('two instances over one %s: a session written back by one after the other ended it stays ended', (backend) => {
  it.each([
    // The rolling save comes due after a tenth of the idle timeout, at most a minute.
    ['a short idle timeout', { idleTimeout: 10_000 }, 1_500],
    ['the default lifetimes', {}, ROLLING_SAVE_DUE],
  ])('with %s', async (_label, cookieOptions, saveDueAfter) => {
    const { users: userStore } = await users();
    const a = await cookieAppOver(backends.storeFor(backend, userStore), cookieOptions);
    const b = await cookieAppOver(backends.storeFor(backend, userStore), cookieOptions);
    const s = await a.login();
    a.clock.now += saveDueAfter;
    b.clock.now = a.clock.now;
    const held = a.hold();
    const slow = withCookie(request(a.app).get('/v1/slow'), s.cookie).then((res) => res);
    await held.reached;
    const logout = await withCookie(request(b.app).delete('/v1/sessions/current'), s.cookie).set('X-CSRF-Token', s.csrf);
    expect(logout.status).toBe(200);
    held.release();
    expect((await slow).status).toBe(200);
    for (const instance of [a, b]) {
      const after = await withCookie(request(instance.app).get('/v1/projects'), s.cookie);
      expect(after.body.code).toBe('401.2');
    }
  });
});
