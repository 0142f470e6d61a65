import request from 'supertest';
import { buildApp, CONFIG_API_KEY, type TestApp } from './helpers/app';

/** One valid credential of each scheme, and a way to present it. */
type Present = (req: request.Test) => request.Test;

describe('precedence: exactly one credential is tried, and its failure is final', () => {
  let t: TestApp;
  let sessionToken: string;
  let deviceToken: string;
  const bad = 'gths_' + 'A'.repeat(49);

  beforeAll(async () => {
    t = await buildApp();
    sessionToken = (await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'session' })).token;
    deviceToken = (await t.auth.tokens.issue({ actorId: t.device.id, kind: 'appUser' })).token;
  });

  const path = (withKey: string | null) => (withKey === null ? '/v1/forms' : `/v1/key/${withKey}/forms`);

  it('a valid URL key wins over a bearer token, an API key header and a query key', async () => {
    const res = await request(t.app)
      .get(`${path(deviceToken)}?apikey=${CONFIG_API_KEY}`)
      .set('Authorization', `Bearer ${sessionToken}`);
    expect(res.status).toBe(200);
    expect(res.body.user.id).toBe(t.device.id);
    expect(res.body.authInfo.scheme).toBe('appUserUrl');
  });

  it('a bad URL key fails even when a valid bearer token is also sent (no fallback)', async () => {
    const res = await request(t.app).get(path('gtha_nope')).set('Authorization', `Bearer ${sessionToken}`);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('401.2');
  });

  it('a bad bearer token fails even with a valid query API key', async () => {
    const res = await request(t.app).get(`/v1/projects?apikey=${CONFIG_API_KEY}`).set('Authorization', `Bearer ${bad}`);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('401.2');
    expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
  });

  it('a valid bearer token wins over a query API key', async () => {
    const res = await request(t.app).get(`/v1/projects?apikey=${CONFIG_API_KEY}`).set('Authorization', `Bearer ${sessionToken}`);
    expect(res.status).toBe(200);
    expect(res.body.authInfo.scheme).toBe('sessionToken');
    expect(res.body.query).toEqual({});
  });

  it('an Authorization: ApiKey header is tried before a query key, and a bad one is final', async () => {
    const res = await request(t.app).get(`/v1/projects?apikey=${CONFIG_API_KEY}`).set('Authorization', 'ApiKey wrong-key-wrong-key-1234');
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('401.2');
  });

  it('a bad query API key fails even with a valid URL key when apiKey comes first', async () => {
    const custom = await buildApp({ precedence: ['apiKey', 'appUserUrl', 'bearer', 'basic', 'cookie'] });
    const token = (await custom.auth.tokens.issue({ actorId: custom.device.id, kind: 'appUser' })).token;
    const res = await request(custom.app).get(`/v1/key/${token}/forms?apiKey=not-a-real-key-000000`);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('401.2');
    const good = await request(custom.app).get(`/v1/key/${token}/projects?apiKey=${CONFIG_API_KEY}`);
    expect(good.status).toBe(200);
    expect(good.body.authInfo.scheme).toBe('apiKey');
  });

  it('bearer before URL key when precedence says so', async () => {
    const custom = await buildApp({ precedence: ['bearer', 'appUserUrl', 'apiKey', 'basic', 'cookie'] });
    const token = (await custom.auth.tokens.issue({ actorId: custom.device.id, kind: 'appUser' })).token;
    const res = await request(custom.app).get(`/v1/key/${token}/forms`).set('Authorization', `Bearer ${bad}`);
    expect(res.status).toBe(401);
  });

  it('with no credential the request goes on anonymously, and require() answers 401.1', async () => {
    const open = await request(t.app).get('/v1/public');
    expect(open.status).toBe(200);
    expect(open.body.user).toBeNull();
    const closed = await request(t.app).get('/v1/projects');
    expect(closed.status).toBe(401);
    expect(closed.body.code).toBe('401.1');
    expect(closed.headers['www-authenticate']).toBe('Bearer realm="api"');
  });

  it('other cookies do not count as a credential', async () => {
    const res = await request(t.app).get('/v1/public').set('Cookie', 'theme=dark; lang=en');
    expect(res.status).toBe(200);
  });

  it.each([
    ['Digest username="alice"'],
    ['Token abc'],
    ['garbage'],
    ['Bearer'],
    ['Bearer  '],
    ['Bearer a b'],
    ['Negotiate YIIB'],
    ['ApiKey'],
  ])('an unusable Authorization header (%s) is presented and fails 401.2, even on a public route', async (header) => {
    const res = await request(t.app).get(`/v1/public?apikey=${CONFIG_API_KEY}`).set('Authorization', header);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('401.2');
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('matches the scheme keyword case-insensitively', async () => {
    const res = await request(t.app).get('/v1/projects').set('Authorization', `bEaReR ${sessionToken}`);
    expect(res.status).toBe(200);
    const key = await request(t.app).get('/v1/projects').set('Authorization', `APIKEY ${CONFIG_API_KEY}`);
    expect(key.status).toBe(200);
  });

  it('a JWS-shaped bearer token goes to the JWT scheme, which is off here: 401.2', async () => {
    const res = await request(t.app).get('/v1/projects').set('Authorization', 'Bearer aaa.bbb.ccc');
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('401.2');
  });

  const schemes: Array<[string, () => Present]> = [
    ['bearer', () => (r) => r.set('Authorization', `Bearer ${sessionToken}`)],
    ['apiKey header', () => (r) => r.set('Authorization', `ApiKey ${CONFIG_API_KEY}`)],
  ];
  it.each(schemes)('a valid %s alone authenticates', async (_name, present) => {
    const res = await present()(request(t.app).get('/v1/projects'));
    expect(res.status).toBe(200);
  });
});
