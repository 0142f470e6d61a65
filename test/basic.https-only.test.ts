import request from 'supertest';
import { ALICE_LOGIN, ALICE_PASSWORD, basicApp, basicHeader, passwordFixture, probeBcrypt } from './helpers/passwords';

describe('Basic is accepted over HTTPS only', () => {
  it('should not authorize over plain HTTP — 401.3, even with the right password', async () => {
    const { passwordCheck } = await passwordFixture();
    const { app } = basicApp(passwordCheck);
    const res = await request(app).get('/me').set('Authorization', basicHeader(ALICE_LOGIN, ALICE_PASSWORD));
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ code: '401.3', status: 401 });
    expect(JSON.stringify(res.body)).not.toContain(ALICE_PASSWORD);
  });

  it("should ignore a client's own X-Forwarded-Proto when trust proxy is not set", async () => {
    const { passwordCheck } = await passwordFixture();
    const { app } = basicApp(passwordCheck);
    const res = await request(app)
      .get('/me')
      .set('X-Forwarded-Proto', 'https')
      .set('Authorization', basicHeader(ALICE_LOGIN, ALICE_PASSWORD));
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('401.3');
  });

  it('should authorize behind a trusted TLS-terminating proxy that says https', async () => {
    const { passwordCheck, alice } = await passwordFixture();
    const { app } = basicApp(passwordCheck, { trustProxy: true });
    const res = await request(app)
      .get('/me')
      .set('X-Forwarded-Proto', 'https')
      .set('Authorization', basicHeader(ALICE_LOGIN, ALICE_PASSWORD));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ user: alice, secure: true });
  });

  it('should not authorize behind a trusted proxy that says http', async () => {
    const { passwordCheck } = await passwordFixture();
    const { app } = basicApp(passwordCheck, { trustProxy: 1 });
    const res = await request(app)
      .get('/me')
      .set('X-Forwarded-Proto', 'http')
      .set('Authorization', basicHeader(ALICE_LOGIN, ALICE_PASSWORD));
    expect(res.body.code).toBe('401.3');
  });

  it('should not trust X-Forwarded-Proto from an address outside the trusted proxies', async () => {
    const { passwordCheck } = await passwordFixture();
    // Only 10.0.0.1 is a proxy; supertest connects from loopback, which is therefore the client.
    const { app } = basicApp(passwordCheck, { trustProxy: '10.0.0.1' });
    const res = await request(app)
      .get('/me')
      .set('X-Forwarded-Proto', 'https')
      .set('Authorization', basicHeader(ALICE_LOGIN, ALICE_PASSWORD));
    expect(res.body.code).toBe('401.3');
  });

  it('should refuse plain HTTP before decoding: no bcrypt work and no failed attempt counted', async () => {
    const { passwordCheck, store, hasher } = await passwordFixture();
    const { app } = basicApp(passwordCheck);
    const probe = probeBcrypt();
    try {
      for (let i = 0; i < 7; i += 1) {
        const res = await request(app).get('/me').set('Authorization', basicHeader(ALICE_LOGIN, 'wrong password'));
        expect(res.body.code).toBe('401.3');
      }
      // Malformed credentials over HTTP are not even looked at.
      const garbage = await request(app).get('/me').set('Authorization', 'Basic %%%');
      expect(garbage.body.code).toBe('401.3');
      expect(probe.compareCalls + probe.hashCalls).toBe(0);
      expect(hasher.active).toBe(0);
      expect(await store.readAttempts(ALICE_LOGIN, Date.now())).toEqual({ count: 0, lockedUntil: null });
    } finally {
      probe.restore();
    }
  });

  it("should answer 401 without a server error through passport's own rendering over HTTP", async () => {
    const { passwordCheck } = await passwordFixture();
    const { app } = basicApp(passwordCheck);
    const res = await request(app).get('/plain').set('Authorization', basicHeader(ALICE_LOGIN, ALICE_PASSWORD));
    expect(res.status).toBe(401);
  });

  it('should set req.user and req.authInfo through passport.authenticate over HTTPS', async () => {
    const { passwordCheck, alice } = await passwordFixture();
    const { app } = basicApp(passwordCheck, { trustProxy: true });
    const res = await request(app)
      .get('/plain')
      .set('X-Forwarded-Proto', 'https')
      .set('Authorization', basicHeader(ALICE_LOGIN, ALICE_PASSWORD));
    expect(res.status).toBe(200);
    // Basic proves the password with each request: a proof made now, by password.
    expect(res.body).toEqual({ user: alice, authInfo: { scheme: 'basic', authTime: expect.any(String), amr: ['pwd'], acr: 'single' } });
  });
});
