import path from 'node:path';
import request from 'supertest';
import { ensureBuilt, ROOT } from '../helpers/build';
import { realNow } from '../helpers/clock';

const EMAIL = 'my.email.address@getodk.org';
const PASSWORD = 'my.super.secure.password';
const T0 = realNow();
const HTTPS = { 'X-Forwarded-Proto': 'https' };

/** examples/wire/odk-central.js, black box, as ODK Central's documentation states its authentication. */
describe('example: ODK Central', () => {
  let app: import('express').Express;
  let auth: { tokens: { issue(input: object): Promise<{ token: string }> } };
  let collect: { id: string };
  const clock = { now: T0 };

  beforeAll(async () => {
    ensureBuilt();
    const { createOdkCentralApp } = require(path.join(ROOT, 'examples', 'wire', 'odk-central.js'));
    ({ app, auth, collect } = await createOdkCentralApp({ now: () => clock.now }));
  });

  async function logIn() {
    const res = await request(app).post('/v1/sessions').set(HTTPS).send({ email: EMAIL, password: PASSWORD });
    expect(res.status).toBe(200);
    const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((line) => line.startsWith('__Host-session='));
    return { body: res.body, cookie: cookie!.split(';')[0] };
  }

  it('"POST /v1/sessions … returns a Session with token, createdAt and expiresAt" (24 hours), and "sets a cookie"', async () => {
    const { body, cookie } = await logIn();
    expect(Object.keys(body).sort()).toEqual(['createdAt', 'expiresAt', 'token']);
    expect(new Date(body.expiresAt).getTime() - new Date(body.createdAt).getTime()).toBe(24 * 60 * 60 * 1000);
    expect(cookie).toMatch(/^__Host-session=/);
    expect((await request(app).get('/v1/users/current').set('Authorization', `Bearer ${body.token}`)).status).toBe(200);
  });

  it('"DELETE /v1/sessions/current" and "DELETE /v1/sessions/{token}" log out, ending the cookie too', async () => {
    for (const target of ['current', 'token']) {
      const { body, cookie } = await logIn();
      const res = await request(app).delete(`/v1/sessions/${target === 'current' ? 'current' : body.token}`).set('Authorization', `Bearer ${body.token}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ message: 'Success' });
      expect((await request(app).get('/v1/users/current').set('Authorization', `Bearer ${body.token}`)).status).toBe(401);
      expect((await request(app).get('/v1/users/current').set(HTTPS).set('Cookie', cookie)).status).toBe(401);
    }
  });

  it('"App Users … authenticate with /v1/key/{token}/…" on form-list and submission routes only, never as Bearer', async () => {
    const { token } = await auth.tokens.issue({ actorId: collect.id, kind: 'appUser' });
    const formList = await request(app).get(`/v1/key/${token}/projects/1/formList`);
    expect(formList.status).toBe(200);
    expect(formList.body[0].actor).toBe(collect.id);
    expect((await request(app).post(`/v1/key/${token}/projects/1/submission`)).status).toBe(201);
    const elsewhere = await request(app).get(`/v1/key/${token}/users/current`);
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body).toEqual({ code: '403.1', message: 'The authenticated actor is not allowed to do this.' });
    const asBearer = await request(app).get('/v1/projects/1/formList').set('Authorization', `Bearer ${token}`);
    expect(asBearer.status).toBe(401);
  });

  it('"HTTPS Basic Authentication" works over HTTPS only and "never sends WWW-Authenticate"', async () => {
    const basic = `Basic ${Buffer.from(`${EMAIL}:${PASSWORD}`).toString('base64')}`;
    expect((await request(app).get('/v1/users/current').set(HTTPS).set('Authorization', basic)).status).toBe(200);
    const plain = await request(app).get('/v1/users/current').set('Authorization', basic);
    expect(plain.status).toBe(401);
    expect(plain.body.code).toBe('401.3');
    expect(plain.headers['www-authenticate']).toBeUndefined();
    const none = await request(app).get('/v1/users/current');
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBeUndefined();
  });

  it('"the cookie … only works for GET requests"', async () => {
    const { cookie } = await logIn();
    expect((await request(app).get('/v1/users/current').set(HTTPS).set('Cookie', cookie)).status).toBe(200);
    const post = await request(app).post('/v1/projects').set(HTTPS).set('Cookie', cookie);
    expect(post.status).toBe(401);
    expect(post.body).toEqual({ code: '401.1', message: 'This resource requires authentication.' });
  });

  it('precedence /key → Bearer → Basic → cookie: the first presented credential decides', async () => {
    const { token } = await auth.tokens.issue({ actorId: collect.id, kind: 'appUser' });
    const { body } = await logIn();
    const res = await request(app).get(`/v1/key/${token}/projects/1/formList`).set('Authorization', `Bearer ${body.token}`);
    expect(res.body[0].actor).toBe(collect.id);
  });

  it('errors have ODK\'s shape { code, message }, and a locked account answers as a failed login (lockout stays on)', async () => {
    const wrong = await request(app).post('/v1/sessions').set(HTTPS).send({ email: EMAIL, password: 'wrong' });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ code: '401.2', message: 'Could not authenticate with the provided credentials.' });
    for (let i = 0; i < 5; i++) await request(app).post('/v1/sessions').set(HTTPS).send({ email: EMAIL, password: 'wrong' });
    const locked = await request(app).post('/v1/sessions').set(HTTPS).send({ email: EMAIL, password: PASSWORD });
    // "No detail is provided upon failure": status, headers and body tell a locked login from a wrong password in nothing.
    const seen = (res: request.Response) => {
      const { date: _date, ...headers } = res.headers;
      return { status: res.status, headers, text: res.text };
    };
    expect(seen(locked)).toEqual(seen(wrong));
    expect(locked.headers['retry-after']).toBeUndefined();
    clock.now += 16 * 60 * 1000;
    expect((await request(app).post('/v1/sessions').set(HTTPS).send({ email: EMAIL, password: PASSWORD })).status).toBe(200);
  });
});
