import { generateKeyPairSync } from 'node:crypto';
import request from 'supertest';
import { buildApp } from './helpers/app';
import { forge, JWT_OPTIONS, localClaims } from './helpers/jwt';
import { realNow } from './helpers/clock';

const NOW = realNow();
const now = Math.floor(NOW / 1000);

describe('JWT verification: what is refused and how', () => {
  const get = async (token: string, nowMs = NOW) => {
    const t = await buildApp({ jwt: JWT_OPTIONS, now: () => nowMs });
    return { t, res: await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${token}`) };
  };

  it('a well-formed local token authenticates, with authInfo { scheme: jwt, tokenKind: access, expiresAt }', async () => {
    const t = await buildApp({ jwt: JWT_OPTIONS, now: () => NOW });
    const res = await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${forge(localClaims(t.alice.id, now))}`);
    expect(res.status).toBe(200);
    expect(res.body.user.id).toBe(t.alice.id);
    expect(res.body.authInfo).toEqual({ scheme: 'jwt', tokenKind: 'access', expiresAt: new Date((now + 600) * 1000).toISOString() });
  });

  it("alg 'none' is refused", async () => {
    const t = await buildApp({ jwt: JWT_OPTIONS, now: () => NOW });
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const body = Buffer.from(JSON.stringify(localClaims(t.alice.id, now))).toString('base64url');
    const res = await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${header}.${body}.`);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('401.2');
  });

  it('HS/RS confusion: a token HMAC-signed with the public key of an RS256 configuration is refused', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const t = await buildApp({ jwt: { privateKey, issuer: JWT_OPTIONS.issuer }, now: () => NOW });
    const genuine = forge(localClaims(t.alice.id, now, { aud: undefined }), privateKey, 'RS256');
    expect((await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${genuine}`)).status).toBe(200);
    const confused = forge(localClaims(t.alice.id, now, { aud: undefined }), publicPem, 'HS256');
    const res = await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${confused}`);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('401.2');
  });

  it('a token signed with another key is refused', async () => {
    const { t, res } = await get(forge(localClaims('x', now), 'another-secret-that-is-32-bytes-long!!'));
    expect(t).toBeDefined();
    expect(res.body.code).toBe('401.2');
  });

  it('a token without exp is refused (jsonwebtoken alone would accept it)', async () => {
    const t = await buildApp({ jwt: JWT_OPTIONS, now: () => NOW });
    const { exp: _exp, ...noExp } = localClaims(t.alice.id, now);
    const res = await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${forge(noExp)}`);
    expect(res.body.code).toBe('401.2');
  });

  it('an expired token answers 401.4 (past the clock tolerance), so clients know to refresh', async () => {
    const t = await buildApp({ jwt: JWT_OPTIONS, now: () => NOW });
    const token = forge(localClaims(t.alice.id, now - 700)); // exp = now - 100
    const res = await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('401.4');
    expect(res.headers['www-authenticate']).toBe('Bearer realm="api", error="invalid_token"');
    const withinTolerance = forge(localClaims(t.alice.id, now - 603)); // exp = now - 3, tolerance 5 s
    expect((await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${withinTolerance}`)).status).toBe(200);
  });

  it('a token not valid yet (nbf) is refused', async () => {
    const t = await buildApp({ jwt: JWT_OPTIONS, now: () => NOW });
    const res = await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${forge(localClaims(t.alice.id, now, { nbf: now + 60 }))}`);
    expect(res.body.code).toBe('401.2');
  });

  it.each([
    ['a wrong issuer', { iss: 'https://evil.example' }],
    ['a wrong audience', { aud: 'other-api' }],
    ['token_type refresh', { token_type: 'refresh' }],
    ['no token_type', { token_type: undefined }],
    ['no jti', { jti: undefined }],
  ])('a token with %s is refused', async (_name, extra) => {
    const t = await buildApp({ jwt: JWT_OPTIONS, now: () => NOW });
    const res = await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${forge(localClaims(t.alice.id, now, extra))}`);
    expect(res.body.code).toBe('401.2');
  });

  it('never follows header key locations: an embedded jwk or a jku does not make a token valid', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const t = await buildApp({ jwt: JWT_OPTIONS, now: () => NOW });
    const token = forge(localClaims(t.alice.id, now), privateKey, 'RS256', {
      jwk: publicKey.export({ format: 'jwk' }),
      jku: 'http://127.0.0.1:1/keys',
    });
    expect((await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${token}`)).body.code).toBe('401.2');
  });

  it.each(['a.b.c', 'eyJhbGciOiJIUzI1NiJ9.e30.', `${'x'.repeat(3000)}.${'y'.repeat(3000)}.z`, 'eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.sig'])(
    'a malformed JWS (%#) is 401.2, never 500',
    async (token) => {
      const t = await buildApp({ jwt: JWT_OPTIONS, now: () => NOW });
      const res = await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${token}`);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('401.2');
    },
  );

  it('a removed user stops working at once (the actor is re-read per request)', async () => {
    const t = await buildApp({ jwt: JWT_OPTIONS, now: () => NOW });
    const token = forge(localClaims(t.bob.id, now));
    expect((await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${token}`)).status).toBe(200);
    await t.store.removeUser(t.bob.id);
    expect((await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${token}`)).body.code).toBe('401.2');
  });

  it('stateless mode takes the actor from the claims, without the store', async () => {
    const t = await buildApp({ jwt: { ...JWT_OPTIONS, stateless: true }, now: () => NOW });
    const login = await request(t.app).post('/v1/jwt/authenticate').send({ login: 'alice@example.org', password: 'correct horse battery' });
    await t.store.setRoles(t.alice.id, []);
    const res = await request(t.app).get('/v1/admin').set('Authorization', `Bearer ${login.body.access}`);
    expect(res.status).toBe(200);
    expect(res.body.user).toEqual({ id: t.alice.id, kind: 'user', roles: ['admin'] });
  });

  it('a bad JWT is final even with a valid API key in the query', async () => {
    const t = await buildApp({ jwt: JWT_OPTIONS, now: () => NOW });
    const res = await request(t.app).get('/v1/projects?apikey=myapikey1029384756').set('Authorization', `Bearer ${forge(localClaims('x', now), 'wrong-secret-wrong-secret-wrong-secret')}`);
    expect(res.body.code).toBe('401.2');
  });
});
