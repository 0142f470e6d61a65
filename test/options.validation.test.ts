import { gatehouse, MemoryStore } from '../src';

const store = new MemoryStore({ passwordCost: 10 });

describe('gatehouse(options) validates at construction', () => {
  it.each([
    [{}, /store is required/],
    [{ store, precedence: ['bearer', 'oauth'] }, /precedence: unknown scheme "oauth"/],
    [{ store, precedence: ['bearer', 'bearer'] }, /lists 'bearer' twice/],
    [{ store, precedence: 'bearer' }, /precedence must be an array/],
    [{ store, multipleCredentials: 'all' }, /multipleCredentials must be 'first' or 'reject'/],
    [{ store, appUserUrl: 'yes' }, /appUserUrl must be true or false/],
    [{ store, sessionToken: { ttl: 0 } }, /sessionToken.ttl must be a positive whole number of milliseconds/],
    [{ store, sessionToken: { idleTimeout: 1.5 } }, /sessionToken.idleTimeout/],
    [{ store, apiKeys: { short: { role: 'admin' } } }, /apiKeys entry #1: a plaintext key must be at least 16 characters/],
    [{ store, apiKeys: { 'a-long-enough-key-1': 'admin' } }, /apiKeys entry #1: the value must be an object/],
    [{ store, apiKeys: { 'a-long-enough-key-1': { roles: 'admin' } } }, /roles must be an array of strings/],
    [{ store, apiKeys: ['x'] }, /apiKeys must be an object/],
    [{ store, realm: 'a"b' }, /realm must be a non-empty string without quotes/],
    [{ store, storeTimeout: -1 }, /storeTimeout/],
    [{ store, formatError: 'odk' }, /formatError must be a function/],
    [{ store, adminRoles: 'admin' }, /adminRoles must be an array/],
    [{ store, apikeys: {} }, /apikeys is not an option \(did you mean 'apiKeys'\?\)/],
    [{ store, basic: { challenge: 'yes' } }, /basic.challenge must be true or false/],
    [{ store, basic: { cache: { ttl: 0 } } }, /basic.cache.ttl/],
    [{ store, passwords: { cost: 8 } }, /passwords.cost must be an integer from 10 to 31/],
    [{ store, passwords: { prehash: { pepper: 'short' } } }, /pepper must be at least 32 bytes/],
    [{ store, lockout: { by: 'ip' } }, /lockout.by must be 'login' or 'login\+ip'/],
    [{ store: { findCredentials: async () => null, findActor: async () => null } }, /lockout needs a store with readAttempts/],
    [{ store: { findToken: async () => null }, basic: {} }, /basic needs a store with findCredentials/],
  ])('%j throws a TypeError naming the option', (options, message) => {
    expect(() => gatehouse(options as never)).toThrow(TypeError);
    expect(() => gatehouse(options as never)).toThrow(message);
  });

  it('never puts a configured key into an error message', () => {
    const secret = 'sekrit key with spaces!';
    let message = '';
    try {
      gatehouse({ store, apiKeys: { [secret]: { role: 'admin' } } });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/printable ASCII without spaces/);
    expect(message).not.toContain('sekrit');
  });

  it('accepts a valid configuration, with a scheme turned off', () => {
    expect(() => gatehouse({ store, apiKeys: false, sessionToken: { ttl: 1000 }, precedence: ['bearer', 'appUserUrl', 'apiKey', 'basic', 'cookie'] })).not.toThrow();
  });

  it('auth.routes() checks its paths', () => {
    const auth = gatehouse({ store });
    expect(() => auth.routes({ paths: { sessions: 'sessions' } })).toThrow(/paths.sessions must be a path/);
  });
});
