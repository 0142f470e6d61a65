/**
 * credential.refused: every credential `authenticate()` refuses is reported once, with the
 * scheme that refused it and the problem code answered; anonymous and accepted requests
 * report nothing.
 */
import request from 'supertest';
import { ALICE_PASSWORD, CONFIG_API_KEY } from './helpers/app';
import { eventApp } from './helpers/events';
import { forge, localClaims } from './helpers/jwt';

const CLIENT = '203.0.113.9';
const basic = (login: string, password: string) => `Basic ${Buffer.from(`${login}:${password}`, 'utf8').toString('base64')}`;

describe('credential.refused events', () => {
  it('should report each refused credential with its scheme and code, once', async () => {
    const t = await eventApp();
    const { token: session } = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'session', ttl: 1000 });
    const { token: device } = await t.auth.tokens.issue({ actorId: t.device.id, kind: 'appUser' });
    const forged = forge(localClaims(t.alice.id, Math.floor(t.clock.now() / 1000)), 'another-secret-that-is-32-bytes-long!!');
    const get = (path: string) => request(t.app).get(path).set('X-Forwarded-For', CLIENT);
    const cases: Array<[request.Test, string | null, string]> = [
      [get(`/v1/key/${device.slice(0, -4)}AAAA/forms`), 'appUserUrl', '401.2'],
      [get('/v1/projects').set('Authorization', `Bearer ${forged}`), 'jwt', '401.2'],
      [get('/v1/projects').set('Authorization', 'ApiKey wrong-key-1234567890'), 'apiKey', '401.2'],
      [get('/v1/projects?apikey=wrong-key-1234567890'), 'apiKey', '401.2'],
      [get('/v1/projects').set('Authorization', basic('alice@example.org', 'whatever')), 'basic', '401.3'],
      [get('/v1/projects').set('X-Forwarded-Proto', 'https').set('Cookie', '__Host-gatehouse=s%3Anope.nope'), 'cookie', '401.2'],
      [get('/v1/projects').set('Authorization', 'Digest username="alice"'), null, '401.2'],
    ];
    for (const [test, scheme, code] of cases) {
      const before = t.events.length;
      expect((await test).body.code).toBe(code);
      expect(t.events.slice(before)).toEqual([{ type: 'credential.refused', time: expect.any(Date), scheme, actorId: null, ip: CLIENT, code }]);
    }
    t.clock.advance(2000);
    expect((await get('/v1/projects').set('Authorization', `Bearer ${session}`)).body.code).toBe('401.4');
    expect(t.events.at(-1)).toMatchObject({ type: 'credential.refused', scheme: 'sessionToken', code: '401.4' });
  });

  it('should report 400.2 without a scheme when more than one credential is refused as ambiguous', async () => {
    const t = await eventApp({ multipleCredentials: 'reject' });
    const res = await request(t.app).get(`/v1/projects?apikey=${CONFIG_API_KEY}`).set('Authorization', `ApiKey ${CONFIG_API_KEY}`);
    expect(res.body.code).toBe('400.2');
    expect(t.ofType('credential.refused')).toEqual([expect.objectContaining({ scheme: null, code: '400.2' })]);
  });

  it('should report a credential a logout endpoint refuses', async () => {
    const t = await eventApp();
    await request(t.app).delete('/v1/sessions/current').set('Authorization', 'Bearer gths_not-a-token');
    expect(t.ofType('credential.refused')).toEqual([expect.objectContaining({ code: '401.2' })]);
  });

  it('should report a refresh token or JWT refused at /jwt/refresh and /jwt/verify, and not a malformed body', async () => {
    const t = await eventApp();
    const pair = await request(t.app).post('/v1/jwt/authenticate').send({ login: 'alice@example.org', password: ALICE_PASSWORD });
    expect((await request(t.app).post('/v1/jwt/refresh').send({ refresh: pair.body.refresh })).status).toBe(200);
    t.events.length = 0;
    const reuse = await request(t.app).post('/v1/jwt/refresh').set('X-Forwarded-For', CLIENT).send({ refresh: pair.body.refresh });
    expect(reuse.body.code).toBe('401.2');
    const forged = forge(localClaims(t.alice.id, Math.floor(t.clock.now() / 1000)), 'another-secret-that-is-32-bytes-long!!');
    expect((await request(t.app).post('/v1/jwt/verify').set('X-Forwarded-For', CLIENT).send({ token: forged })).body.code).toBe('401.2');
    expect((await request(t.app).post('/v1/jwt/refresh').send({})).body.code).toBe('400.1');
    expect(t.ofType('credential.refused')).toEqual([
      { type: 'credential.refused', time: expect.any(Date), scheme: 'jwt', actorId: null, ip: CLIENT, code: '401.2' },
      { type: 'credential.refused', time: expect.any(Date), scheme: 'jwt', actorId: null, ip: CLIENT, code: '401.2' },
    ]);
  });

  it('should report nothing for anonymous requests and accepted credentials', async () => {
    const t = await eventApp();
    const { token } = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'session' });
    t.events.length = 0;
    expect((await request(t.app).get('/v1/public')).status).toBe(200);
    expect((await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${token}`)).status).toBe(200);
    expect((await request(t.app).get('/v1/projects').set('Authorization', `ApiKey ${CONFIG_API_KEY}`)).status).toBe(200);
    expect(t.events).toEqual([]);
  });
});
