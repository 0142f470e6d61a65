import { generateKeyPairSync } from 'node:crypto';
import request from 'supertest';
import { buildApp } from './helpers/app';
import { JWT_OPTIONS } from './helpers/jwt';
import { realNow } from './helpers/clock';

const NOW = realNow();
const b64 = (text: string) => Buffer.from(text).toString('base64url');
const jws = (header: string, payload: string, signature = 'c2ln') => `${b64(header)}.${b64(payload)}.${signature}`;
const claims = JSON.stringify({ sub: 'x', exp: Math.floor(NOW / 1000) + 60, iss: 'https://idp.example.org' });

// Shaped like a JWS (three base64url segments) so detection hands every one to the JWT strategy.
const MALFORMED: Array<[string, string]> = [
  ['segments that are not base64 of anything', 'a.b.c'],
  ['a header that is not JSON', `${b64('{"alg":')}.${b64(claims)}.c2ln`],
  ['a header that is JSON null', jws('null', claims)],
  ['a header that is a number', jws('5', claims)],
  ['a header that is an array', jws('["HS256"]', claims)],
  ['an alg that is an object', jws('{"alg":{"name":"HS256"},"typ":"JWT"}', claims)],
  ['alg none with an empty signature', `${b64('{"alg":"none"}')}.${b64(claims)}.`],
  ['a payload that is not JSON', jws('{"alg":"HS256"}', '{"sub":')],
  ['a payload that is a string', jws('{"alg":"HS256"}', '"just a string"')],
  ['an iss that is an array', jws('{"alg":"RS256","kid":"k"}', JSON.stringify({ iss: ['https://idp.example.org'], exp: 1 }))],
  ['a kid that is an object', jws('{"alg":"RS256","kid":{"$ne":null}}', claims)],
  ['a kid that is a number', jws('{"alg":"RS256","kid":7}', claims)],
  ['a huge header', jws(JSON.stringify({ alg: 'HS256', pad: 'x'.repeat(7000) }), claims)],
  ['a huge kid', jws(JSON.stringify({ alg: 'RS256', kid: 'k'.repeat(5000) }), claims)],
  ['an empty signature', `${b64('{"alg":"HS256"}')}.${b64(claims)}.`],
];

describe('malformed JWTs are 401.2, never 500 or 503', () => {
  // External issuers are configured too, so the unverified-iss routing is exercised as well;
  // its key endpoint is unreachable, so reaching it would show up as 503.
  const appWith = () =>
    buildApp({
      now: () => NOW,
      jwt: {
        ...JWT_OPTIONS,
        issuers: [
          {
            issuer: 'https://idp.example.org',
            jwksUri: 'http://127.0.0.1:1/jwks.json',
            algorithms: ['RS256'],
            actorFromClaims: () => ({ id: 'x', kind: 'user', roles: [] }),
          },
        ],
      },
    });

  it.each(MALFORMED)('%s → 401.2 on an API route', async (_name, token) => {
    const t = await appWith();
    const res = await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('401.2');
    expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
    expect(JSON.stringify(res.body)).not.toContain(token.slice(0, 20));
  });

  it.each(MALFORMED)('%s → 401.2 at POST /jwt/verify (400.1 past 8192 characters)', async (_name, token) => {
    const t = await appWith();
    const res = await request(t.app).post('/v1/jwt/verify').send({ token });
    if (token.length > 8192) {
      expect(res.body).toMatchObject({ status: 400, code: '400.1', field: 'token' });
    } else {
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('401.2');
    }
  });

  it('a token for the external issuer with a made-up kid is refused without asking a dead key endpoint first', async () => {
    const t = await appWith();
    const token = jws('{"alg":"RS256","kid":""}', claims);
    expect((await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${token}`)).body.code).toBe('401.2');
  });

  it('an RS256-only configuration refuses every malformed token alike', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const t = await buildApp({ now: () => NOW, jwt: { privateKey } });
    for (const [, token] of MALFORMED) {
      const res = await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${token}`);
      expect([res.status, res.body.code]).toEqual([401, '401.2']);
    }
  });
});
