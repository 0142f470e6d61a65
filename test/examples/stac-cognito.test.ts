import path from 'node:path';
import request from 'supertest';
import { ensureBuilt, ROOT } from '../helpers/build';

interface StandIn {
  issuer: string;
  jwksUri: string;
  clientId: string;
  accessToken(sub: string, groups?: string[]): string;
  stop(): Promise<void>;
}

/** examples/wire/stac-cognito.js, black box, against a stand-in Cognito issuer on loopback. */
describe('example: STAC API with Amazon Cognito', () => {
  let app: import('express').Express;
  let cognito: StandIn;

  beforeAll(async () => {
    ensureBuilt();
    const { startStandInIssuer } = require(path.join(ROOT, 'examples', 'wire', 'stand-in-issuer.js'));
    const { createStacApp } = require(path.join(ROOT, 'examples', 'wire', 'stac-cognito.js'));
    cognito = await startStandInIssuer();
    ({ app } = await createStacApp(cognito));
  });
  afterAll(() => cognito.stop());

  it('"read operations are public": GET /collections needs no credential', async () => {
    const res = await request(app).get('/collections');
    expect(res.status).toBe(200);
    expect(res.body.collections[0].id).toBe('sentinel-2');
  });

  it('"Transaction endpoints require a Cognito access token": an editor\'s token from the issuer (via its JWKS) may write', async () => {
    const res = await request(app).post('/collections/sentinel-2/items').set('Authorization', `Bearer ${cognito.accessToken('editor-1', ['stac-editors'])}`);
    expect(res.status).toBe(201);
    expect(res.body.createdBy).toBe('editor-1');
  });

  it('refuses a write without a token (401.1), with a token of another group (403.1), and with a broken signature (401)', async () => {
    const none = await request(app).post('/collections/sentinel-2/items');
    expect(none.status).toBe(401);
    expect(none.body.code).toBe('401.1');
    expect(none.headers['www-authenticate']).toBe('Bearer realm="api"');
    const viewer = await request(app).post('/collections/sentinel-2/items').set('Authorization', `Bearer ${cognito.accessToken('viewer-1', ['viewers'])}`);
    expect(viewer.status).toBe(403);
    expect(viewer.body.code).toBe('403.1');
    const forged = await request(app).post('/collections/sentinel-2/items').set('Authorization', `Bearer ${cognito.accessToken('editor-1', ['stac-editors']).slice(0, -4)}AAAA`);
    expect(forged.status).toBe(401);
  });

  it('the admin UI logs in with a cookie (no bearer token) and the cookie cannot write', async () => {
    const login = await request(app).post('/admin/sessions').set('X-Forwarded-Proto', 'https').send({ email: 'admin@example.org', password: 'admin password 1234' });
    expect(login.status).toBe(200);
    expect(login.body).not.toHaveProperty('token');
    const cookie = ([] as string[]).concat(login.headers['set-cookie'] ?? [])[0]!.split(';')[0]!;
    expect((await request(app).get('/admin').set('X-Forwarded-Proto', 'https').set('Cookie', cookie)).status).toBe(200);
    const write = await request(app).post('/collections/sentinel-2/items').set('X-Forwarded-Proto', 'https').set('Cookie', cookie).set('X-CSRF-Token', login.body.csrf);
    expect(write.status).toBe(403);
  });
});
