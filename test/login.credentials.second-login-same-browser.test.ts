/**
 * `login.credentials: 'token+cookie'`: one login is one session. A second login from the same
 * browser (another user, or the same one again) replaces the browser's session — and with it
 * the token the first login handed out, which must not outlive its cookie.
 */
import request from 'supertest';
import { ALICE_PASSWORD, BOB_PASSWORD, type TestApp } from './helpers/app';
import { cookieApp, sessionCookie, withCookie } from './helpers/cookie';

async function logIn(t: TestApp, login: string, password: string, cookie?: string) {
  const req = request(t.app).post('/v1/sessions').set('X-Forwarded-Proto', 'https');
  if (cookie) req.set('Cookie', cookie);
  const res = await req.send({ login, password });
  expect(res.status).toBe(200);
  return { token: res.body.token as string, cookie: sessionCookie(res).pair };
}

const byToken = (t: TestApp, token: string) => request(t.app).get('/v1/projects').set('X-Forwarded-Proto', 'https').set('Authorization', `Bearer ${token}`);

describe("login.credentials: 'token+cookie', a second login from the same browser", () => {
  it.each([
    ['another user', 'bob@example.org', BOB_PASSWORD],
    ['the same user again', 'alice@example.org', ALICE_PASSWORD],
  ])('should end the first login\'s token with its cookie (%s)', async (_who, login, password) => {
    const t = await cookieApp({ login: { credentials: 'token+cookie' } });
    const first = await logIn(t, 'alice@example.org', ALICE_PASSWORD);
    expect((await byToken(t, first.token)).status).toBe(200);

    const second = await logIn(t, login, password, first.cookie);

    expect((await withCookie(request(t.app).get('/v1/projects'), first.cookie)).status).toBe(401);
    const refused = await byToken(t, first.token);
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('401.2');
    expect((await byToken(t, second.token)).status).toBe(200);
    expect((await withCookie(request(t.app).get('/v1/projects'), second.cookie)).status).toBe(200);
  });
});
