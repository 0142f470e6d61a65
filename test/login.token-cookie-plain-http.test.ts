/**
 * `login.credentials: 'token+cookie'` over plain HTTP: the Secure cookie cannot be set, so
 * the login hands out the token alone (as ODK Central does: only Basic and the cookie are
 * HTTPS-only), with the lifetime it would have had beside the cookie. `'cookie'` and a
 * `session: true` login still refuse plain HTTP with 401.3, before the password is checked.
 */
import request from 'supertest';
import { ALICE_PASSWORD } from './helpers/app';
import { cookieApp } from './helpers/cookie';

const ALICE = { login: 'alice@example.org', password: ALICE_PASSWORD };
const HOUR = 60 * 60_000;

describe("'token+cookie' over plain HTTP", () => {
  it('should answer 200 with the token alone: no cookie, no CSRF token', async () => {
    const t = await cookieApp({ login: { credentials: 'token+cookie' }, cookie: { secret: 'a-cookie-secret-of-at-least-32-characters', absoluteTimeout: 2 * HOUR } });
    const res = await request(t.app).post('/v1/sessions').send(ALICE);
    expect(res.status).toBe(200);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(Object.keys(res.body).sort()).toEqual(['createdAt', 'expiresAt', 'previousAccessFailedCount', 'token']);
    expect(new Date(res.body.expiresAt).getTime() - new Date(res.body.createdAt).getTime()).toBe(2 * HOUR);
    expect((await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${res.body.token}`)).status).toBe(200);
    expect((await request(t.app).delete('/v1/sessions/current').set('Authorization', `Bearer ${res.body.token}`)).status).toBe(200);
    expect((await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${res.body.token}`)).status).toBe(401);
  });

  it('should still refuse a wrong password with 401.2', async () => {
    const t = await cookieApp({ login: { credentials: 'token+cookie' } });
    expect((await request(t.app).post('/v1/sessions').send({ ...ALICE, password: 'wrong' })).body.code).toBe('401.2');
  });

  it("should keep refusing plain HTTP with 401.3 for 'cookie' and for a session: true login", async () => {
    const cookieOnly = await cookieApp({ login: { credentials: 'cookie' } });
    expect((await request(cookieOnly.app).post('/v1/sessions').send(ALICE)).body.code).toBe('401.3');
    const asked = await cookieApp();
    expect((await request(asked.app).post('/v1/sessions').send({ ...ALICE, session: true })).body.code).toBe('401.3');
  });
});
