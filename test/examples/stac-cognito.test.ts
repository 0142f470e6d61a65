import path from 'node:path';
import { Secret, TOTP } from 'otpauth';
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
  it('an admin with an authenticator app is answered as Cognito answers: "ChallengeName": "SOFTWARE_TOKEN_MFA" and a "Session"; the code completes the login', async () => {
    const https = (req: request.Test) => req.set('X-Forwarded-Proto', 'https');
    const admin = { email: 'admin@example.org', password: 'admin password 1234' };
    const login = await https(request(app).post('/admin/sessions')).send(admin);
    const cookie = ([] as string[]).concat(login.headers['set-cookie'] ?? [])[0]!.split(';')[0]!;
    const signedIn = (req: request.Test) => https(req).set('Cookie', cookie).set('X-CSRF-Token', login.body.csrf);
    const { secret, uri } = (await signedIn(request(app).post('/admin/second-factor/totp')).send(admin)).body;
    expect(uri).toMatch(/^otpauth:\/\/totp\/STAC%20admin:/);
    const code = (at: number) => new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: at });
    expect((await signedIn(request(app).post('/admin/second-factor/totp/confirm')).send({ code: code(Date.now()) })).status).toBe(200);

    const challenged = await https(request(app).post('/admin/sessions')).send(admin);
    expect(challenged.status).toBe(401);
    expect(challenged.body).toEqual({ ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: expect.any(String), ChallengeParameters: {} });
    expect(challenged.headers['set-cookie']).toBeUndefined();
    // The confirming code is spent; the app's next one is accepted (one step either side).
    const answered = await https(request(app).post('/admin/second-factor/challenge')).send({ ticket: challenged.body.Session, code: code(Date.now() + 30_000) });
    expect(answered.status).toBe(200);
    const adminCookie = ([] as string[]).concat(answered.headers['set-cookie'] ?? [])[0]!.split(';')[0]!;
    expect((await https(request(app).get('/admin')).set('Cookie', adminCookie)).status).toBe(200);
  });
});
