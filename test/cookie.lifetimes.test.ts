import request from 'supertest';
import { COOKIE_SECRET, cookieApp, loginWithCookie, withCookie } from './helpers/cookie';
import { realNow } from './helpers/clock';

const MINUTE = 60_000;

describe('cookie session lifetimes (clock injected)', () => {
  it('ends a session idle for idleTimeout (401.4), and keeps an active one alive', async () => {
    let now = realNow();
    const t = await cookieApp({ now: () => now, cookie: { secret: COOKIE_SECRET, idleTimeout: 30 * MINUTE, absoluteTimeout: 12 * 60 * MINUTE } });
    const active = await loginWithCookie(t);
    for (let i = 0; i < 4; i += 1) {
      now += 20 * MINUTE;
      expect((await withCookie(request(t.app).get('/v1/projects'), active.cookie)).status).toBe(200);
    }
    const idle = await loginWithCookie(t);
    now += 31 * MINUTE;
    const res = await withCookie(request(t.app).get('/v1/projects'), idle.cookie);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('401.4');
    // The ended session stays ended.
    expect((await withCookie(request(t.app).get('/v1/projects'), idle.cookie)).body.code).toBe('401.2');
  });

  it('ends a session absoluteTimeout after login however active (express-session has no absolute lifetime)', async () => {
    let now = realNow();
    const t = await cookieApp({ now: () => now, cookie: { secret: COOKIE_SECRET, idleTimeout: 30 * MINUTE, absoluteTimeout: 60 * MINUTE } });
    const { cookie } = await loginWithCookie(t);
    for (let i = 0; i < 3; i += 1) {
      now += 15 * MINUTE;
      expect((await withCookie(request(t.app).get('/v1/projects'), cookie)).status).toBe(200);
    }
    now += 15 * MINUTE;
    expect((await withCookie(request(t.app).get('/v1/projects'), cookie)).body.code).toBe('401.4');
  });
});
