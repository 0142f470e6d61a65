import { generateKeyPairSync } from 'node:crypto';
import request from 'supertest';
import { gatehouse, MemoryStore } from '../src';
import { buildApp } from './helpers/app';
import { forge, JWT_OPTIONS, localClaims } from './helpers/jwt';

const store = new MemoryStore({ passwordCost: 10 });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const idp = { issuer: 'https://idp', jwksUri: 'https://idp/jwks', algorithms: ['RS256' as const], actorFromClaims: () => null };

describe('jwt options are validated at construction', () => {
  it.each([
    [{ secret: 'short' }, /jwt.secret must be at least 32 bytes/],
    [{}, /jwt.needs a secret, a privateKey\/publicKey or issuers/],
    [{ secret: 'x'.repeat(32), algorithms: ['none'] }, /may not include 'none'/],
    [{ secret: 'x'.repeat(32), algorithms: ['RS256'] }, /'RS256' does not fit the key/],
    [{ privateKey: rsa.privateKey, algorithms: ['HS256'] }, /'HS256' does not fit the key/],
    [{ secret: 'x'.repeat(32), privateKey: rsa.privateKey }, /cannot be combined/],
    [{ publicKey: 'not a pem' }, /publicKey could not be read/],
    [{ secret: 'x'.repeat(32), accessTtl: 5 }, /accessTtl must be a whole number of milliseconds/],
    [{ secret: 'x'.repeat(32), clockTolerance: -1 }, /clockTolerance/],
    [{ secret: 'x'.repeat(32), lifetime: 5 }, /lifetime is not an option/],
    [{ issuers: [{ issuer: 'https://idp', jwksUri: 'http://idp.example/jwks', algorithms: ['RS256'], actorFromClaims: () => null }] }, /must use https/],
    [{ issuers: [{ issuer: 'https://idp', jwksUri: 'https://idp/jwks', algorithms: ['HS256'], actorFromClaims: () => null }] }, /'HS256' does not fit/],
    [{ issuers: [{ issuer: 'https://idp', jwksUri: 'https://idp/jwks', algorithms: ['RS256'] }] }, /actorFromClaims must be a function/],
    [{ issuers: { issuer: 'https://idp' } }, /jwt.issuers must be an array/],
    [{ issuers: [idp, idp] }, /lists the same issuer twice/],
    [{ privateKey: generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey }, /RSA keys must have at least 2048 bits/],
    [{ privateKey: rsa.privateKey, publicKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey }, /publicKey does not belong to privateKey/],
    [{ secret: 'x'.repeat(32), stateless: 'yes' }, /stateless must be true or false/],
    [{ secret: 'x'.repeat(32), audience: [] }, /audience must be a non-empty string/],
  ])('%j throws a TypeError naming the option', (jwt, message) => {
    expect(() => gatehouse({ store, jwt } as never)).toThrow(TypeError);
    expect(() => gatehouse({ store, jwt } as never)).toThrow(message);
  });

  it('accepts an HMAC secret, an RSA key pair and an EC key, deriving algorithms from the key', () => {
    expect(() => gatehouse({ store, jwt: { secret: 'x'.repeat(32) } })).not.toThrow();
    expect(() => gatehouse({ store, jwt: { privateKey: rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) } })).not.toThrow();
    expect(() => gatehouse({ store, jwt: { privateKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey } })).not.toThrow();
  });

  it('names the store methods JWT needs: revocations always, token records for local issuing', () => {
    const { saveRevocation: _s, findRevocations: _f, ...withoutRevocations } = bindAll(new MemoryStore({ passwordCost: 10 }));
    expect(() => gatehouse({ store: withoutRevocations, jwt: { secret: 'x'.repeat(32) } })).toThrow(
      /jwt needs a store with saveRevocation\(\), findRevocations\(\).*combineStores/,
    );
    const { markTokenUsed: _m, ...withoutMark } = bindAll(new MemoryStore({ passwordCost: 10 }));
    expect(() => gatehouse({ store: withoutMark, jwt: { secret: 'x'.repeat(32) } })).toThrow(/jwt needs a store with markTokenUsed\(\)/);
    // External issuers only: no refresh tokens, no actor look-ups.
    expect(() => gatehouse({ store: withoutMark, jwt: { issuers: [idp] } })).not.toThrow();
  });

  it('the scheme is off with jwt: false: a JWS-shaped bearer token is 401.2, and there are no /jwt endpoints', async () => {
    const t = await buildApp({ jwt: false });
    const token = forge(localClaims(t.alice.id, Math.floor(Date.now() / 1000)));
    expect((await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${token}`)).body.code).toBe('401.2');
    expect((await request(t.app).post('/v1/jwt/authenticate').send({ login: 'alice@example.org', password: 'x' })).status).toBe(404);
  });

  it('with jwt on and sessionToken off, bearer JWTs still work', async () => {
    const t = await buildApp({ jwt: JWT_OPTIONS, sessionToken: false });
    const token = forge(localClaims(t.alice.id, Math.floor(Date.now() / 1000)));
    expect((await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${token}`)).status).toBe(200);
  });
});

/** The store's methods as own properties, so some can be left out of a copy. */
function bindAll(target: MemoryStore): Record<string, unknown> {
  const methods: Record<string, unknown> = {};
  for (const name of Object.getOwnPropertyNames(MemoryStore.prototype)) {
    const value = (target as unknown as Record<string, unknown>)[name];
    if (name !== 'constructor' && typeof value === 'function') methods[name] = value.bind(target);
  }
  return methods;
}
