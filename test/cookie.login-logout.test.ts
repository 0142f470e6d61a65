import request from 'supertest';
import { ALICE_PASSWORD } from './helpers/app';
import { cookieApp, loginWithCookie, sessionCookie, withCookie } from './helpers/cookie';

describe('cookie sessions: login and logout', () => {
  it('POST /sessions with session: true sets an HttpOnly, Secure, SameSite=Lax __Host- cookie and returns a csrf token, and no bearer token', async () => {
    const t = await cookieApp();
    const { line, csrf, body } = await loginWithCookie(t);
    expect(line).toMatch(/^__Host-gatehouse=/);
    expect(line).toMatch(/; Path=\//);
    expect(line).toMatch(/; HttpOnly/);
    expect(line).toMatch(/; Secure/);
    expect(line).toMatch(/; SameSite=Lax/);
    expect(line).not.toMatch(/Domain=/i);
    expect(csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // One login is one session: no second, independent credential that page scripts could read.
    expect(body).not.toHaveProperty('token');
    expect(Object.keys(body).sort()).toEqual(['csrf', 'previousAccessFailedCount']);
  });

  it('the cookie authenticates GET requests as the user', async () => {
    const t = await cookieApp();
    const { cookie } = await loginWithCookie(t);
    const res = await withCookie(request(t.app).get('/v1/projects'), cookie);
    expect(res.status).toBe(200);
    expect(res.body.user.id).toBe(t.alice.id);
    expect(res.body.authInfo.scheme).toBe('cookie');
  });

  it('each login gets a new session id (no fixation): a cookie sent with the login is not reused', async () => {
    const t = await cookieApp();
    const first = await loginWithCookie(t);
    const res = await withCookie(request(t.app).post('/v1/sessions'), first.cookie).send({ login: 'alice@example.org', password: ALICE_PASSWORD, session: true });
    expect(res.status).toBe(200);
    expect(sessionCookie(res).pair).not.toBe(first.cookie);
  });

  it('DELETE /sessions/current destroys the session and clears the cookie', async () => {
    const t = await cookieApp();
    const { cookie, csrf } = await loginWithCookie(t);
    const before = t.store.tokenCount;
    const res = await withCookie(request(t.app).delete('/v1/sessions/current'), cookie).set('X-CSRF-Token', csrf);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true });
    expect(sessionCookie(res).line).toMatch(/Expires=Thu, 01 Jan 1970/);
    expect(t.store.tokenCount).toBe(before - 1);
    const after = await withCookie(request(t.app).get('/v1/projects'), cookie);
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('401.2');
  });

  it('stores only the SHA-256 of the session id', async () => {
    const t = await cookieApp();
    const { cookie } = await loginWithCookie(t);
    const sid = decodeURIComponent(cookie.split('=')[1]).slice(2).split('.')[0];
    const dump = JSON.stringify([...((t.store as unknown as { tokens: Map<string, unknown> }).tokens.entries())]);
    expect(dump).not.toContain(sid);
  });

  it('session must be a boolean; session: true without the cookie scheme is 400.1', async () => {
    const t = await cookieApp();
    const bad = await request(t.app).post('/v1/sessions').set('X-Forwarded-Proto', 'https').send({ login: 'alice@example.org', password: ALICE_PASSWORD, session: 'yes' });
    expect(bad.body).toMatchObject({ code: '400.1', field: 'session' });
    const { buildApp } = await import('./helpers/app');
    const plain = await buildApp();
    const off = await request(plain.app).post('/v1/sessions').send({ login: 'alice@example.org', password: ALICE_PASSWORD, session: true });
    expect(off.body).toMatchObject({ code: '400.1', field: 'session' });
  });

  it('a stale or forged cookie is 401.2 and creates nothing', async () => {
    const t = await cookieApp();
    const before = t.store.tokenCount;
    const res = await withCookie(request(t.app).get('/v1/projects'), '__Host-gatehouse=s%3Aforged.sig');
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('401.2');
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(t.store.tokenCount).toBe(before);
  });
});
