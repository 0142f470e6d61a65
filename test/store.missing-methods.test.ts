/**
 * A store missing methods fails at construction, not at request time: `gatehouse()` throws
 * a TypeError naming each method the features turned on need, derived from one table
 * (`STORE_NEEDS`). Before, `{ store: {} }` constructed and `POST /sessions` answered
 * Express's HTML 404, and a store without `saveToken` answered a correct password 503.1.
 */
import session from 'express-session';
import { gatehouse, MemoryStore, type GatehouseOptions } from '../src';
import { STORE_METHODS, STORE_NEEDS, type StoreFeature } from '../src/store/methods';
import type { GatehouseStore } from '../src/store/types';

const COOKIE_SECRET = 'a-cookie-secret-of-at-least-32-characters';
const JWT_SECRET = 'x'.repeat(32);

/** Every store method of a MemoryStore, bound, on a plain object we can take methods out of. */
function storeWithout(...removed: Array<keyof GatehouseStore>): Partial<GatehouseStore> {
  const store = new MemoryStore({ passwordCost: 10 });
  const bound = Object.fromEntries(STORE_METHODS.map((name) => [name, (store[name] as (...a: unknown[]) => unknown).bind(store)]));
  for (const method of removed) delete bound[method];
  return bound as Partial<GatehouseStore>;
}

function messageOf(options: GatehouseOptions): string {
  try {
    gatehouse(options);
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError);
    return (error as Error).message;
  }
  throw new Error('gatehouse() constructed');
}

/** Options that turn on exactly the feature (and what it cannot exist without), per entry of STORE_NEEDS. */
const FEATURE_OPTIONS: Record<StoreFeature, Partial<GatehouseOptions>> = {
  appUserUrl: { sessionToken: false, apiKeys: false, basic: false, lockout: false },
  sessionToken: { appUserUrl: false, apiKeys: false, basic: false, lockout: false },
  apiKeys: { appUserUrl: false, sessionToken: false, basic: false, lockout: false },
  login: { appUserUrl: false, apiKeys: false, basic: false, lockout: false },
  basic: { appUserUrl: false, sessionToken: false, apiKeys: false, lockout: false, basic: {} },
  lockout: { appUserUrl: false, sessionToken: false, apiKeys: false },
  cookie: { appUserUrl: false, sessionToken: false, apiKeys: false, basic: false, lockout: false, cookie: { secret: COOKIE_SECRET } },
  cookieOwnStore: {
    appUserUrl: false,
    sessionToken: false,
    apiKeys: false,
    basic: false,
    lockout: false,
    cookie: { secret: COOKIE_SECRET, store: new session.MemoryStore() },
  },
  passwordChange: { appUserUrl: false, apiKeys: false, basic: false, lockout: false, passwordChange: {} },
  secondFactor: { appUserUrl: false, apiKeys: false, basic: false, lockout: false, secondFactor: { encryptionKeys: ['a'.repeat(64)] } },
  rateLimits: { appUserUrl: false, sessionToken: false, basic: false, lockout: false, rateLimits: { limits: [{ name: 'burst', limit: 10, window: '1s' }] } },
  linkedLogin: { appUserUrl: false, apiKeys: false, basic: false, lockout: false, cookie: { secret: COOKIE_SECRET }, login: { credentials: 'token+cookie' } },
  jwt: { appUserUrl: false, sessionToken: false, apiKeys: false, basic: false, lockout: false, jwt: { secret: JWT_SECRET, stateless: true } },
  jwtIssuing: { appUserUrl: false, sessionToken: false, apiKeys: false, basic: false, lockout: false, jwt: { secret: JWT_SECRET } },
  jwtActors: { appUserUrl: false, sessionToken: false, apiKeys: false, basic: false, lockout: false, jwt: { secret: JWT_SECRET } },
  selfService: { appUserUrl: false, apiKeys: false, basic: false, lockout: false, selfService: { passwordChange: false } },
  selfServicePassword: { appUserUrl: false, apiKeys: false, basic: false, lockout: false, selfService: { list: false, end: false, endOthers: false } },
  oidc: {
    appUserUrl: false,
    sessionToken: false,
    apiKeys: false,
    basic: false,
    lockout: false,
    oidc: { providers: { p: { issuer: 'https://login.example.org', clientId: 'c', redirectUri: 'https://api.example.org/v1/oidc/p/callback' } } },
  },
  oidcAppRedirects: {
    appUserUrl: false,
    sessionToken: false,
    apiKeys: false,
    basic: false,
    lockout: false,
    oidc: { providers: { p: { issuer: 'https://login.example.org', clientId: 'c', redirectUri: 'https://api.example.org/v1/oidc/p/callback' } }, appRedirects: ['com.example.app:/oauth2redirect'] },
  },
};

const LABEL: Partial<Record<StoreFeature, string>> = { selfServicePassword: 'selfService.passwordChange', login: 'login (POST /sessions)', linkedLogin: "login.credentials: 'token+cookie'", cookieOwnStore: 'cookie', jwtIssuing: 'jwt', jwtActors: 'jwt', oidcAppRedirects: 'oidc.appRedirects' };

describe('A store missing methods fails at construction', () => {
  it('should refuse an empty store, naming every method of every scheme that is on by default', () => {
    const message = messageOf({ store: {} });
    expect(message).toContain('appUserUrl needs a store with findToken(), findActor() (or appUserUrl: false)');
    expect(message).toContain('sessionToken needs a store with findToken(), findActor(), deleteToken() (or sessionToken: false)');
    expect(message).toContain('apiKeys needs a store with findToken(), findActor() (or apiKeys: false)');
    expect(message).toMatch(/combineStores/);
  });

  it('should construct over an empty store when every feature that needs one is off', () => {
    expect(() => gatehouse({ store: {}, appUserUrl: false, sessionToken: false, apiKeys: false })).not.toThrow();
  });

  it('should name saveToken for a store that can check passwords but not save the session', () => {
    const message = messageOf({ store: storeWithout('saveToken') });
    expect(message).toContain('login (POST /sessions) needs a store with saveToken()');
    expect(message).not.toContain('findCredentials()');
  });

  it('should name each missing method, not only the first', () => {
    const message = messageOf({ store: storeWithout('readAttempts', 'clearAttempts', 'deleteToken') });
    expect(message).toContain('lockout needs a store with readAttempts(), clearAttempts() (or lockout: false)');
    expect(message).toContain('sessionToken needs a store with deleteToken()');
  });

  it('should still tell a missing credential store apart for Basic asked for by name', () => {
    const { findCredentials: _f, ...noCredentials } = storeWithout();
    expect(messageOf({ store: noCredentials, basic: {} })).toContain('basic needs a store with findCredentials() (or basic: false)');
    // Not asked for: Basic and login are simply off without findCredentials.
    expect(() => gatehouse({ store: noCredentials })).not.toThrow();
  });

  describe.each(Object.entries(STORE_NEEDS) as Array<[StoreFeature, (typeof STORE_NEEDS)[StoreFeature]]>)('%s', (feature, needs) => {
    it.each(needs.methods.map((method) => [method]))(`should name %s when it is missing and ${feature} is on`, (method) => {
      const message = messageOf({ ...FEATURE_OPTIONS[feature], store: storeWithout(method) });
      const line = message.split('; ').find((part) => part.includes(`${LABEL[feature] ?? feature} needs a store with `));
      expect(line).toContain(`${method}()`);
    });

    it(`should construct with every method ${feature} needs`, () => {
      expect(() => gatehouse({ ...FEATURE_OPTIONS[feature], store: storeWithout() })).not.toThrow();
    });
  });
});
