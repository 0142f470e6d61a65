import request from 'supertest';
import { gatehouse, MemoryStore } from '../src';
import { buildApp } from './helpers/app';
import { cookieApp, loginWithCookie, withCookie } from './helpers/cookie';

describe('sessionToken.kinds: which stored tokens are accepted as a Bearer token', () => {
  it('should refuse an app-user token sent as Bearer with kinds without appUser (ODK: app users only through /key/ URLs)', async () => {
    const t = await buildApp({ sessionToken: { kinds: ['session', 'personal'] } });
    const { token } = await t.auth.tokens.issue({ actorId: t.device.id, kind: 'appUser' });
    const asBearer = await request(t.app).get('/v1/forms').set('Authorization', `Bearer ${token}`);
    expect(asBearer.status).toBe(401);
    expect(asBearer.body.code).toBe('401.2');
    const inUrl = await request(t.app).get(`/v1/key/${token}/forms`);
    expect(inUrl.status).toBe(200);
    expect(inUrl.body.user.id).toBe(t.device.id);
  });

  it('should still accept session and personal tokens as Bearer', async () => {
    const t = await buildApp({ sessionToken: { kinds: ['session', 'personal'] } });
    const { token } = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'personal' });
    expect((await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${token}`)).status).toBe(200);
  });

  it('should accept app-user tokens as Bearer by default', async () => {
    const t = await buildApp();
    const { token } = await t.auth.tokens.issue({ actorId: t.device.id, kind: 'appUser' });
    expect((await request(t.app).get('/v1/forms').set('Authorization', `Bearer ${token}`)).status).toBe(200);
  });
});

describe('methods: a per-scheme method allow-list', () => {
  it('should use the cookie on GET and HEAD only with methods: { cookie: [\'GET\'] } (ODK Central)', async () => {
    const t = await cookieApp({ methods: { cookie: ['GET'] } });
    const { cookie, csrf } = await loginWithCookie(t);
    expect((await withCookie(request(t.app).get('/v1/projects'), cookie)).status).toBe(200);
    expect((await withCookie(request(t.app).head('/v1/projects'), cookie)).status).toBe(200);
    const post = await withCookie(request(t.app).post('/v1/projects'), cookie).set('X-CSRF-Token', csrf);
    expect(post.status).toBe(401);
    expect(post.body.code).toBe('401.1');
  });

  it('should try the next presented credential when the first is not accepted on this method', async () => {
    const t = await cookieApp({ methods: { cookie: ['GET'] }, precedence: ['cookie', 'appUserUrl', 'bearer', 'apiKey', 'basic'] });
    const { cookie } = await loginWithCookie(t);
    const { token } = await t.auth.tokens.issue({ actorId: t.bob.id, kind: 'personal' });
    const post = await withCookie(request(t.app).post('/v1/projects'), cookie).set('Authorization', `Bearer ${token}`);
    expect(post.status).toBe(200);
    expect(post.body.by).toBe(t.bob.id);
  });

  it('should leave every method open by default', async () => {
    const t = await cookieApp();
    const { cookie, csrf } = await loginWithCookie(t);
    expect((await withCookie(request(t.app).post('/v1/projects'), cookie).set('X-CSRF-Token', csrf)).status).toBe(200);
  });
});

describe('sessionToken.kinds and methods are validated at construction', () => {
  const store = new MemoryStore({ passwordCost: 10 });
  it.each([
    [{ sessionToken: { kinds: 'session' } }, /sessionToken.kinds must be a non-empty array/],
    [{ sessionToken: { kinds: ['refresh'] } }, /sessionToken.kinds: unknown kind "refresh"/],
    [{ sessionToken: { kinds: [] } }, /sessionToken.kinds must be a non-empty array/],
    [{ methods: ['GET'] }, /methods must be an object/],
    [{ methods: { cookies: ['GET'] } }, /methods\.cookies is not an option \(did you mean 'cookie'\?\)/],
    [{ methods: { cookie: [] } }, /methods.cookie must be a non-empty array of HTTP methods/],
    [{ methods: { cookie: ['GET POST'] } }, /methods.cookie must be a non-empty array of HTTP methods/],
  ])('%j throws a TypeError naming the option', (options, message) => {
    expect(() => gatehouse({ store, ...(options as object) } as never)).toThrow(TypeError);
    expect(() => gatehouse({ store, ...(options as object) } as never)).toThrow(message);
  });
});
