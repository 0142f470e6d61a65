import request from 'supertest';
import { ALICE_PASSWORD, buildApp } from './helpers/app';
import { realNow } from './helpers/clock';

const MINUTE = 60_000;

describe('POST /sessions', () => {
  it('accepts login, email or username; normalises the login; ignores a stale credential sent with it', async () => {
    const t = await buildApp();
    for (const field of ['login', 'email', 'username']) {
      const res = await request(t.app)
        .post('/v1/sessions')
        .set('Authorization', 'Bearer gths_stale')
        .send({ [field]: '  Alice@Example.ORG ', password: ALICE_PASSWORD });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        token: expect.stringMatching(/^gths_/),
        createdAt: expect.any(String),
        expiresAt: expect.any(String),
        previousAccessFailedCount: 0,
      });
      expect(res.headers['cache-control']).toBe('no-store');
      const use = await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${res.body.token}`);
      expect(use.body.user.id).toBe(t.alice.id);
    }
  });

  it('accepts a urlencoded form body', async () => {
    const t = await buildApp();
    const res = await request(t.app).post('/v1/sessions').type('form').send({ email: 'alice@example.org', password: ALICE_PASSWORD });
    expect(res.status).toBe(200);
  });

  it('unknown login and wrong password give the same 401.2', async () => {
    const t = await buildApp();
    const wrong = await request(t.app).post('/v1/sessions').send({ login: 'alice@example.org', password: 'nope' });
    const unknown = await request(t.app).post('/v1/sessions').send({ login: 'nobody@example.org', password: 'nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body.code).toBe('401.2');
  });

  it('app users have no password and cannot log in', async () => {
    const t = await buildApp();
    const res = await request(t.app).post('/v1/sessions').send({ login: 'tablet-7', password: 'anything' });
    expect(res.body.code).toBe('401.2');
  });

  it('locks a login after 5 failures with lockoutTimeRemaining counting down, and reports previousAccessFailedCount', async () => {
    let now = realNow();
    const t = await buildApp({ now: () => now, lockout: { maxAttempts: 5, window: 15 * MINUTE, duration: 10 * MINUTE } });
    const attempt = (password: string, login = 'alice@example.org') => request(t.app).post('/v1/sessions').send({ login, password });

    for (let i = 0; i < 2; i += 1) expect((await attempt('wrong')).body.code).toBe('401.2');
    const ok = await attempt(ALICE_PASSWORD);
    expect(ok.body.previousAccessFailedCount).toBe(2);

    for (let i = 0; i < 5; i += 1) expect((await attempt('wrong')).body.code).toBe('401.2');
    const locked = await attempt(ALICE_PASSWORD);
    expect(locked.status).toBe(403);
    expect(locked.body).toMatchObject({ code: '403.2', lockoutTimeRemaining: 600, maxRetriesExceeded: true });

    now += 4 * MINUTE;
    expect((await attempt(ALICE_PASSWORD)).body.lockoutTimeRemaining).toBe(360);
    now += 6 * MINUTE;
    const after = await attempt(ALICE_PASSWORD);
    expect(after.status).toBe(200);

    // Logins that do not exist count and lock the same way (no enumeration by lockout).
    for (let i = 0; i < 5; i += 1) await attempt('wrong', 'ghost@example.org');
    expect((await attempt('wrong', 'ghost@example.org')).body.code).toBe('403.2');
  });

  it('a correct password past passwordExpiresAt answers 403.3; a wrong one still 401.2', async () => {
    const now = realNow();
    const t = await buildApp({ now: () => now });
    await t.store.addUser({ login: 'old@example.org', password: 'expired password 1', passwordExpiresAt: now - 1 });
    expect((await request(t.app).post('/v1/sessions').send({ login: 'old@example.org', password: 'nope' })).body.code).toBe('401.2');
    const expired = await request(t.app).post('/v1/sessions').send({ login: 'old@example.org', password: 'expired password 1' });
    expect(expired.status).toBe(403);
    expect(expired.body.code).toBe('403.3');
  });

  it('auth.passwords hashes with the configured cost and refuses > 72 bytes without prehash', async () => {
    const t = await buildApp({ passwords: { cost: 10 } });
    const hash = await t.auth.passwords.hash('a fine password');
    expect(hash).toMatch(/^\$2[aby]\$10\$/);
    expect(await t.auth.passwords.verify('a fine password', hash)).toBe(true);
    await expect(t.auth.passwords.hash('x'.repeat(73))).rejects.toThrow(/72/);
  });

  it('with sessionToken: false there is no login endpoint for session tokens', async () => {
    const t = await buildApp({ sessionToken: false });
    const res = await request(t.app).post('/v1/sessions').send({ login: 'alice@example.org', password: ALICE_PASSWORD });
    expect(res.status).toBe(404);
  });
});
