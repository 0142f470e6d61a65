/**
 * The self-service endpoints with cookie sessions: their unsafe methods pass the same
 * cross-origin check as every other (403.4 without it), and "sign out everywhere else" keeps the
 * browser session in use — in the Gatehouse store and in a host's own session store, where the
 * session gets a proof time after the actor's "not before".
 */
import session from 'express-session';
import request from 'supertest';
import { realNow } from './helpers/clock';
import { ALICE_PASSWORD } from './helpers/app';
import { COOKIE_SECRET, cookieApp, loginWithBearer, loginWithCookie, withCookie } from './helpers/cookie';

const CROSS_SITE = { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' };

describe('self-service endpoints with cookie sessions', () => {
  it.each([
    ['DELETE', '/v1/account/sessions/others'],
    ['DELETE', '/v1/account/sessions/AAAAAAAAAAAAAAAAAAAAAA'],
    ['POST', '/v1/account/password'],
  ])('%s %s from another origin is refused 403.4, and ends nothing', async (method, path) => {
    const t = await cookieApp({ selfService: {} });
    const { cookie } = await loginWithCookie(t);
    const other = await loginWithBearer(t);
    const call = method === 'POST' ? request(t.app).post(path) : request(t.app).delete(path);
    const res = await withCookie(call, cookie).set(CROSS_SITE).send({ login: 'alice@example.org', currentPassword: ALICE_PASSWORD, newPassword: 'something else entirely' });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('403.4');
    expect((await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${other}`)).status).toBe(200);
  });

  it('with the session\'s CSRF token, "sign out everywhere else" ends the others and keeps this session', async () => {
    const t = await cookieApp({ selfService: {} });
    const { cookie, csrf } = await loginWithCookie(t);
    const other = await loginWithBearer(t);
    const res = await withCookie(request(t.app).delete('/v1/account/sessions/others'), cookie).set(CROSS_SITE).set('X-CSRF-Token', csrf);
    expect(res.body).toEqual({ success: true, ended: 1 });
    expect((await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${other}`)).status).toBe(401);
    expect((await withCookie(request(t.app).get('/v1/projects'), cookie)).status).toBe(200);
    const listed = await withCookie(request(t.app).get('/v1/account/sessions'), cookie);
    expect(listed.body.sessions).toEqual([expect.objectContaining({ kind: 'cookie', current: true })]);
  });

  it("in a host's own session store, the session in use outlives the actor's \"not before\"; a second one of the same user does not", async () => {
    let now = realNow();
    const t = await cookieApp({ selfService: {}, now: () => now, cookie: { secret: COOKIE_SECRET, store: new session.MemoryStore() } });
    const mine = await loginWithCookie(t);
    const theirs = await loginWithCookie(t);
    now += 1000;
    const res = await withCookie(request(t.app).delete('/v1/account/sessions/others'), mine.cookie).set('Sec-Fetch-Site', 'same-origin');
    expect(res.status).toBe(200);
    expect((await withCookie(request(t.app).get('/v1/projects'), mine.cookie)).status).toBe(200);
    expect((await withCookie(request(t.app).get('/v1/projects'), theirs.cookie)).body.code).toBe('401.2');
    now += 1000;
    expect((await withCookie(request(t.app).get('/v1/projects'), mine.cookie)).status).toBe(200);
  });

  it('leaves a browser session past its idle timeout out of the list', async () => {
    let now = realNow();
    const t = await cookieApp({ selfService: {}, now: () => now, cookie: { secret: COOKIE_SECRET, idleTimeout: 60_000 } });
    await loginWithCookie(t);
    const token = await loginWithBearer(t);
    const kinds = async () => ((await request(t.app).get('/v1/account/sessions').set('Authorization', `Bearer ${token}`)).body.sessions as Array<{ kind: string }>).map((s) => s.kind).sort();
    expect(await kinds()).toEqual(['cookie', 'session']);
    now += 60_000;
    expect(await kinds()).toEqual(['session']);
  });
});
