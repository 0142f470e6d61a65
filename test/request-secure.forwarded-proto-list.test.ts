/**
 * Behind `trust proxy: 1`, a proxy that appends its own `X-Forwarded-Proto` to the client's
 * turns a client-sent `https` into `https, http` (or into two headers, which Node joins the
 * same way). Express reads the first value, which the client wrote; Gatehouse counts such a
 * request as HTTPS only when every value says `https`, so a value the client adds can refuse
 * its own request but never turn plain HTTP into HTTPS. Basic and cookie login answer 401.3.
 */
import request from 'supertest';
import { ALICE_PASSWORD } from './helpers/app';
import { cookieApp, loginWithCookie } from './helpers/cookie';
import { ALICE_LOGIN, basicApp, basicHeader, passwordFixture } from './helpers/passwords';

/**
 * `X-Forwarded-Proto` as a client and an appending proxy leave it, in both wire forms (an
 * array is sent as two header lines; supertest's types name only the one-string form).
 */
const CLIENT_THEN_PROXY: Array<[string, string | string[]]> = [
  ['one header, https then http', 'https, http'],
  ['one header without a space', 'https,http'],
  ['two headers, https then http', ['https', 'http']],
  ['a client value after the proxy’s', 'http, https'],
];

describe('X-Forwarded-Proto with several values is HTTPS only when every value is https', () => {
  it.each(CLIENT_THEN_PROXY)('Basic behind trust proxy 1 — %s: 401.3', async (_label, proto) => {
    const { passwordCheck } = await passwordFixture();
    const { app } = basicApp(passwordCheck, { trustProxy: 1 });
    const res = await request(app).get('/me').set('X-Forwarded-Proto', proto as string).set('Authorization', basicHeader(ALICE_LOGIN, ALICE_PASSWORD));
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('401.3');
  });

  it.each(CLIENT_THEN_PROXY)('cookie login behind trust proxy 1 — %s: 401.3, and no cookie', async (_label, proto) => {
    const t = await cookieApp();
    t.app.set('trust proxy', 1);
    const res = await request(t.app).post('/v1/sessions').set('X-Forwarded-Proto', proto as string).send({ login: 'alice@example.org', password: ALICE_PASSWORD, session: true });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('401.3');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it.each(CLIENT_THEN_PROXY)('a cookie behind trust proxy 1 — %s: 401.3', async (_label, proto) => {
    const t = await cookieApp();
    const { cookie } = await loginWithCookie(t);
    t.app.set('trust proxy', 1);
    const res = await request(t.app).get('/v1/projects').set('X-Forwarded-Proto', proto as string).set('Cookie', cookie);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('401.3');
  });

  it('still accepts two proxies that both say https, in one header or two', async () => {
    const { passwordCheck } = await passwordFixture();
    const { app } = basicApp(passwordCheck, { trustProxy: 1 });
    for (const proto of ['https, https', ['https', 'https']]) {
      const res = await request(app).get('/me').set('X-Forwarded-Proto', proto as string).set('Authorization', basicHeader(ALICE_LOGIN, ALICE_PASSWORD));
      expect(res.status).toBe(200);
    }
    const t = await cookieApp();
    t.app.set('trust proxy', 1);
    const login = await request(t.app).post('/v1/sessions').set('X-Forwarded-Proto', 'https, https').send({ login: 'alice@example.org', password: ALICE_PASSWORD, session: true });
    expect(login.status).toBe(200);
  });
});
