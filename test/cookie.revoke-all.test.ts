import session from 'express-session';
import request from 'supertest';
import { COOKIE_SECRET, cookieApp, loginWithCookie, withCookie } from './helpers/cookie';
import { realNow } from './helpers/clock';

describe('tokens.revokeAll ends cookie sessions', () => {
  it('in the Gatehouse store (sessions are token records)', async () => {
    const t = await cookieApp();
    const { cookie } = await loginWithCookie(t);
    await t.auth.tokens.revokeAll(t.alice.id);
    expect((await withCookie(request(t.app).get('/v1/projects'), cookie)).body.code).toBe('401.2');
  });

  it("in a host's own express-session store (through a per-actor not-before)", async () => {
    let now = realNow();
    const hostStore = new session.MemoryStore();
    const t = await cookieApp({ now: () => now, cookie: { secret: COOKIE_SECRET, store: hostStore } });
    const { cookie } = await loginWithCookie(t);
    expect((await withCookie(request(t.app).get('/v1/projects'), cookie)).status).toBe(200);
    now += 2000;
    await t.auth.tokens.revokeAll(t.alice.id);
    expect((await withCookie(request(t.app).get('/v1/projects'), cookie)).body.code).toBe('401.2');
    now += 2000;
    const again = await loginWithCookie(t);
    expect((await withCookie(request(t.app).get('/v1/projects'), again.cookie)).status).toBe(200);
  });
});
