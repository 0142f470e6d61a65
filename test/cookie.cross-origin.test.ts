import request from 'supertest';
import { ALICE_PASSWORD } from './helpers/app';
import { isCrossOriginAllowed } from '../src/cross-origin';
import { COOKIE_SECRET, cookieApp, loginWithCookie, withCookie, loginWithBearer } from './helpers/cookie';

const policy = { trustedOrigins: new Set(['https://admin.example.org']), sessionCsrfToken: 'the-session-csrf-token' };
const base = { method: 'POST', secFetchSite: undefined, origin: undefined, host: 'api.example.org', csrfToken: undefined };

describe('cross-origin decision (pure)', () => {
  it.each([
    ['a safe method from anywhere', { method: 'GET', secFetchSite: 'cross-site' }, true],
    ['Sec-Fetch-Site: same-origin', { secFetchSite: 'same-origin' }, true],
    ['Sec-Fetch-Site: none (typed URL, bookmark)', { secFetchSite: 'none' }, true],
    ['Sec-Fetch-Site: same-site', { secFetchSite: 'same-site', origin: 'https://other.example.org' }, false],
    ['Sec-Fetch-Site: cross-site', { secFetchSite: 'cross-site', origin: 'https://evil.example' }, false],
    ['a trusted origin, even cross-site', { secFetchSite: 'cross-site', origin: 'https://admin.example.org' }, true],
    ['no Sec-Fetch-Site, Origin matching Host', { origin: 'https://api.example.org' }, true],
    ['no Sec-Fetch-Site, Origin of another host', { origin: 'https://evil.example' }, false],
    ['no Sec-Fetch-Site, a malformed Origin', { origin: 'null' }, false],
    ['neither header (not a browser)', {}, true],
    ['an empty Sec-Fetch-Site counts as absent: Origin decides', { secFetchSite: '', origin: 'https://evil.example' }, false],
    ['an empty Sec-Fetch-Site with a same-host Origin', { secFetchSite: '', origin: 'https://api.example.org' }, true],
    ['the session CSRF token, even cross-site', { secFetchSite: 'cross-site', csrfToken: 'the-session-csrf-token' }, true],
    ['a wrong CSRF token cross-site', { secFetchSite: 'cross-site', csrfToken: 'guess' }, false],
    ['DELETE cross-site', { method: 'DELETE', secFetchSite: 'cross-site' }, false],
  ])('%s → %s', (_name, request, allowed) => {
    expect(isCrossOriginAllowed({ ...base, ...request }, policy)).toBe(allowed);
  });
});

describe('cookie-authenticated unsafe requests', () => {
  it('a cross-site POST with the cookie is refused with 403.4; same-origin and the CSRF header pass', async () => {
    const t = await cookieApp({ cookie: { secret: COOKIE_SECRET, trustedOrigins: ['https://admin.example.org'] } });
    const { cookie, csrf } = await loginWithCookie(t);
    const post = () => withCookie(request(t.app).post('/v1/projects'), cookie);

    const crossSite = await post().set('Sec-Fetch-Site', 'cross-site').set('Origin', 'https://evil.example');
    expect(crossSite.status).toBe(403);
    expect(crossSite.body.code).toBe('403.4');
    expect((await post().set('Sec-Fetch-Site', 'same-origin')).status).toBe(200);
    expect((await post().set('Sec-Fetch-Site', 'cross-site').set('X-CSRF-Token', csrf)).status).toBe(200);
    expect((await post().set('Sec-Fetch-Site', 'cross-site').set('Origin', 'https://admin.example.org')).status).toBe(200);
    expect((await post().set('Origin', 'https://evil.example')).body.code).toBe('403.4');
    expect((await post().set('Host', 'api.example.org').set('Origin', 'https://api.example.org')).status).toBe(200);
  });

  it('bearer-authenticated requests are not subject to the check (no ambient credential)', async () => {
    const t = await cookieApp();
    const token = await loginWithBearer(t);
    const res = await request(t.app).post('/v1/projects').set('Authorization', `Bearer ${token}`).set('Sec-Fetch-Site', 'cross-site');
    expect(res.status).toBe(200);
  });
});

describe('login with session: true (login CSRF)', () => {
  const body = { login: 'alice@example.org', password: ALICE_PASSWORD, session: true };
  const login = (t: Awaited<ReturnType<typeof cookieApp>>) => request(t.app).post('/v1/sessions').set('X-Forwarded-Proto', 'https');

  it('should refuse a cookie login from another origin with 403.4 before the password is checked', async () => {
    const t = await cookieApp({ lockout: { maxAttempts: 1 } });
    const crossSite = await login(t).set('Sec-Fetch-Site', 'cross-site').set('Origin', 'https://evil.example').send({ ...body, password: 'wrong' });
    expect(crossSite.status).toBe(403);
    expect(crossSite.body.code).toBe('403.4');
    expect(crossSite.headers['set-cookie']).toBeUndefined();
    const sameSite = await login(t).set('Sec-Fetch-Site', 'same-site').send(body);
    expect(sameSite.body.code).toBe('403.4');
    const otherHost = await login(t).set('Origin', 'https://evil.example').send(body);
    expect(otherHost.body.code).toBe('403.4');
    // Not counted as a failed attempt (lockout after one failure would answer 403.2 here).
    expect((await login(t).set('Sec-Fetch-Site', 'same-origin').send(body)).status).toBe(200);
  });

  it('should accept a cookie login from the same origin, a trusted origin, or a non-browser client', async () => {
    const t = await cookieApp({ cookie: { secret: COOKIE_SECRET, trustedOrigins: ['https://admin.example.org'] } });
    expect((await login(t).set('Sec-Fetch-Site', 'same-origin').send(body)).status).toBe(200);
    expect((await login(t).set('Sec-Fetch-Site', 'cross-site').set('Origin', 'https://admin.example.org').send(body)).status).toBe(200);
    expect((await login(t).send(body)).status).toBe(200);
  });

  it('should not check the origin of a token-only login (no cookie is set, nothing ambient to abuse)', async () => {
    const t = await cookieApp();
    const res = await login(t).set('Sec-Fetch-Site', 'cross-site').set('Origin', 'https://evil.example').send({ ...body, session: false });
    expect(res.status).toBe(200);
    expect(res.body.token).toMatch(/^gths_/);
  });
});
