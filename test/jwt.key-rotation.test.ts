import { createHash, generateKeyPairSync } from 'node:crypto';
import request from 'supertest';
import { gatehouse, MemoryStore, type JwtKey } from '../src';
import { ALICE_PASSWORD, buildApp, type TestApp } from './helpers/app';
import { forge, JWT_OPTIONS, localClaims } from './helpers/jwt';

const OLD_SECRET = 'the-old-hmac-secret-of-32-bytes-or-more';
const NEW_SECRET = 'the-new-hmac-secret-of-32-bytes-or-more';
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ed = generateKeyPairSync('ed25519');
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });

const withKeys = (keys: JwtKey[]) => ({ keys, issuer: JWT_OPTIONS.issuer, audience: JWT_OPTIONS.audience });

async function login(t: TestApp) {
  const res = await request(t.app).post('/v1/jwt/authenticate').send({ login: 'alice@example.org', password: ALICE_PASSWORD });
  expect(res.status).toBe(200);
  return res.body as { access: string; refresh: string };
}

function header(token: string): { kid?: string; alg: string } {
  return JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString());
}

async function use(t: TestApp, access: string) {
  return request(t.app).get('/v1/projects').set('Authorization', `Bearer ${access}`);
}

describe.each([
  ['HMAC', { kid: 'hs-1', secret: OLD_SECRET }, { kid: 'hs-2', secret: NEW_SECRET, alg: 'HS512' }, { kid: 'hs-1', secret: OLD_SECRET }, 'HS256', 'HS512'],
  ['ES256 to RS256', { kid: 'ec-1', privateKey: ec.privateKey }, { kid: 'rs-2', privateKey: rsa.privateKey }, { kid: 'ec-1', publicKey: ec.publicKey }, 'ES256', 'RS256'],
] as [string, JwtKey, JwtKey, JwtKey, string, string][])('signing-key rotation with %s keys', (_name, oldKey, newKey, oldKeyVerifyOnly, oldAlg, newAlg) => {
  it('a token signed before the rotation works after it, until its key is removed; new tokens carry the new kid', async () => {
    const store = new MemoryStore({ passwordCost: 10 });
    const before = await buildApp({ jwt: withKeys([oldKey]) }, store);
    const issuedBefore = await login(before);
    expect(header(issuedBefore.access)).toMatchObject({ kid: oldKey.kid, alg: oldAlg });
    expect((await use(before, issuedBefore.access)).status).toBe(200);

    // Rotation: the new key signs, the old one (its public half is enough) still verifies.
    const during = await buildApp({ jwt: withKeys([newKey, oldKeyVerifyOnly]) }, store);
    const stillValid = await use(during, issuedBefore.access);
    expect(stillValid.status).toBe(200);
    expect(stillValid.body.user.id).toBe(before.alice.id);
    const issuedDuring = await login(during);
    expect(header(issuedDuring.access)).toMatchObject({ kid: newKey.kid, alg: newAlg });
    expect((await use(during, issuedDuring.access)).status).toBe(200);

    // A refresh token from before the rotation still refreshes, into a token signed with the new key.
    const refreshed = await request(during.app).post('/v1/jwt/refresh').send({ refresh: issuedBefore.refresh });
    expect(refreshed.status).toBe(200);
    expect(header(refreshed.body.access).kid).toBe(newKey.kid);
    expect((await use(during, refreshed.body.access)).status).toBe(200);

    // The old key is removed: its tokens end, the new key's tokens go on.
    const after = await buildApp({ jwt: withKeys([newKey]) }, store);
    const refused = await use(after, issuedBefore.access);
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('401.2');
    expect(refused.headers['www-authenticate']).toMatch(/error="invalid_token"/);
    expect((await use(after, issuedDuring.access)).status).toBe(200);
    expect((await use(after, refreshed.body.access)).status).toBe(200);
  });
});

describe('the key is chosen by kid, never by trying every key', () => {
  const keys: JwtKey[] = [{ kid: 'hs-2', secret: NEW_SECRET }, { kid: 'hs-1', secret: OLD_SECRET }, { kid: 'ec-1', publicKey: ec.publicKey }];
  const now = () => Math.floor(Date.now() / 1000);

  it.each([
    ['no kid', (sub: string) => forge(localClaims(sub, now()), NEW_SECRET)],
    ['an unknown kid', (sub: string) => forge(localClaims(sub, now()), NEW_SECRET, 'HS256', { kid: 'hs-3' })],
    ['a kid that is not a string', (sub: string) => forge(localClaims(sub, now()), NEW_SECRET, 'HS256', { kid: 7 })],
    ['the kid of another listed key', (sub: string) => forge(localClaims(sub, now()), OLD_SECRET, 'HS256', { kid: 'hs-2' })],
    ['an HMAC signature under an EC key\'s kid', (sub: string) => forge(localClaims(sub, now()), NEW_SECRET, 'HS256', { kid: 'ec-1' })],
  ])('a token with %s → 401.2', async (_case, make) => {
    const t = await buildApp({ jwt: withKeys(keys) });
    const res = await use(t, make(t.alice.id));
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('401.2');
  });

  it('a token naming its key, signed with it, is accepted (the control for the cases above)', async () => {
    const t = await buildApp({ jwt: withKeys(keys) });
    expect((await use(t, forge(localClaims(t.alice.id, now()), OLD_SECRET, 'HS256', { kid: 'hs-1' }))).status).toBe(200);
    expect((await use(t, forge(localClaims(t.alice.id, now()), ec.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, 'ES256', { kid: 'ec-1' }))).status).toBe(200);
  });

  it('POST /jwt/verify picks the key the same way', async () => {
    const t = await buildApp({ jwt: withKeys(keys) });
    const good = forge(localClaims(t.alice.id, now()), OLD_SECRET, 'HS256', { kid: 'hs-1' });
    expect((await request(t.app).post('/v1/jwt/verify').send({ token: good })).body.valid).toBe(true);
    const swapped = forge(localClaims(t.alice.id, now()), OLD_SECRET, 'HS256', { kid: 'hs-2' });
    expect((await request(t.app).post('/v1/jwt/verify').send({ token: swapped })).body.code).toBe('401.2');
  });
});

describe('jwt.keys is validated at construction', () => {
  const store = new MemoryStore();
  const rsaShort = generateKeyPairSync('rsa', { modulusLength: 1024 });
  it.each([
    [[], /jwt\.keys must be a non-empty array/],
    [[{ kid: 'a', secret: OLD_SECRET }, { kid: 'a', secret: NEW_SECRET }], /jwt\.keys\[1\]\.kid 'a' is already used by jwt\.keys\[0\]/],
    [[{ kid: 'pub', publicKey: ec.publicKey }, { kid: 'b', privateKey: rsa.privateKey }], /jwt\.keys\[0\] signs new tokens, so it needs a secret or a privateKey/],
    [[{ kid: 'pss', privateKey: generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).privateKey }], /jwt\.keys\[0\]\.privateKey cannot sign PS256 tokens: .*RSA-PSS parameters/],
    [[{ kid: 'ed', privateKey: ed.privateKey }], /jwt\.keys\[0\]\.publicKey: unsupported key type; use RSA or EC/],
    [[{ kid: 'a', secret: OLD_SECRET }, { kid: 'b', secret: 'short' }], /jwt\.keys\[1\]\.secret must be at least 32 bytes/],
    [[{ kid: 'a', secret: OLD_SECRET, privateKey: ec.privateKey }], /jwt\.keys\[0\]: secret cannot be combined with privateKey/],
    [[{ kid: 'a', secret: OLD_SECRET, alg: 'RS256' }], /jwt\.keys\[0\]\.alg: 'RS256' does not fit the key/],
    [[{ kid: 'a', privateKey: ec.privateKey, alg: 'HS256' }], /jwt\.keys\[0\]\.alg: 'HS256' does not fit the key/],
    [[{ kid: 'a', secret: OLD_SECRET, alg: 'none' }], /jwt\.keys\[0\]\.alg may not include 'none'/],
    [[{ kid: 'a', secret: ec.publicKey }], /jwt\.keys\[0\]\.secret must be an HMAC secret/],
    [[{ kid: 'a', privateKey: ec.privateKey, publicKey: rsa.publicKey }], /jwt\.keys\[0\]\.publicKey does not belong to jwt\.keys\[0\]\.privateKey/],
    [[{ kid: 'a', privateKey: rsaShort.privateKey }], /jwt\.keys\[0\]\.privateKey\/publicKey: RSA keys must have at least 2048 bits/],
    [[{ kid: '', secret: OLD_SECRET }], /jwt\.keys\[0\]\.kid must be a non-empty string/],
    [[{ secret: OLD_SECRET }], /jwt\.keys\[0\]\.kid must be a non-empty string/],
    [[{ kid: 'a' }], /jwt\.keys\[0\] needs a secret \(HMAC\) or a privateKey\/publicKey/],
    [[{ kid: 'a', secret: OLD_SECRET, signing: true }], /jwt\.keys\[0\]\.signing is not an option/],
  ])('keys %#: throws a TypeError naming the key', (keys, message) => {
    expect(() => gatehouse({ store, jwt: { keys } } as never)).toThrow(TypeError);
    expect(() => gatehouse({ store, jwt: { keys } } as never)).toThrow(message);
  });

  it('keys cannot be combined with the single-key options', () => {
    expect(() => gatehouse({ store, jwt: { keys: [{ kid: 'a', secret: OLD_SECRET }], secret: NEW_SECRET } })).toThrow(/jwt\.keys replaces secret/);
    expect(() => gatehouse({ store, jwt: { keys: [{ kid: 'a', secret: OLD_SECRET }], algorithms: ['HS256'] } })).toThrow(/jwt\.keys replaces algorithms/);
  });
});

describe('the single-key options work as before', () => {
  it('a secret signs tokens without a kid, and they verify', async () => {
    const t = await buildApp({ jwt: JWT_OPTIONS });
    const { access } = await login(t);
    expect(header(access)).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect((await use(t, access)).status).toBe(200);
  });

  it('a single privateKey names its key by its RFC 7638 thumbprint; tokens without a kid still verify', async () => {
    const t = await buildApp({ jwt: { privateKey: ec.privateKey, issuer: JWT_OPTIONS.issuer, audience: JWT_OPTIONS.audience } });
    const { access } = await login(t);
    const { crv, x, y } = ec.publicKey.export({ format: 'jwk' });
    // RFC 7638 §3: SHA-256 of the required members, in lexicographic order, without whitespace.
    const thumbprint = createHash('sha256').update(JSON.stringify({ crv, kty: 'EC', x, y })).digest('base64url');
    expect(header(access)).toEqual({ alg: 'ES256', typ: 'JWT', kid: thumbprint });
    expect((await use(t, access)).status).toBe(200);
    const pem = ec.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    expect((await use(t, forge(localClaims(t.alice.id, Math.floor(Date.now() / 1000)), pem, 'ES256'))).status).toBe(200);
  });
});
