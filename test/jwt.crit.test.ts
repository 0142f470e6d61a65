import { createHmac } from 'node:crypto';
import request from 'supertest';
import { buildApp } from './helpers/app';
import { forge, JWT_OPTIONS, localClaims } from './helpers/jwt';
import { useExternalIssuer } from './helpers/jwks-server';
import { realNow } from './helpers/clock';

const NOW = realNow();
const NOW_SECONDS = Math.floor(NOW / 1000);

// RFC 7515 §4.1.11: a recipient must reject a JWS whose `crit` lists an extension it does not
// understand, and `crit` must be a non-empty array of names that are not registered header
// parameters. Gatehouse understands no extension, so every token carrying `crit` is refused.
const CRIT_HEADERS: Array<[string, unknown]> = [
  ['an extension the verifier does not understand', ['exp-ext']],
  ['an understood-looking extension (b64, RFC 7797)', ['b64']],
  ['an empty array', []],
  ['a string instead of an array', 'exp-ext'],
  ['a registered header name (alg)', ['alg']],
  ['null', null],
  ['an object', { 'exp-ext': true }],
];

describe('JWT crit header', () => {
  it.each(CRIT_HEADERS)('a correctly signed token whose crit is %s is refused with 401.2', async (_case, crit) => {
    const t = await buildApp({ now: () => NOW, jwt: JWT_OPTIONS });
    const token = forge(localClaims(t.alice.id, NOW_SECONDS), undefined, 'HS256', { crit, 'exp-ext': 1, b64: true });
    const res = await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('401.2');
    expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
    expect(res.text).not.toContain(token);
  });

  it('is refused on every request: the verified-token cache never takes it in', async () => {
    const t = await buildApp({ now: () => NOW, jwt: JWT_OPTIONS });
    const good = forge(localClaims(t.alice.id, NOW_SECONDS));
    const crit = forge(localClaims(t.alice.id, NOW_SECONDS), undefined, 'HS256', { crit: ['exp-ext'], 'exp-ext': 1 });
    for (let i = 0; i < 3; i += 1) {
      expect((await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${crit}`)).status).toBe(401);
      expect((await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${good}`)).status).toBe(200);
    }
  });

  it('a crit name written with a JSON escape is still seen', async () => {
    const t = await buildApp({ now: () => NOW, jwt: JWT_OPTIONS });
    const signed = forge(localClaims(t.alice.id, NOW_SECONDS), undefined, 'HS256', { crit: ['exp-ext'], 'exp-ext': 1 });
    // Re-sign a header whose member name is spelled "cr\u0069t".
    const [, payload] = signed.split('.');
    const header = Buffer.from('{"alg":"HS256","typ":"JWT","cr\\u0069t":["exp-ext"],"exp-ext":1}').toString('base64url');
    const signature = createHmac('sha256', JWT_OPTIONS.secret).update(`${header}.${payload}`).digest('base64url');
    const res = await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${header}.${payload}.${signature}`);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('401.2');
  });

  it('POST /jwt/verify says it is not valid', async () => {
    const t = await buildApp({ now: () => NOW, jwt: JWT_OPTIONS });
    const crit = forge(localClaims(t.alice.id, NOW_SECONDS), undefined, 'HS256', { crit: ['exp-ext'], 'exp-ext': 1 });
    const res = await request(t.app).post('/v1/jwt/verify').send({ token: crit });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('401.2');
  });

  it('the same token without crit is accepted (the refusal is the header, not the claims)', async () => {
    const t = await buildApp({ now: () => NOW, jwt: JWT_OPTIONS });
    const token = forge(localClaims(t.alice.id, NOW_SECONDS), undefined, 'HS256', { 'exp-ext': 1 });
    const res = await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(res.body.authInfo.scheme).toBe('jwt');
  });
});

describe('JWT crit header from an external issuer', () => {
  const ISSUER = 'https://idp.example.org';
  const external = useExternalIssuer(ISSUER);

  it('is refused with 401.2 before the key set is asked for; the same token without crit is accepted', async () => {
    const t = await buildApp({ now: () => NOW, jwt: { issuers: [external.entry()] } });
    const claims = { sub: 'idp-user', iss: ISSUER, iat: NOW_SECONDS, exp: NOW_SECONDS + 600 };
    const crit = external.sign(claims, { crit: ['exp-ext'], 'exp-ext': 1 });
    const refused = await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${crit}`);
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('401.2');
    expect(external.jwks.requests).toBe(0);
    const plain = external.sign(claims);
    const accepted = await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${plain}`);
    expect(accepted.status).toBe(200);
  });
});
