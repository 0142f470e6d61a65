import path from 'node:path';
import { Secret, TOTP } from 'otpauth';
import request from 'supertest';
import { ensureBuilt, ROOT } from '../helpers/build';

const ADMIN = { username: 'admin', password: 'admin password 1234' };
const ALICE = { username: 'alice', password: 'alice password 1234' };

/** examples/wire/drf-style.js, black box, as DRF's and Simple JWT's documentation state them. */
describe('example: DRF-style service', () => {
  let app: import('express').Express;
  let user: { id: string };

  beforeAll(async () => {
    ensureBuilt();
    const { createDrfStyleApp } = require(path.join(ROOT, 'examples', 'wire', 'drf-style.js'));
    ({ app, user } = await createDrfStyleApp());
  });

  it('"POST /api/v1/jwt/authenticate/ … returns an access and a refresh token" (Simple JWT TokenObtainPairView)', async () => {
    const res = await request(app).post('/api/v1/jwt/authenticate/').send(ALICE);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['access', 'refresh']);
    expect((await request(app).get('/api/v1/snippets/').set('Authorization', `Bearer ${res.body.access}`)).body.owner).toBe(user.id);
  });

  it('"POST /api/v1/jwt/refresh/" returns a new access token, "POST /api/v1/jwt/verify/" accepts a valid one', async () => {
    const { refresh, access } = (await request(app).post('/api/v1/jwt/authenticate/').send(ALICE)).body;
    const refreshed = await request(app).post('/api/v1/jwt/refresh/').send({ refresh });
    expect(refreshed.status).toBe(200);
    expect(typeof refreshed.body.access).toBe('string');
    expect((await request(app).post('/api/v1/jwt/verify/').send({ token: access })).status).toBe(200);
    const bad = await request(app).post('/api/v1/jwt/verify/').send({ token: 'not.a.token' });
    expect(bad.status).toBe(401);
    expect(Object.keys(bad.body)).toEqual(['detail']);
  });

  it('"tokens are created by an admin", long-lived, and authenticate as the user; a login hands out none', async () => {
    const { access } = (await request(app).post('/api/v1/jwt/authenticate/').send(ADMIN)).body;
    const issued = await request(app).post(`/api/v1/admin/tokens/${user.id}/`).set('Authorization', `Bearer ${access}`);
    expect(issued.status).toBe(201);
    const res = await request(app).get('/api/v1/snippets/').set('Authorization', `Bearer ${issued.body.key}`);
    expect(res.status).toBe(200);
    expect(res.body.owner).toBe(user.id);
    expect((await request(app).post('/api/v1/sessions').send(ALICE)).status).toBe(404);
  });

  it('errors are DRF\'s { "detail": … }', async () => {
    const res = await request(app).get('/api/v1/snippets/');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ detail: 'This resource requires authentication.' });
    const forbidden = await request(app).post(`/api/v1/admin/tokens/${user.id}/`).set('Authorization', `Bearer ${(await request(app).post('/api/v1/jwt/authenticate/').send(ALICE)).body.access}`);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toEqual({ detail: 'The authenticated actor is not allowed to do this.' });
  });
  it('a user with an authenticator app gets the two-step answer { detail, ephemeral_token, method }, and the pair once the code is sent', async () => {
    const { access } = (await request(app).post('/api/v1/jwt/authenticate/').send(ALICE)).body;
    const bearer = (req: request.Test) => req.set('Authorization', `Bearer ${access}`);
    const { secret } = (await bearer(request(app).post('/api/v1/second-factor/totp')).send(ALICE)).body;
    const code = (at: number) => new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: at });
    expect((await bearer(request(app).post('/api/v1/second-factor/totp/confirm')).send({ code: code(Date.now()) })).status).toBe(200);

    const challenged = await request(app).post('/api/v1/jwt/authenticate/').send(ALICE);
    expect(challenged.status).toBe(401);
    expect(challenged.body).toEqual({ detail: 'A second factor is required.', ephemeral_token: expect.any(String), method: 'app' });
    const pair = await request(app).post('/api/v1/second-factor/challenge').send({ ticket: challenged.body.ephemeral_token, code: code(Date.now() + 30_000) });
    expect(pair.status).toBe(200);
    expect(Object.keys(pair.body).sort()).toEqual(['access', 'refresh']);
  });
});
