import request from 'supertest';
import { ALICE_PASSWORD, CONFIG_API_KEY } from './helpers/app';
import { COOKIE_SECRET, cookieApp, loginWithCookie, withCookie, loginWithBearer } from './helpers/cookie';

const STALE_COOKIE = '__Host-gatehouse=s%3Astale-session-id.not-a-signature';

function basic(login: string, password: string): string {
  return `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}`;
}

describe('the cookie comes last: it is tried only when no earlier credential is presented', () => {
  it('should authorize with a valid bearer token sent alongside a bad cookie (the cookie is never tried)', async () => {
    const t = await cookieApp();
    const token = await loginWithBearer(t);
    const res = await withCookie(request(t.app).get('/v1/projects'), STALE_COOKIE).set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(res.body.authInfo.scheme).toBe('sessionToken');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('should authorize with an API key or Basic sent alongside a bad cookie', async () => {
    const t = await cookieApp();
    const apiKey = await withCookie(request(t.app).get('/v1/projects'), STALE_COOKIE).set('Authorization', `ApiKey ${CONFIG_API_KEY}`);
    expect(apiKey.status).toBe(200);
    expect(apiKey.body.authInfo.scheme).toBe('apiKey');
    const viaQuery = await withCookie(request(t.app).get(`/v1/projects?apikey=${CONFIG_API_KEY}`), STALE_COOKIE);
    expect(viaQuery.body.authInfo.scheme).toBe('apiKey');
    const viaBasic = await withCookie(request(t.app).get('/v1/projects'), STALE_COOKIE).set('Authorization', basic('alice@example.org', ALICE_PASSWORD));
    expect(viaBasic.status).toBe(200);
    expect(viaBasic.body.authInfo.scheme).toBe('basic');
  });

  it('should authorize an app-user URL sent with a bad cookie', async () => {
    const t = await cookieApp();
    const { token } = await t.auth.tokens.issue({ actorId: t.device.id, kind: 'appUser' });
    const res = await withCookie(request(t.app).get(`/v1/key/${token}/forms`), STALE_COOKIE);
    expect(res.status).toBe(200);
    expect(res.body.authInfo.scheme).toBe('appUserUrl');
  });

  it('should not authorize — a bad cookie alone is final (401.2), even on a public route', async () => {
    const t = await cookieApp();
    for (const path of ['/v1/projects', '/v1/public']) {
      const res = await withCookie(request(t.app).get(path), STALE_COOKIE);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('401.2');
    }
  });

  it('should not authorize — a bad bearer token is final even with a valid cookie (no fallback to the cookie)', async () => {
    const t = await cookieApp();
    const { cookie } = await loginWithCookie(t);
    const res = await withCookie(request(t.app).get('/v1/projects'), cookie).set('Authorization', 'Bearer gths_not-a-real-token');
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('401.2');
    expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
    // The cookie itself is untouched and still works on its own.
    expect((await withCookie(request(t.app).get('/v1/projects'), cookie)).status).toBe(200);
  });

  it("should try the cookie first when precedence puts it first: then a bad cookie is final and the bearer is not tried", async () => {
    const t = await cookieApp({ precedence: ['cookie', 'appUserUrl', 'bearer', 'apiKey', 'basic'] });
    const { cookie } = await loginWithCookie(t);
    const token = await loginWithBearer(t);
    const stale = await withCookie(request(t.app).get('/v1/projects'), STALE_COOKIE).set('Authorization', `Bearer ${token}`);
    expect(stale.body.code).toBe('401.2');
    const good = await withCookie(request(t.app).get('/v1/projects'), cookie).set('Authorization', `ApiKey ${CONFIG_API_KEY}`);
    expect(good.status).toBe(200);
    expect(good.body.authInfo.scheme).toBe('cookie');
  });

  it("should answer 400.2 for a cookie and a bearer token together when multipleCredentials is 'reject'", async () => {
    const t = await cookieApp({ multipleCredentials: 'reject' });
    const { cookie } = await loginWithCookie(t);
    const token = await loginWithBearer(t);
    const res = await withCookie(request(t.app).get('/v1/projects'), cookie).set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('400.2');
  });

  it('should ignore the cookie entirely when the cookie scheme is off (it is not a credential then)', async () => {
    const t = await cookieApp({ cookie: false });
    const res = await request(t.app).get('/v1/public').set('Cookie', STALE_COOKIE);
    expect(res.status).toBe(200);
    expect(res.body.user).toBeNull();
  });

  it('should count only the configured cookie name as presented', async () => {
    const t = await cookieApp({ cookie: { secret: COOKIE_SECRET, name: '__Host-admin' } });
    const other = await withCookie(request(t.app).get('/v1/public'), STALE_COOKIE);
    expect(other.status).toBe(200);
    expect(other.body.user).toBeNull();
    const ours = await withCookie(request(t.app).get('/v1/public'), '__Host-admin=s%3Astale.sig');
    expect(ours.body.code).toBe('401.2');
  });
});
