import request from 'supertest';
import { ALICE_PASSWORD, buildApp } from './helpers/app';
import { JWT_OPTIONS } from './helpers/jwt';
import { ALICE_LOGIN, basicApp, basicHeader, passwordFixture } from './helpers/passwords';
import { realNow } from './helpers/clock';

const MINUTE = 60_000;

describe('a locked login (403.2) says when to come back with Retry-After', () => {
  it.each(['/v1/sessions', '/v1/jwt/authenticate'])('POST %s: Retry-After equals lockoutTimeRemaining and counts down', async (path) => {
    let now = realNow();
    const t = await buildApp({ jwt: JWT_OPTIONS, now: () => now, lockout: { maxAttempts: 2, duration: 10 * MINUTE } });
    const login = (password: string) => request(t.app).post(path).send({ login: 'alice@example.org', password });
    for (let i = 0; i < 2; i += 1) expect((await login('wrong')).status).toBe(401);
    now += 1_000;
    const locked = await login(ALICE_PASSWORD);
    expect(locked.status).toBe(403);
    expect(locked.body.code).toBe('403.2');
    expect(locked.headers['retry-after']).toBe(String(locked.body.lockoutTimeRemaining));
    expect(Number(locked.headers['retry-after'])).toBe(10 * 60 - 1);

    now += 4 * MINUTE;
    const later = await login(ALICE_PASSWORD);
    expect(later.headers['retry-after']).toBe('359');
    expect(later.body.lockoutTimeRemaining).toBe(359);
  });

  it('Basic: the 403.2 carries Retry-After too', async () => {
    const { passwordCheck, clock } = await passwordFixture({ lockout: { maxAttempts: 2, duration: 5 * MINUTE } });
    const { app } = basicApp(passwordCheck, { trustProxy: true });
    const get = (password: string) =>
      request(app).get('/me').set('X-Forwarded-Proto', 'https').set('Authorization', basicHeader(ALICE_LOGIN, password));
    await get('wrong');
    await get('wrong');
    clock.advance(30_000);
    const res = await get(ALICE_PASSWORD);
    expect(res.status).toBe(403);
    expect(res.headers['retry-after']).toBe('270');
  });
});
