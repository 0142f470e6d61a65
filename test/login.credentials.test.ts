import request from 'supertest';
import { gatehouse, MemoryStore } from '../src';
import { ALICE_PASSWORD, buildApp } from './helpers/app';
import { COOKIE_SECRET, cookieApp, sessionCookie, withCookie } from './helpers/cookie';
import type { TestApp } from './helpers/app';
import { realNow } from './helpers/clock';

const ALICE = { login: 'alice@example.org', password: ALICE_PASSWORD };
const HOUR = 60 * 60_000;

/** One ODK-style login (`credentials: 'token+cookie'`): the token, the cookie and the CSRF token. */
async function loginForBoth(t: TestApp): Promise<{ token: string; cookie: string; csrf: string; body: Record<string, unknown> }> {
  const res = await request(t.app).post('/v1/sessions').set('X-Forwarded-Proto', 'https').send(ALICE);
  expect(res.status).toBe(200);
  return { token: res.body.token, cookie: sessionCookie(res).pair, csrf: res.body.csrf, body: res.body };
}

async function bothWork(t: TestApp, login: { token: string; cookie: string }): Promise<[number, number]> {
  const byToken = await request(t.app).get('/v1/projects').set('X-Forwarded-Proto', 'https').set('Authorization', `Bearer ${login.token}`);
  const byCookie = await withCookie(request(t.app).get('/v1/projects'), login.cookie);
  return [byToken.status, byCookie.status];
}

describe("login.credentials: 'token+cookie' hands out a token and a cookie that are one session (ODK Central)", () => {
  it('should set the cookie and return the token on every login, both authenticating the user', async () => {
    const t = await cookieApp({ login: { credentials: 'token+cookie' } });
    const login = await loginForBoth(t);
    expect(typeof login.token).toBe('string');
    expect(typeof login.csrf).toBe('string');
    expect(await bothWork(t, login)).toEqual([200, 200]);
  });

  it('should end the cookie when the token logs out with DELETE /sessions/current', async () => {
    const t = await cookieApp({ login: { credentials: 'token+cookie' } });
    const login = await loginForBoth(t);
    const out = await request(t.app).delete('/v1/sessions/current').set('X-Forwarded-Proto', 'https').set('Authorization', `Bearer ${login.token}`);
    expect(out.status).toBe(200);
    expect(await bothWork(t, login)).toEqual([401, 401]);
  });

  it('should end the token when the cookie logs out with DELETE /sessions/current', async () => {
    const t = await cookieApp({ login: { credentials: 'token+cookie' } });
    const login = await loginForBoth(t);
    const out = await withCookie(request(t.app).delete('/v1/sessions/current'), login.cookie).set('X-CSRF-Token', login.csrf);
    expect(out.status).toBe(200);
    expect(await bothWork(t, login)).toEqual([401, 401]);
  });

  it('should end both with DELETE /sessions/{token}', async () => {
    const t = await cookieApp({ login: { credentials: 'token+cookie' } });
    const login = await loginForBoth(t);
    const out = await request(t.app).delete(`/v1/sessions/${login.token}`).set('X-Forwarded-Proto', 'https').set('Authorization', `Bearer ${login.token}`);
    expect(out.status).toBe(200);
    expect(await bothWork(t, login)).toEqual([401, 401]);
  });

  it('should end both with tokens.revoke, tokens.revokeById (of either) and tokens.revokeAll', async () => {
    const t = await cookieApp({ login: { credentials: 'token+cookie' } });
    const first = await loginForBoth(t);
    expect(await t.auth.tokens.revoke(first.token)).toBe(true);
    expect(await bothWork(t, first)).toEqual([401, 401]);

    for (const kind of ['session', 'cookie'] as const) {
      const login = await loginForBoth(t);
      const [credential] = await t.auth.tokens.list(t.alice.id, { kinds: [kind] });
      expect(await t.auth.tokens.revokeById(credential!.id)).toBe(true);
      expect(await bothWork(t, login)).toEqual([401, 401]);
    }

    const last = await loginForBoth(t);
    await t.auth.tokens.revokeAll(t.alice.id);
    expect(await bothWork(t, last)).toEqual([401, 401]);
  });

  it('should end both when either expires, never letting one outlive the other', async () => {
    let now = realNow();
    const t = await cookieApp({ now: () => now, login: { credentials: 'token+cookie' }, sessionToken: { ttl: 2 * HOUR }, cookie: { secret: COOKIE_SECRET, absoluteTimeout: 8 * HOUR } });
    const login = await loginForBoth(t);
    expect(new Date(login.body.expiresAt as string).getTime()).toBe(now + 2 * HOUR);
    now += 2 * HOUR;
    const [byToken] = await bothWork(t, login);
    expect(byToken).toBe(401);
    const byCookie = await withCookie(request(t.app).get('/v1/projects'), login.cookie);
    expect(byCookie.status).toBe(401);
  });

  it('should end the token when the cookie expires first', async () => {
    let now = realNow();
    const t = await cookieApp({ now: () => now, login: { credentials: 'token+cookie' }, cookie: { secret: COOKIE_SECRET, absoluteTimeout: HOUR, idleTimeout: HOUR } });
    const login = await loginForBoth(t);
    expect(new Date(login.body.expiresAt as string).getTime()).toBe(now + HOUR);
    now += HOUR;
    expect(await bothWork(t, login)).toEqual([401, 401]);
  });
});

describe("login.credentials: 'cookie' and 'none'", () => {
  it("should hand out the cookie alone on every login with 'cookie' (no session: true needed)", async () => {
    const t = await cookieApp({ login: { credentials: 'cookie' } });
    const res = await request(t.app).post('/v1/sessions').set('X-Forwarded-Proto', 'https').send(ALICE);
    expect(res.status).toBe(200);
    expect(res.body).not.toHaveProperty('token');
    expect((await withCookie(request(t.app).get('/v1/projects'), sessionCookie(res).pair)).status).toBe(200);
  });

  it("should not serve POST /sessions with 'none', while personal tokens and logout still work (DRF style)", async () => {
    const t = await buildApp({ login: { credentials: 'none' } });
    const res = await request(t.app).post('/v1/sessions').send(ALICE);
    expect(res.status).toBe(404);
    const { token } = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'personal' });
    expect((await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${token}`)).status).toBe(200);
  });

  it('should keep the default: a token, or the cookie alone with session: true', async () => {
    const t = await cookieApp();
    const token = await request(t.app).post('/v1/sessions').set('X-Forwarded-Proto', 'https').send(ALICE);
    expect(typeof token.body.token).toBe('string');
    expect(token.headers['set-cookie']).toBeUndefined();
    const cookie = await request(t.app).post('/v1/sessions').set('X-Forwarded-Proto', 'https').send({ ...ALICE, session: true });
    expect(cookie.body).not.toHaveProperty('token');
  });
});

describe('login is validated at construction', () => {
  const store = new MemoryStore({ passwordCost: 10 });
  it.each([
    [{ login: 'token' }, /login must be an object/],
    [{ login: { credentials: 'both' } }, /login.credentials must be 'asked', 'token\+cookie', 'cookie' or 'none'/],
    [{ login: { credentails: 'none' } }, /login\.credentails is not an option \(did you mean 'credentials'\?\)/],
    [{ login: { credentials: 'token+cookie' } }, /login.credentials: 'token\+cookie' needs cookie sessions/],
    [{ login: { credentials: 'cookie' } }, /login.credentials: 'cookie' needs cookie sessions/],
    [{ login: { credentials: 'token+cookie' }, cookie: { secret: COOKIE_SECRET }, sessionToken: false }, /'token\+cookie' needs session tokens/],
    [
      { login: { credentials: 'token+cookie' }, cookie: { secret: COOKIE_SECRET, store: { get() {}, set() {}, destroy() {} } } },
      /'token\+cookie' needs the cookie sessions in the Gatehouse store/,
    ],
  ])('%j throws a TypeError naming the option', (options, message) => {
    expect(() => gatehouse({ store, ...(options as object) } as never)).toThrow(TypeError);
    expect(() => gatehouse({ store, ...(options as object) } as never)).toThrow(message);
  });
});
