/**
 * Token events: a host sees every credential issued and ended — by its own calls to
 * `auth.tokens` and by the login and logout endpoints — with kind, scheme and actor.
 */
import request from 'supertest';
import { ALICE_PASSWORD } from './helpers/app';
import { loginWithCookie } from './helpers/cookie';
import { eventApp } from './helpers/events';

const CLIENT = '203.0.113.9';
const HOUR = 60 * 60_000;

describe('token events', () => {
  it('should report tokens the host issues, with kind, scheme, actor and expiry, and no client address', async () => {
    const t = await eventApp();
    await t.auth.tokens.issue({ actorId: t.device.id, kind: 'appUser' });
    await t.auth.tokens.issue({ actorId: t.bob.id, kind: 'session', ttl: HOUR });
    await t.auth.tokens.issue({ actorId: t.bob.id, kind: 'apiKey', label: 'ci' });
    const base = { type: 'token.issued', time: new Date(t.clock.now()), ip: null, code: null };
    expect(t.ofType('token.issued')).toEqual([
      { ...base, scheme: 'appUserUrl', kind: 'appUser', actorId: t.device.id, expiresAt: null },
      { ...base, scheme: 'sessionToken', kind: 'session', actorId: t.bob.id, expiresAt: new Date(t.clock.now() + HOUR) },
      { ...base, scheme: 'apiKey', kind: 'apiKey', actorId: t.bob.id, expiresAt: null },
    ]);
  });

  it('should report the session a login opens, the cookie session, and each JWT pair issued or rotated', async () => {
    const t = await eventApp();
    await request(t.app).post('/v1/sessions').send({ login: 'alice@example.org', password: ALICE_PASSWORD });
    await loginWithCookie(t);
    const pair = await request(t.app).post('/v1/jwt/authenticate').set('X-Forwarded-For', CLIENT).send({ login: 'alice@example.org', password: ALICE_PASSWORD });
    const rotated = await request(t.app).post('/v1/jwt/refresh').set('X-Forwarded-For', CLIENT).send({ refresh: pair.body.refresh });
    expect(rotated.status).toBe(200);
    const issued = t.ofType('token.issued');
    // The first login's bearer session (a cookie login may carry one too, as one session).
    expect(issued[0]).toMatchObject({ scheme: 'sessionToken', kind: 'session', actorId: t.alice.id });
    expect(issued.filter((event) => event.scheme === 'cookie')).toEqual([expect.objectContaining({ kind: 'session', actorId: t.alice.id })]);
    expect(issued.filter((event) => event.scheme === 'jwt')).toEqual([
      expect.objectContaining({ kind: 'jwt', actorId: t.alice.id, ip: CLIENT, expiresAt: new Date(pair.body.refreshExpiresAt) }),
      expect.objectContaining({ kind: 'jwt', actorId: t.alice.id, ip: CLIENT, expiresAt: new Date(rotated.body.refreshExpiresAt) }),
    ]);
  });

  it('should report each logout, DELETE /sessions/:token and auth.tokens.revoke as token.revoked', async () => {
    const t = await eventApp();
    const session = (await request(t.app).post('/v1/sessions').send({ login: 'alice@example.org', password: ALICE_PASSWORD })).body.token;
    const access = (await request(t.app).post('/v1/jwt/authenticate').send({ login: 'alice@example.org', password: ALICE_PASSWORD })).body.access;
    const browser = await loginWithCookie(t);
    const { token: bobKey } = await t.auth.tokens.issue({ actorId: t.bob.id, kind: 'personal' });
    const { token: deviceKey } = await t.auth.tokens.issue({ actorId: t.device.id, kind: 'appUser' });
    const logout = (credential: request.Test) => credential.set('X-Forwarded-For', CLIENT);
    expect((await logout(request(t.app).delete(`/v1/sessions/${bobKey}`).set('Authorization', `Bearer ${session}`))).status).toBe(200);
    expect((await logout(request(t.app).delete('/v1/sessions/current').set('Authorization', `Bearer ${session}`))).status).toBe(200);
    expect((await logout(request(t.app).delete('/v1/sessions/current').set('Authorization', `Bearer ${access}`))).status).toBe(200);
    expect((await logout(request(t.app).delete('/v1/sessions/current').set('X-Forwarded-Proto', 'https').set('Cookie', browser.cookie).set('X-CSRF-Token', browser.csrf))).status).toBe(200);
    expect(await t.auth.tokens.revoke(deviceKey)).toBe(true);
    expect(await t.auth.tokens.revoke(deviceKey)).toBe(false);
    const base = { type: 'token.revoked', time: expect.any(Date), code: null };
    expect(t.ofType('token.revoked')).toEqual([
      { ...base, scheme: 'sessionToken', kind: 'personal', actorId: t.bob.id, ip: CLIENT },
      { ...base, scheme: 'sessionToken', kind: 'session', actorId: t.alice.id, ip: CLIENT },
      { ...base, scheme: 'jwt', kind: 'access', actorId: t.alice.id, ip: CLIENT },
      { ...base, scheme: 'cookie', kind: 'session', actorId: t.alice.id, ip: CLIENT },
      { ...base, scheme: 'appUserUrl', kind: 'appUser', actorId: null, ip: null },
    ]);
  });

  it('should report revokeAll with the actor and the number of tokens removed', async () => {
    const t = await eventApp();
    await t.auth.tokens.issue({ actorId: t.bob.id, kind: 'personal' });
    await t.auth.tokens.issue({ actorId: t.bob.id, kind: 'session' });
    expect(await t.auth.tokens.revokeAll(t.bob.id)).toBe(2);
    expect(t.ofType('token.revokedAll')).toEqual([
      { type: 'token.revokedAll', time: new Date(t.clock.now()), scheme: null, actorId: t.bob.id, ip: null, code: null, count: 2 },
    ]);
  });
});
