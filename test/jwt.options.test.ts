import { generateKeyPairSync } from 'node:crypto';
import { gatehouse, MemoryStore } from '../src';

const store = new MemoryStore({ passwordCost: 10 });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });

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
  ])('%j throws a TypeError naming the option', (jwt, message) => {
    expect(() => gatehouse({ store, jwt } as never)).toThrow(TypeError);
    expect(() => gatehouse({ store, jwt } as never)).toThrow(message);
  });

  it('accepts an HMAC secret, an RSA key pair and an EC key, deriving algorithms from the key', () => {
    expect(() => gatehouse({ store, jwt: { secret: 'x'.repeat(32) } })).not.toThrow();
    expect(() => gatehouse({ store, jwt: { privateKey: rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) } })).not.toThrow();
    expect(() => gatehouse({ store, jwt: { privateKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey } })).not.toThrow();
  });
});
