import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import request from 'supertest';
import { gatehouse, MemoryStore, type JwtKey } from '../src';
import { ALICE_PASSWORD, buildApp, type TestApp } from './helpers/app';
import { runEsmHelper } from './helpers/esm';
import { JWT_OPTIONS } from './helpers/jwt';

const HMAC_SECRET = 'an-hmac-secret-that-must-never-be-published';
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const JWKS = '/v1/.well-known/jwks.json';
/** Every member a public JWK from Gatehouse may have; private (`d`, `p`, `q`, `dp`, `dq`, `qi`, `oth`) and secret (`k`) ones are not among them. */
const PUBLIC_MEMBERS = new Set(['kty', 'kid', 'alg', 'use', 'n', 'e', 'crv', 'x', 'y']);

const withKeys = (keys: JwtKey[]) => ({ keys, issuer: JWT_OPTIONS.issuer, audience: JWT_OPTIONS.audience });

async function login(t: TestApp): Promise<string> {
  const res = await request(t.app).post('/v1/jwt/authenticate').send({ login: 'alice@example.org', password: ALICE_PASSWORD });
  expect(res.status).toBe(200);
  return res.body.access;
}

describe('GET /.well-known/jwks.json', () => {
  it('publishes the public asymmetric keys with kid, alg and use, cacheable for 5 minutes', async () => {
    const t = await buildApp({ jwt: withKeys([{ kid: 'rs-2', privateKey: rsa.privateKey }, { kid: 'ec-1', privateKey: ec.privateKey }, { kid: 'hs-0', secret: HMAC_SECRET }]) });
    const res = await request(t.app).get(JWKS);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    const { n, e } = rsa.publicKey.export({ format: 'jwk' });
    const { crv, x, y } = ec.publicKey.export({ format: 'jwk' });
    expect(res.body).toEqual({
      keys: [
        { kty: 'RSA', kid: 'rs-2', alg: 'RS256', use: 'sig', n, e },
        { kty: 'EC', kid: 'ec-1', alg: 'ES256', use: 'sig', crv, x, y },
      ],
    });
  });

  it('never publishes a private member or an HMAC secret', async () => {
    const t = await buildApp({ jwt: withKeys([{ kid: 'rs-2', privateKey: rsa.privateKey }, { kid: 'ec-1', privateKey: ec.privateKey }, { kid: 'hs-0', secret: HMAC_SECRET }]) });
    const res = await request(t.app).get(JWKS);
    for (const key of res.body.keys) expect(Object.keys(key).filter((member) => !PUBLIC_MEMBERS.has(member))).toEqual([]);
    const privateValues = [rsa.privateKey, ec.privateKey].flatMap((key) => {
      const { d, p, q, dp, dq, qi } = key.export({ format: 'jwk' });
      return [d, p, q, dp, dq, qi].filter((value): value is string => typeof value === 'string');
    });
    expect(privateValues.length).toBe(7);
    for (const value of [...privateValues, HMAC_SECRET, Buffer.from(HMAC_SECRET).toString('base64url')]) expect(res.text).not.toContain(value);
    expect(res.text).not.toContain('hs-0');
  });

  it('publishes a single jwt.privateKey under its thumbprint kid, the kid its tokens carry', async () => {
    const t = await buildApp({ jwt: { privateKey: ec.privateKey, issuer: JWT_OPTIONS.issuer } });
    const res = await request(t.app).get(JWKS);
    expect(res.status).toBe(200);
    const access = await login(t);
    const { kid } = JSON.parse(Buffer.from(access.split('.')[0], 'base64url').toString());
    expect(res.body.keys).toEqual([expect.objectContaining({ kty: 'EC', kid, alg: 'ES256', use: 'sig' })]);
  });

  it('an RSA-PSS-only key signs and verifies, but is left out of the set (Node cannot write it as a JWK)', async () => {
    const pss = generateKeyPairSync('rsa-pss', { modulusLength: 2048, hashAlgorithm: 'sha256', mgf1HashAlgorithm: 'sha256' });
    const t = await buildApp({ jwt: withKeys([{ kid: 'pss-2', privateKey: pss.privateKey, publicKey: pss.publicKey }, { kid: 'ec-1', privateKey: ec.privateKey }]) });
    const access = await login(t);
    expect(JSON.parse(Buffer.from(access.split('.')[0], 'base64url').toString())).toMatchObject({ kid: 'pss-2', alg: 'PS256' });
    expect((await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${access}`)).status).toBe(200);
    expect((await request(t.app).get(JWKS)).body.keys.map((key: { kid: string }) => key.kid)).toEqual(['ec-1']);
  });

  it('answers HEAD with the same headers and no body', async () => {
    const t = await buildApp({ jwt: withKeys([{ kid: 'ec-1', privateKey: ec.privateKey }]) });
    const res = await request(t.app).head(JWKS);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    expect(res.text).toBeUndefined();
  });

  it.each([
    ['HMAC keys only', { jwt: withKeys([{ kid: 'hs-0', secret: HMAC_SECRET }]) }],
    ['a single secret', { jwt: JWT_OPTIONS }],
    ['JWT turned off', { jwt: false as const }],
  ])('is not served with %s (404 from the app, not from Gatehouse)', async (_case, options) => {
    const t = await buildApp(options);
    const res = await request(t.app).get(JWKS);
    expect(res.status).toBe(404);
    expect(res.headers['cache-control']).toBeUndefined();
  });

  it('lives where routes({ paths: { jwks } }) puts it', async () => {
    const auth = gatehouse({ store: new MemoryStore(), jwt: withKeys([{ kid: 'ec-1', privateKey: ec.privateKey }]) });
    const app = express();
    app.use('/v1', auth.routes({ paths: { jwks: '/auth/keys.json' } }));
    const res = await request(app).get('/v1/auth/keys.json');
    expect(res.status).toBe(200);
    expect(res.body.keys[0].kid).toBe('ec-1');
    expect((await request(app).get(JWKS)).status).toBe(404);
  });

  it.each(['well-known/jwks.json', '/a/../jwks.json', '/jwks.json/', '//jwks.json', 5])('routes({ paths: { jwks: %j } }) throws a TypeError naming paths.jwks', (jwks) => {
    const auth = gatehouse({ store: new MemoryStore(), jwt: withKeys([{ kid: 'ec-1', privateKey: ec.privateKey }]) });
    expect(() => auth.routes({ paths: { jwks } as never })).toThrow(TypeError);
    expect(() => auth.routes({ paths: { jwks } as never })).toThrow(/paths\.jwks must be a path/);
  });
});

describe('another service verifies Gatehouse tokens with jose createRemoteJWKSet', () => {
  let current: TestApp;
  let server: http.Server;
  let url: string;

  beforeAll(async () => {
    server = http.createServer((req, res) => current.app(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${JWKS}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const verify = (tokens: string[]) =>
    runEsmHelper<Array<{ valid: boolean; kid?: string; alg?: string; sub?: string; code?: string }>>('jose-verify.mjs', {
      url,
      issuer: JWT_OPTIONS.issuer,
      audience: JWT_OPTIONS.audience,
      tokens,
    });

  it('before a rotation, during it (old and new key), and after the old key is removed', async () => {
    const store = new MemoryStore({ passwordCost: 10 });
    current = await buildApp({ jwt: withKeys([{ kid: 'ec-1', privateKey: ec.privateKey }]) }, store);
    const oldToken = await login(current);
    expect(await verify([oldToken])).toEqual([{ valid: true, kid: 'ec-1', alg: 'ES256', sub: current.alice.id }]);

    current = await buildApp({ jwt: withKeys([{ kid: 'rs-2', privateKey: rsa.privateKey }, { kid: 'ec-1', publicKey: ec.publicKey }]) }, store);
    const newToken = await login(current);
    expect(await verify([oldToken, newToken])).toEqual([
      { valid: true, kid: 'ec-1', alg: 'ES256', sub: current.alice.id },
      { valid: true, kid: 'rs-2', alg: 'RS256', sub: current.alice.id },
    ]);

    current = await buildApp({ jwt: withKeys([{ kid: 'rs-2', privateKey: rsa.privateKey }]) }, store);
    expect(await verify([oldToken, newToken])).toEqual([
      { valid: false, code: 'ERR_JWKS_NO_MATCHING_KEY' },
      { valid: true, kid: 'rs-2', alg: 'RS256', sub: current.alice.id },
    ]);
  });

  it('a token forged with a key that is not published is refused by jose too', async () => {
    current = await buildApp({ jwt: withKeys([{ kid: 'ec-1', privateKey: ec.privateKey }]) });
    const other = await buildApp({ jwt: withKeys([{ kid: 'ec-1', privateKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey }]) }, current.store);
    const forged = await login(other);
    expect(await verify([forged])).toEqual([{ valid: false, code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' }]);
  });
});
