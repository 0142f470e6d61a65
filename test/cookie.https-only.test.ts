import request from 'supertest';
import { ALICE_PASSWORD } from './helpers/app';
import { COOKIE_SECRET, cookieApp, loginWithCookie, sessionCookie } from './helpers/cookie';

describe('cookie sessions are HTTPS only', () => {
  it('a cookie over plain HTTP answers 401.3, and a client’s own X-Forwarded-Proto is not believed without trust proxy', async () => {
    const t = await cookieApp();
    const { cookie } = await loginWithCookie(t);
    const plain = await request(t.app).get('/v1/projects').set('Cookie', cookie);
    expect(plain.status).toBe(401);
    expect(plain.body.code).toBe('401.3');
    t.app.set('trust proxy', false);
    const spoofed = await request(t.app).get('/v1/projects').set('Cookie', cookie).set('X-Forwarded-Proto', 'https');
    expect(spoofed.body.code).toBe('401.3');
  });

  it('login with session: true over plain HTTP is refused with 401.3 before the password is checked', async () => {
    const t = await cookieApp({ lockout: { maxAttempts: 1 } });
    const res = await request(t.app).post('/v1/sessions').send({ login: 'alice@example.org', password: 'wrong', session: true });
    expect(res.body.code).toBe('401.3');
    // Not counted as a failure: the right password still works.
    expect((await loginWithCookie(t)).cookie).toBeTruthy();
  });

  it('cookie.secure: false (local development) accepts plain HTTP and drops the __Host- prefix', async () => {
    const t = await cookieApp({ cookie: { secret: COOKIE_SECRET, secure: false } });
    const login = await request(t.app).post('/v1/sessions').send({ login: 'alice@example.org', password: ALICE_PASSWORD, session: true });
    const { pair, line } = sessionCookie(login, 'gatehouse');
    expect(line).not.toMatch(/Secure/);
    expect((await request(t.app).get('/v1/projects').set('Cookie', pair)).status).toBe(200);
  });
});
