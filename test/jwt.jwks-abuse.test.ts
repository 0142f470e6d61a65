import { generateKeyPairSync, randomUUID } from 'node:crypto';
import request from 'supertest';
import type { Actor } from '../src';
import { buildApp } from './helpers/app';
import { JwksServer } from './helpers/jwks-server';
import { forge } from './helpers/jwt';
import { realNow } from './helpers/clock';

const NOW = realNow();
const now = Math.floor(NOW / 1000);
const ISSUER = 'https://idp.example.org/realms/main';
const actorFromClaims = (claims: Record<string, unknown>): Actor => ({ id: String(claims.sub), kind: 'user', roles: [] });
const claims = () => ({ sub: 'u-1', iss: ISSUER, aud: 'api', iat: now, exp: now + 300, jti: randomUUID() });

describe('JWKS: made-up kids and key headers cannot turn into outages or forgeries', () => {
  const jwks = new JwksServer();
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const es = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  beforeAll(async () => {
    await jwks.start();
    jwks.keys = [
      { kid: 'rsa-1', key: rsa.publicKey },
      { kid: 'es-1', key: es.publicKey },
    ];
  });
  afterAll(() => jwks.stop());
  const appFor = () =>
    buildApp({ now: () => NOW, jwt: { issuers: [{ issuer: ISSUER, jwksUri: jwks.url, audience: 'api', algorithms: ['RS256', 'ES256'], actorFromClaims }] } });
  const get = (t: Awaited<ReturnType<typeof appFor>>, token: string) => request(t.app).get('/v1/projects').set('Authorization', `Bearer ${token}`);

  it('RS256 and ES256 keys of one issuer both verify; the audience is checked', async () => {
    const t = await appFor();
    expect((await get(t, forge(claims(), rsa.privateKey, 'RS256', { kid: 'rsa-1' }))).status).toBe(200);
    expect((await get(t, forge(claims(), es.privateKey, 'ES256', { kid: 'es-1' }))).status).toBe(200);
    expect((await get(t, forge({ ...claims(), aud: 'other' }, es.privateKey, 'ES256', { kid: 'es-1' }))).body.code).toBe('401.2');
  });

  it('a flood of unknown kids is refused with 401.2 past the fetch rate limit, and known keys keep working', async () => {
    const t = await appFor();
    const good = forge(claims(), rsa.privateKey, 'RS256', { kid: 'rsa-1' });
    expect((await get(t, good)).status).toBe(200);
    const before = jwks.requests;
    for (let i = 0; i < 15; i += 1) {
      const res = await get(t, forge(claims(), rsa.privateKey, 'RS256', { kid: `made-up-${i}` }));
      expect([res.status, res.body.code]).toEqual([401, '401.2']);
    }
    // jwks-rsa refetches once per unknown kid, at most 10 times a minute.
    expect(jwks.requests - before).toBeLessThanOrEqual(10);
    expect((await get(t, good)).status).toBe(200);
  });

  it('a kid that is not a string is refused without fetching the key set', async () => {
    const t = await appFor();
    const before = jwks.requests;
    expect((await get(t, forge(claims(), rsa.privateKey, 'RS256', { kid: 42 }))).body.code).toBe('401.2');
    expect((await get(t, forge(claims(), rsa.privateKey, 'RS256', { kid: { $ne: '' } }))).body.code).toBe('401.2');
    expect(jwks.requests).toBe(before);
  });

  it('never follows jku, x5u or an embedded jwk: an attacker key named in the header does not verify', async () => {
    const t = await appFor();
    const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = { ...attacker.publicKey.export({ format: 'jwk' }), kid: 'rsa-1' };
    for (const header of [{ kid: 'rsa-1', jwk }, { kid: 'rsa-1', jku: `${jwks.url}?evil` }, { kid: 'rsa-1', x5u: 'https://evil.example/cert.pem' }]) {
      expect((await get(t, forge(claims(), attacker.privateKey, 'RS256', header))).body.code).toBe('401.2');
    }
  });

  it('an external issuer token never reaches the local key, and a local-looking token never reaches the JWKS', async () => {
    const secret = 'a-local-secret-of-at-least-32-bytes!!';
    const t = await buildApp({
      now: () => NOW,
      jwt: { secret, issuer: 'https://api.example.org', issuers: [{ issuer: ISSUER, jwksUri: jwks.url, algorithms: ['RS256'], actorFromClaims }] },
    });
    // HMAC-signed with the local secret but claiming the external issuer: verified against the JWKS, refused.
    expect((await get(t, forge({ ...claims(), token_type: 'access' }, secret, 'HS256'))).body.code).toBe('401.2');
    const before = jwks.requests;
    expect((await get(t, forge({ ...claims(), iss: 'https://api.example.org' }, rsa.privateKey, 'RS256', { kid: 'rsa-1' }))).body.code).toBe('401.2');
    expect(jwks.requests).toBe(before);
  });
});
