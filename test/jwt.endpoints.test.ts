import request from 'supertest';
import { ALICE_PASSWORD, buildApp } from './helpers/app';
import { JWT_OPTIONS } from './helpers/jwt';
import { realNow } from './helpers/clock';

const MINUTE = 60_000;

async function authenticate(t: Awaited<ReturnType<typeof buildApp>>) {
  const res = await request(t.app).post('/v1/jwt/authenticate').send({ email: 'alice@example.org', password: ALICE_PASSWORD });
  expect(res.status).toBe(200);
  return res.body as { access: string; refresh: string; accessExpiresAt: string; refreshExpiresAt: string };
}

describe('JWT endpoints', () => {
  it('POST /jwt/authenticate issues an access token (15 min) and an opaque refresh token (14 days)', async () => {
    const now = realNow();
    const t = await buildApp({ jwt: JWT_OPTIONS, now: () => now });
    const tokens = await authenticate(t);
    expect(tokens.access.split('.')).toHaveLength(3);
    expect(tokens.refresh).toMatch(/^gthr_/);
    expect(tokens.accessExpiresAt).toBe(new Date(now + 15 * MINUTE).toISOString());
    expect(tokens.refreshExpiresAt).toBe(new Date(now + 14 * 24 * 60 * MINUTE).toISOString());
    const claims = JSON.parse(Buffer.from(tokens.access.split('.')[1], 'base64url').toString());
    expect(claims).toMatchObject({ sub: t.alice.id, iss: JWT_OPTIONS.issuer, aud: JWT_OPTIONS.audience, token_type: 'access', jti: expect.any(String) });
    const use = await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${tokens.access}`);
    expect(use.body.authInfo.scheme).toBe('jwt');
  });

  it('shares login rules: 400.1 naming the field, the same 401.2, lockout 403.2', async () => {
    const t = await buildApp({ jwt: JWT_OPTIONS, lockout: { maxAttempts: 2 } });
    expect((await request(t.app).post('/v1/jwt/authenticate').send({ login: 'alice@example.org' })).body).toMatchObject({ code: '400.1', field: 'password' });
    for (let i = 0; i < 2; i += 1) {
      expect((await request(t.app).post('/v1/jwt/authenticate').send({ login: 'alice@example.org', password: 'x' })).body.code).toBe('401.2');
    }
    expect((await request(t.app).post('/v1/jwt/authenticate').send({ login: 'alice@example.org', password: ALICE_PASSWORD })).body.code).toBe('403.2');
  });

  it('a refresh token is never accepted as a bearer access token', async () => {
    const t = await buildApp({ jwt: JWT_OPTIONS });
    const { refresh } = await authenticate(t);
    const res = await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${refresh}`);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('401.2');
  });

  it('POST /jwt/refresh rotates; re-using a rotated token revokes the whole family (no reuse interval)', async () => {
    const t = await buildApp({ jwt: { ...JWT_OPTIONS, refreshReuseInterval: 0 } });
    const first = await authenticate(t);
    const second = (await request(t.app).post('/v1/jwt/refresh').send({ refresh: first.refresh })).body;
    expect(second.refresh).not.toBe(first.refresh);
    expect((await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${second.access}`)).status).toBe(200);

    const replay = await request(t.app).post('/v1/jwt/refresh').send({ refresh: first.refresh });
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('401.2');
    // The thief's replay also ends the legitimate client's current refresh token.
    expect((await request(t.app).post('/v1/jwt/refresh').send({ refresh: second.refresh })).body.code).toBe('401.2');
  });

  it('two concurrent rotations of one refresh token: exactly one wins (no reuse interval)', async () => {
    const t = await buildApp({ jwt: { ...JWT_OPTIONS, refreshReuseInterval: 0 } });
    const { refresh } = await authenticate(t);
    const results = await Promise.all([1, 2, 3].map(() => request(t.app).post('/v1/jwt/refresh').send({ refresh })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 401, 401]);
  });

  it('an expired refresh token answers 401.4 (log in again), and stays refused', async () => {
    let now = realNow();
    const t = await buildApp({ jwt: { ...JWT_OPTIONS, refreshTtl: 60 * MINUTE }, now: () => now });
    const { refresh } = await authenticate(t);
    now += 61 * MINUTE;
    expect((await request(t.app).post('/v1/jwt/refresh').send({ refresh })).body.code).toBe('401.4');
    expect((await request(t.app).post('/v1/jwt/refresh').send({ refresh })).body.code).toBe('401.2');
  });

  it.each([[{}, 'refresh'], [{ refresh: 5 }, 'refresh']])('POST /jwt/refresh with %j → 400.1 naming %s', async (body, field) => {
    const t = await buildApp({ jwt: JWT_OPTIONS });
    expect((await request(t.app).post('/v1/jwt/refresh').send(body)).body).toMatchObject({ code: '400.1', field });
  });

  it('POST /jwt/verify answers valid with expiresAt, 401.4 when expired, 401.2 otherwise', async () => {
    let now = realNow();
    const t = await buildApp({ jwt: JWT_OPTIONS, now: () => now });
    const { access, accessExpiresAt, refresh } = await authenticate(t);
    expect((await request(t.app).post('/v1/jwt/verify').send({ token: access })).body).toEqual({ valid: true, expiresAt: accessExpiresAt });
    expect((await request(t.app).post('/v1/jwt/verify').send({ token: refresh })).body.code).toBe('401.2');
    expect((await request(t.app).post('/v1/jwt/verify').send({ token: 'nope' })).body.code).toBe('401.2');
    expect((await request(t.app).post('/v1/jwt/verify').send({})).body).toMatchObject({ code: '400.1', field: 'token' });
    now += 16 * MINUTE;
    expect((await request(t.app).post('/v1/jwt/verify').send({ token: access })).body.code).toBe('401.4');
  });
});

describe('JWT revocation', () => {
  it('DELETE /sessions/current with a JWT revokes its jti and its refresh family', async () => {
    const t = await buildApp({ jwt: JWT_OPTIONS });
    const { access, refresh } = await authenticate(t);
    const other = await authenticate(t);
    expect((await request(t.app).delete('/v1/sessions/current').set('Authorization', `Bearer ${access}`)).body).toEqual({ success: true });
    expect((await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${access}`)).body.code).toBe('401.2');
    expect((await request(t.app).post('/v1/jwt/refresh').send({ refresh })).body.code).toBe('401.2');
    expect((await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${other.access}`)).status).toBe(200);
  });

  it('tokens.revokeAll stops outstanding access tokens and refresh families; a later login works', async () => {
    let now = realNow();
    const t = await buildApp({ jwt: JWT_OPTIONS, now: () => now });
    const { access, refresh } = await authenticate(t);
    now += 1500;
    await t.auth.tokens.revokeAll(t.alice.id);
    expect((await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${access}`)).body.code).toBe('401.2');
    expect((await request(t.app).post('/v1/jwt/refresh').send({ refresh })).body.code).toBe('401.2');
    now += 1000;
    const fresh = await authenticate(t);
    expect((await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${fresh.access}`)).status).toBe(200);
  });
});
