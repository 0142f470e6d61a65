import session from 'express-session';
import request from 'supertest';
import { MemoryStore } from '../src';
import { CONFIG_API_KEY } from './helpers/app';
import { COOKIE_SECRET, cookieApp, loginWithCookie, withCookie, loginWithBearer } from './helpers/cookie';

/** A MemoryStore that counts reads of cookie-session records. */
class CountingStore extends MemoryStore {
  cookieReads = 0;
  override async findToken(hash: string) {
    const record = await super.findToken(hash);
    if (record?.kind === 'cookie') this.cookieReads += 1;
    return record;
  }
}

describe('API traffic never runs express-session', () => {
  it('bearer, API-key and anonymous requests set no cookie and never read a session, even with a cookie present', async () => {
    const store = new CountingStore({ passwordCost: 10 });
    const app = await cookieApp({}, store);
    const { cookie } = await loginWithCookie(app);
    const token = await loginWithBearer(app);
    store.cookieReads = 0;
    const bearer = await withCookie(request(app.app).get('/v1/projects'), cookie).set('Authorization', `Bearer ${token}`);
    const apiKey = await request(app.app).get('/v1/projects').set('Authorization', `ApiKey ${CONFIG_API_KEY}`);
    const anonymous = await request(app.app).get('/v1/public');
    for (const res of [bearer, apiKey, anonymous]) {
      expect(res.status).toBe(200);
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    expect(bearer.body.authInfo.scheme).toBe('sessionToken');
    expect(store.cookieReads).toBe(0);
    // The cookie itself does read its session.
    await withCookie(request(app.app).get('/v1/projects'), cookie);
    expect(store.cookieReads).toBe(1);
  });

  it('a bad cookie is final only when it is the first credential: a bearer token goes first', async () => {
    const t = await cookieApp();
    const token = await loginWithBearer(t);
    const res = await withCookie(request(t.app).get('/v1/projects'), '__Host-gatehouse=s%3Astale.sig').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    const alone = await withCookie(request(t.app).get('/v1/projects'), '__Host-gatehouse=s%3Astale.sig');
    expect(alone.body.code).toBe('401.2');
  });

  it("a host's own express-session store is never called for bearer, API-key or anonymous requests", async () => {
    const hostStore = new session.MemoryStore();
    const calls: string[] = [];
    for (const method of ['get', 'set', 'destroy', 'touch'] as const) {
      const original = hostStore[method].bind(hostStore) as (...args: unknown[]) => void;
      (hostStore as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
        calls.push(method);
        original(...args);
      };
    }
    const t = await cookieApp({ cookie: { secret: COOKIE_SECRET, store: hostStore } });
    const { cookie } = await loginWithCookie(t);
    const token = await loginWithBearer(t);
    calls.length = 0;
    const bearer = await withCookie(request(t.app).get('/v1/projects'), cookie).set('Authorization', `Bearer ${token}`);
    const apiKey = await request(t.app).post('/v1/projects').set('Authorization', `ApiKey ${CONFIG_API_KEY}`);
    const anonymous = await request(t.app).get('/v1/public');
    for (const res of [bearer, apiKey, anonymous]) {
      expect(res.status).toBe(200);
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    expect(calls).toEqual([]);
    expect((await withCookie(request(t.app).get('/v1/projects'), cookie)).status).toBe(200);
    expect(calls).toContain('get');
  });
});
