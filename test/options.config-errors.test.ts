/**
 * Every configuration mistake throws one error class, `GatehouseConfigError`: still a
 * `TypeError`, carrying a `code` (what kind of mistake) and the `option` at fault (its dotted
 * path as the host writes it). A table of bad configurations, at least one per resolver
 * (top-level, each scheme's options, passwords, lockout, login, methods, passwordChange,
 * responses, store methods, routes and openapi paths, require, combineStores, and each
 * constructor that checks its arguments), asserts on those fields rather than on prose — the
 * prose is pinned by the per-feature tests.
 */
import { generateKeyPairSync } from 'node:crypto';
import session from 'express-session';
import {
  apiKeyDigest,
  AppUserUrlStrategy,
  combineStores,
  gatehouse,
  GatehouseConfigError,
  HttpsBasicStrategy,
  JwtStrategy,
  MemoryStore,
  resolveApiKeys,
  resolveCookieOptions,
  resolveJwtOptions,
  SessionTokenStrategy,
  type GatehouseConfigErrorCode,
  type GatehouseOptions,
  type ResolvedJwtOptions,
} from '../src';
import { GATEHOUSE_CONFIG_ERROR_CODES } from '../src/config-error';
import { STORE_PARTS } from '../src/store/methods';
import { PasswordHasher } from '../src/passwords/hasher';
import { Lockout } from '../src/passwords/lockout';
import { PasswordCheck } from '../src/passwords/password-check';
import { VerificationCache } from '../src/passwords/verification-cache';

const store = new MemoryStore({ passwordCost: 10 });
const SECRET = 'x'.repeat(32);
const COOKIE_SECRET = 'a-cookie-secret-of-at-least-32-characters';
const KEY = 'a-long-enough-key-1';
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const otherRsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const smallRsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
const PEM = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const IDP = {
  issuer: 'https://idp.example.org',
  jwksUri: 'https://idp.example.org/.well-known/jwks.json',
  algorithms: ['RS256' as const],
  actorFromClaims: () => null,
};
const fn = () => ({});
const passwordCheck = { check: async () => ({}) } as never;
const credentials = { findCredentials: async () => null, findActor: async () => null };
/** The token methods and nothing else (no revocations, no attempt counters). */
const tokensOnly = Object.fromEntries(STORE_PARTS.tokens.required.map((method) => [method, async () => null]));

/** `gatehouse({ store, ...options })`. */
const g = (options: Record<string, unknown>) => () => gatehouse({ store, ...options } as GatehouseOptions);
const routes = (options: Record<string, unknown>) => () => gatehouse({ store }).routes(options as never);
const openapi = (options: Record<string, unknown>) => () => gatehouse({ store }).openapi(options as never);
const requireWith = (options: unknown) => () => gatehouse({ store }).require(options as never);

type Row = [label: string, build: () => unknown, code: GatehouseConfigErrorCode, option: string, where?: string];

const INVALID = 'GATEHOUSE_INVALID_OPTION';
const UNKNOWN = 'GATEHOUSE_UNKNOWN_OPTION';
const MISSING = 'GATEHOUSE_MISSING_OPTION';
const CONFLICT = 'GATEHOUSE_CONFLICTING_OPTIONS';
const STORE = 'GATEHOUSE_STORE_METHODS_MISSING';

const TABLE: Row[] = [
  // top-level
  ['options not an object', () => gatehouse(undefined as never), INVALID, ''],
  ['no store', () => gatehouse({} as never), MISSING, 'store'],
  ['unknown option', g({ apikeys: {} }), UNKNOWN, 'apikeys'],
  ['precedence not an array', g({ precedence: 'bearer' }), INVALID, 'precedence'],
  ['precedence with an unknown scheme', g({ precedence: ['bearer', 'oauth'] }), UNKNOWN, 'precedence'],
  ['precedence listing a scheme twice', g({ precedence: ['bearer', 'bearer'] }), INVALID, 'precedence'],
  ['multipleCredentials', g({ multipleCredentials: 'all' }), INVALID, 'multipleCredentials'],
  ['appUserUrl', g({ appUserUrl: 'yes' }), INVALID, 'appUserUrl'],
  ['realm', g({ realm: 'a"b' }), INVALID, 'realm'],
  ['adminRoles', g({ adminRoles: 'admin' }), INVALID, 'adminRoles'],
  ['storeTimeout', g({ storeTimeout: -1 }), INVALID, 'storeTimeout'],
  ['lastUsedInterval', g({ lastUsedInterval: 0 }), INVALID, 'lastUsedInterval'],
  ['formatError', g({ formatError: 'odk' }), INVALID, 'formatError'],
  ['now', g({ now: 5 }), INVALID, 'now'],
  ['onEvent', g({ onEvent: 'console' }), INVALID, 'onEvent'],
  // sessionToken
  ['sessionToken not an object', g({ sessionToken: 'on' }), INVALID, 'sessionToken'],
  ['sessionToken.ttl', g({ sessionToken: { ttl: 0 } }), INVALID, 'sessionToken.ttl'],
  ['sessionToken.idleTimeout', g({ sessionToken: { idleTimeout: 1.5 } }), INVALID, 'sessionToken.idleTimeout'],
  ['sessionToken.kinds empty', g({ sessionToken: { kinds: [] } }), INVALID, 'sessionToken.kinds'],
  ['sessionToken.kinds unknown kind', g({ sessionToken: { kinds: ['apiKey'] } }), UNKNOWN, 'sessionToken.kinds'],
  // apiKeys (never named by the key, which is a secret)
  ['apiKeys not an object', g({ apiKeys: ['x'] }), INVALID, 'apiKeys'],
  ['apiKeys: a short key', g({ apiKeys: { short: { role: 'admin' } } }), INVALID, 'apiKeys.*'],
  ['apiKeys: a key with spaces', g({ apiKeys: { 'sekrit key with spaces!': { role: 'admin' } } }), INVALID, 'apiKeys.*'],
  ['apiKeys: a value not an object', g({ apiKeys: { [KEY]: 'admin' } }), INVALID, 'apiKeys.*'],
  ['apiKeys: role', g({ apiKeys: { [KEY]: { role: 5 } } }), INVALID, 'apiKeys.*.role'],
  ['apiKeys: roles', g({ apiKeys: { [KEY]: { roles: 'admin' } } }), INVALID, 'apiKeys.*.roles'],
  ['apiKeys: label', g({ apiKeys: { [KEY]: { label: 5 } } }), INVALID, 'apiKeys.*.label'],
  ['apiKeys: actorId', g({ apiKeys: { [KEY]: { actorId: '' } } }), INVALID, 'apiKeys.*.actorId'],
  ['apiKeys: one key twice', g({ apiKeys: { [KEY]: {}, [apiKeyDigest(KEY)]: {} } }), INVALID, 'apiKeys.*'],
  ['resolveApiKeys() alone', () => resolveApiKeys({ short: {} }), INVALID, 'apiKeys.*', 'resolveApiKeys()'],
  // basic
  ['basic not an object', g({ basic: 'yes' }), INVALID, 'basic'],
  ['basic.challenge', g({ basic: { challenge: 'yes' } }), INVALID, 'basic.challenge'],
  ['basic.realm', g({ basic: { realm: 'two\r\nlines' } }), INVALID, 'basic.realm'],
  ['basic.cache not an object', g({ basic: { cache: 'big' } }), INVALID, 'basic.cache'],
  ['basic.cache.ttl', g({ basic: { cache: { ttl: 0 } } }), INVALID, 'basic.cache.ttl'],
  ['basic.cache.maxEntries', g({ basic: { cache: { maxEntries: 0 } } }), INVALID, 'basic.cache.maxEntries'],
  ['basic.cache unknown option', g({ basic: { cache: { size: 3 } } }), UNKNOWN, 'basic.cache.size'],
  // passwords
  ['passwords not an object', g({ passwords: null }), INVALID, 'passwords'],
  ['passwords unknown option', g({ passwords: { rounds: 12 } }), UNKNOWN, 'passwords.rounds'],
  ['passwords.cost', g({ passwords: { cost: 8 } }), INVALID, 'passwords.cost'],
  ['passwords.maxConcurrent', g({ passwords: { maxConcurrent: 0 } }), INVALID, 'passwords.maxConcurrent'],
  ['passwords.maxQueue', g({ passwords: { maxQueue: -1 } }), INVALID, 'passwords.maxQueue'],
  ['passwords.prehash', g({ passwords: { prehash: true } }), INVALID, 'passwords.prehash'],
  ['passwords.prehash.pepper', g({ passwords: { prehash: { pepper: 'short' } } }), INVALID, 'passwords.prehash.pepper'],
  // lockout
  ['lockout not an object', g({ lockout: true }), INVALID, 'lockout'],
  ['lockout unknown option', g({ lockout: { maxAtempts: 3 } }), UNKNOWN, 'lockout.maxAtempts'],
  ['lockout.maxAttempts', g({ lockout: { maxAttempts: 0 } }), INVALID, 'lockout.maxAttempts'],
  ['lockout.window', g({ lockout: { window: -1 } }), INVALID, 'lockout.window'],
  ['lockout.duration', g({ lockout: { duration: 0 } }), INVALID, 'lockout.duration'],
  ['lockout.by', g({ lockout: { by: 'ip' } }), INVALID, 'lockout.by'],
  // jwt
  ['jwt not an object', g({ jwt: 'x' }), INVALID, 'jwt'],
  ['jwt without a key or issuer', g({ jwt: {} }), MISSING, 'jwt'],
  ['jwt unknown option', g({ jwt: { secret: SECRET, sekret: 1 } }), UNKNOWN, 'jwt.sekret'],
  ['jwt.secret short', g({ jwt: { secret: 'short' } }), INVALID, 'jwt.secret'],
  ['jwt.secret with privateKey', g({ jwt: { secret: SECRET, privateKey: PEM } }), CONFLICT, 'jwt.secret'],
  ['jwt.privateKey unreadable', g({ jwt: { privateKey: 'not a pem' } }), INVALID, 'jwt.privateKey'],
  ['jwt.privateKey too small', g({ jwt: { privateKey: smallRsa.privateKey } }), INVALID, 'jwt.privateKey'],
  ['jwt.publicKey of another key', g({ jwt: { privateKey: PEM, publicKey: otherRsa.publicKey } }), CONFLICT, 'jwt.publicKey'],
  ['jwt.algorithms', g({ jwt: { secret: SECRET, algorithms: ['none'] } }), INVALID, 'jwt.algorithms'],
  ['jwt.issuer', g({ jwt: { secret: SECRET, issuer: '' } }), INVALID, 'jwt.issuer'],
  ['jwt.issuer also in issuers', g({ jwt: { secret: SECRET, issuer: IDP.issuer, issuers: [IDP] } }), CONFLICT, 'jwt.issuer'],
  ['jwt.audience', g({ jwt: { secret: SECRET, audience: '' } }), INVALID, 'jwt.audience'],
  ['jwt.accessTtl', g({ jwt: { secret: SECRET, accessTtl: 10 } }), INVALID, 'jwt.accessTtl'],
  ['jwt.refreshTtl', g({ jwt: { secret: SECRET, refreshTtl: 10 } }), INVALID, 'jwt.refreshTtl'],
  ['jwt.refreshReuseInterval', g({ jwt: { secret: SECRET, refreshReuseInterval: -1 } }), INVALID, 'jwt.refreshReuseInterval'],
  ['jwt.clockTolerance', g({ jwt: { secret: SECRET, clockTolerance: 301 } }), INVALID, 'jwt.clockTolerance'],
  ['jwt.stateless', g({ jwt: { secret: SECRET, stateless: 'yes' } }), INVALID, 'jwt.stateless'],
  // jwt.keys
  ['jwt.keys empty', g({ jwt: { keys: [] } }), INVALID, 'jwt.keys'],
  ['jwt.keys with secret', g({ jwt: { keys: [{ kid: 'a', secret: SECRET }], secret: SECRET } }), CONFLICT, 'jwt.keys'],
  ['jwt.keys[0] not an object', g({ jwt: { keys: ['a'] } }), INVALID, 'jwt.keys[0]'],
  ['jwt.keys[0] unknown option', g({ jwt: { keys: [{ kid: 'a', secret: SECRET, use: 'sig' }] } }), UNKNOWN, 'jwt.keys[0].use'],
  ['jwt.keys[0].kid', g({ jwt: { keys: [{ kid: '', secret: SECRET }] } }), INVALID, 'jwt.keys[0].kid'],
  ['jwt.keys[0] without a key', g({ jwt: { keys: [{ kid: 'a' }] } }), MISSING, 'jwt.keys[0]'],
  ['jwt.keys[0] secret and privateKey', g({ jwt: { keys: [{ kid: 'a', secret: SECRET, privateKey: PEM }] } }), CONFLICT, 'jwt.keys[0].secret'],
  ['jwt.keys[0].secret short', g({ jwt: { keys: [{ kid: 'a', secret: 'short' }] } }), INVALID, 'jwt.keys[0].secret'],
  ['jwt.keys[0].alg', g({ jwt: { keys: [{ kid: 'a', secret: SECRET, alg: 'RS256' }] } }), INVALID, 'jwt.keys[0].alg'],
  ['jwt.keys[0] verify-only', g({ jwt: { keys: [{ kid: 'a', publicKey: rsa.publicKey }] } }), INVALID, 'jwt.keys[0]'],
  ['jwt.keys[1].kid taken', g({ jwt: { keys: [{ kid: 'a', secret: SECRET }, { kid: 'a', secret: 'y'.repeat(32) }] } }), INVALID, 'jwt.keys[1].kid'],
  ['jwt.keys[1].publicKey unreadable', g({ jwt: { keys: [{ kid: 'a', secret: SECRET }, { kid: 'b', publicKey: 'no' }] } }), INVALID, 'jwt.keys[1].publicKey'],
  // jwt.issuers
  ['jwt.issuers not an array', g({ jwt: { issuers: IDP } }), INVALID, 'jwt.issuers'],
  ['jwt.issuers twice', g({ jwt: { issuers: [IDP, IDP] } }), INVALID, 'jwt.issuers'],
  ['jwt.issuers[0] not an object', g({ jwt: { issuers: [null] } }), INVALID, 'jwt.issuers[0]'],
  ['jwt.issuers[0].issuer', g({ jwt: { issuers: [{ ...IDP, issuer: '' }] } }), INVALID, 'jwt.issuers[0].issuer'],
  ['jwt.issuers[0].jwksUri not a URL', g({ jwt: { issuers: [{ ...IDP, jwksUri: 'jwks.json' }] } }), INVALID, 'jwt.issuers[0].jwksUri'],
  ['jwt.issuers[0].jwksUri over http', g({ jwt: { issuers: [{ ...IDP, jwksUri: 'http://idp.example.org/jwks' }] } }), INVALID, 'jwt.issuers[0].jwksUri'],
  ['jwt.issuers[0].algorithms', g({ jwt: { issuers: [{ ...IDP, algorithms: ['HS256'] }] } }), INVALID, 'jwt.issuers[0].algorithms'],
  ['jwt.issuers[0].actorFromClaims', g({ jwt: { issuers: [{ ...IDP, actorFromClaims: 1 }] } }), INVALID, 'jwt.issuers[0].actorFromClaims'],
  ['jwt.issuers[0].tokenUse', g({ jwt: { issuers: [{ ...IDP, tokenUse: 'refresh' }] } }), INVALID, 'jwt.issuers[0].tokenUse'],
  ['jwt.issuers[0].clientId', g({ jwt: { issuers: [{ ...IDP, clientId: [] }] } }), INVALID, 'jwt.issuers[0].clientId'],
  ['jwt.issuers[0].audience', g({ jwt: { issuers: [{ ...IDP, audience: 5 }] } }), INVALID, 'jwt.issuers[0].audience'],
  ['resolveJwtOptions() alone', () => resolveJwtOptions({ secret: 'short' }), INVALID, 'jwt.secret'],
  // cookie
  ['cookie not an object', g({ cookie: 'x' }), INVALID, 'cookie'],
  ['cookie unknown option', g({ cookie: { secret: COOKIE_SECRET, sekure: true } }), UNKNOWN, 'cookie.sekure'],
  ['cookie.secret', g({ cookie: { secret: 'short' } }), INVALID, 'cookie.secret'],
  ['cookie.secure', g({ cookie: { secret: COOKIE_SECRET, secure: 'yes' } }), INVALID, 'cookie.secure'],
  ['cookie.sameSite', g({ cookie: { secret: COOKIE_SECRET, sameSite: 'loose' } }), INVALID, 'cookie.sameSite'],
  ['cookie.sameSite none unasked', g({ cookie: { secret: COOKIE_SECRET, sameSite: 'none' } }), CONFLICT, 'cookie.sameSite'],
  ['cookie.sameSite none over http', g({ cookie: { secret: COOKIE_SECRET, sameSite: 'none', allowSameSiteNone: true, secure: false } }), CONFLICT, 'cookie.sameSite'],
  ['cookie.name', g({ cookie: { secret: COOKIE_SECRET, name: 'a b' } }), INVALID, 'cookie.name'],
  ['cookie.name prefix over http', g({ cookie: { secret: COOKIE_SECRET, secure: false, name: '__Host-x' } }), CONFLICT, 'cookie.name'],
  ['cookie.trustedOrigins', g({ cookie: { secret: COOKIE_SECRET, trustedOrigins: 'https://a.example.org' } }), INVALID, 'cookie.trustedOrigins'],
  ['cookie.trustedOrigins entry', g({ cookie: { secret: COOKIE_SECRET, trustedOrigins: ['https://a.example.org/path'] } }), INVALID, 'cookie.trustedOrigins'],
  ['cookie.store', g({ cookie: { secret: COOKIE_SECRET, store: {} } }), INVALID, 'cookie.store'],
  ['cookie.idleTimeout', g({ cookie: { secret: COOKIE_SECRET, idleTimeout: 10 } }), INVALID, 'cookie.idleTimeout'],
  ['cookie.absoluteTimeout', g({ cookie: { secret: COOKIE_SECRET, absoluteTimeout: 10 } }), INVALID, 'cookie.absoluteTimeout'],
  ['cookie.idleTimeout over absoluteTimeout', g({ cookie: { secret: COOKIE_SECRET, idleTimeout: 7_200_000, absoluteTimeout: 3_600_000 } }), CONFLICT, 'cookie.idleTimeout'],
  ['resolveCookieOptions() alone', () => resolveCookieOptions({ secret: 'short' }), INVALID, 'cookie.secret'],
  // login
  ['login not an object', g({ login: 'x' }), INVALID, 'login'],
  ['login unknown option', g({ login: { creds: 'cookie' } }), UNKNOWN, 'login.creds'],
  ['login.credentials', g({ login: { credentials: 'all' } }), INVALID, 'login.credentials'],
  ['login.credentials cookie without cookie', g({ login: { credentials: 'cookie' } }), CONFLICT, 'login.credentials'],
  [
    'login.credentials token+cookie without tokens',
    g({ login: { credentials: 'token+cookie' }, cookie: { secret: COOKIE_SECRET }, sessionToken: false }),
    CONFLICT,
    'login.credentials',
  ],
  [
    'login.credentials token+cookie with cookie.store',
    g({ login: { credentials: 'token+cookie' }, cookie: { secret: COOKIE_SECRET, store: new session.MemoryStore() } }),
    CONFLICT,
    'login.credentials',
  ],
  // methods
  ['methods not an object', g({ methods: [] }), INVALID, 'methods'],
  ['methods unknown scheme', g({ methods: { oauth: ['GET'] } }), UNKNOWN, 'methods.oauth'],
  ['methods.cookie', g({ methods: { cookie: [] } }), INVALID, 'methods.cookie'],
  // passwordChange
  ['passwordChange not an object', g({ passwordChange: 'x' }), INVALID, 'passwordChange'],
  ['passwordChange unknown option', g({ passwordChange: { tll: 1000 } }), UNKNOWN, 'passwordChange.tll'],
  ['passwordChange.secret', g({ passwordChange: { secret: 'short' } }), INVALID, 'passwordChange.secret'],
  ['passwordChange.ttl', g({ passwordChange: { ttl: 0 } }), INVALID, 'passwordChange.ttl'],
  // responses
  ['responses not an object', g({ responses: 'x' }), INVALID, 'responses'],
  ['responses unknown option', g({ responses: { logn: fn } }), UNKNOWN, 'responses.logn'],
  ['responses.login', g({ responses: { login: 5 } }), INVALID, 'responses.login'],
  ['responses.error', g({ responses: { error: 5 } }), INVALID, 'responses.error'],
  ['responses.error with formatError', g({ responses: { error: fn }, formatError: fn }), CONFLICT, 'responses.error'],
  ['responses.challenges', g({ responses: { challenges: 'none' } }), INVALID, 'responses.challenges'],
  ['responses.challenges unknown scheme', g({ responses: { challenges: ['digest'] } }), UNKNOWN, 'responses.challenges'],
  ['responses.challenges without basic', g({ basic: { challenge: true }, responses: { challenges: [] } }), CONFLICT, 'responses.challenges'],
  ['responses.maxRetriesExceeded', g({ responses: { maxRetriesExceeded: 'number' } }), INVALID, 'responses.maxRetriesExceeded'],
  // store methods
  ['an empty store', () => gatehouse({ store: {} }), STORE, 'store'],
  ['a store without attempt counters', () => gatehouse({ store: credentials, appUserUrl: false, sessionToken: false, apiKeys: false }), STORE, 'store'],
  // auth.routes() and auth.openapi()
  ['routes: paths not an object', routes({ paths: 'x' }), INVALID, 'paths', 'auth.routes()'],
  ['routes: paths.sessions', routes({ paths: { sessions: 'sessions' } }), INVALID, 'paths.sessions', 'auth.routes()'],
  ['routes: paths.login', routes({ paths: { login: 'login' } }), INVALID, 'paths.login', 'auth.routes()'],
  ['routes: paths.logout', routes({ paths: { logout: '/a/../b' } }), INVALID, 'paths.logout', 'auth.routes()'],
  ['routes: paths.jwt', routes({ paths: { jwt: '/jwt/' } }), INVALID, 'paths.jwt', 'auth.routes()'],
  ['routes: paths.jwks', routes({ paths: { jwks: '/../jwks.json' } }), INVALID, 'paths.jwks', 'auth.routes()'],
  ['routes: logoutMethod', routes({ logoutMethod: 'GET' }), INVALID, 'logoutMethod', 'auth.routes()'],
  ['routes: logout on the login path', routes({ logoutMethod: 'POST', paths: { login: '/s', logout: '/s' } }), CONFLICT, 'paths.logout', 'auth.routes()'],
  ['openapi: mountPath', openapi({ mountPath: 'v1' }), INVALID, 'mountPath', 'auth.openapi()'],
  ['openapi: paths.jwt', openapi({ paths: { jwt: 'jwt' } }), INVALID, 'paths.jwt', 'auth.openapi()'],
  // auth.require()
  ['require: options not an object', requireWith('admin'), INVALID, '', 'auth.require()'],
  ['require: unknown option', requireWith({ role: 'admin' }), UNKNOWN, 'role', 'auth.require()'],
  ['require: roles', requireWith({ roles: [] }), INVALID, 'roles', 'auth.require()'],
  ['require: actors', requireWith({ actors: 'user' }), INVALID, 'actors', 'auth.require()'],
  ['require: schemes', requireWith({ schemes: ['bearer'] }), UNKNOWN, 'schemes', 'auth.require()'],
  ['require().handler()', () => gatehouse({ store }).require().handler('list' as never), INVALID, '', 'auth.require().handler()'],
  // combineStores
  ['combineStores: no parts', () => combineStores(undefined as never), MISSING, '', 'combineStores'],
  ['combineStores: no credentials', () => combineStores({ credentials: undefined as never, tokens: store }), MISSING, 'credentials', 'combineStores'],
  [
    'combineStores: credentials without findActor',
    () => combineStores({ credentials: { findCredentials: credentials.findCredentials } as never, tokens: store }),
    STORE,
    'credentials.findActor',
    'combineStores',
  ],
  [
    'combineStores: tokens without revocations',
    () => combineStores({ credentials, tokens: tokensOnly as never }),
    STORE,
    'tokens.saveRevocation',
    'combineStores',
  ],
  // constructors
  ['SessionTokenStrategy without tokens', () => new SessionTokenStrategy({} as never), MISSING, 'tokens', 'SessionTokenStrategy'],
  ['AppUserUrlStrategy without tokens', () => new AppUserUrlStrategy({} as never), MISSING, 'tokens', 'AppUserUrlStrategy'],
  ['JwtStrategy without jwt', () => new JwtStrategy({ store } as never), MISSING, 'jwt', 'JwtStrategy'],
  ['JwtStrategy without store', () => new JwtStrategy({ jwt: resolveJwtOptions({ secret: SECRET }) as ResolvedJwtOptions } as never), MISSING, 'store', 'JwtStrategy'],
  ['HttpsBasicStrategy without passwordCheck', () => new HttpsBasicStrategy({} as never), MISSING, 'passwordCheck', 'HttpsBasicStrategy'],
  ['HttpsBasicStrategy challenge', () => new HttpsBasicStrategy({ passwordCheck, challenge: 'yes' as never }), INVALID, 'basic.challenge', 'HttpsBasicStrategy'],
  ['HttpsBasicStrategy realm', () => new HttpsBasicStrategy({ passwordCheck, realm: '' }), INVALID, 'basic.realm', 'HttpsBasicStrategy'],
  ['PasswordCheck without store', () => new PasswordCheck({} as never), MISSING, 'store', 'PasswordCheck'],
  ['PasswordCheck without hasher', () => new PasswordCheck({ store } as never), MISSING, 'hasher', 'PasswordCheck'],
  ['PasswordCheck without lockout', () => new PasswordCheck({ store, hasher: {} } as never), MISSING, 'lockout', 'PasswordCheck'],
  ['PasswordHasher cost', () => new PasswordHasher({ cost: 9 }), INVALID, 'passwords.cost', 'PasswordHasher'],
  ['PasswordHasher now', () => new PasswordHasher({ now: 5 } as never), INVALID, 'now', 'PasswordHasher'],
  ['Lockout options', () => new Lockout({ options: { by: 'ip' as never }, store }), INVALID, 'lockout.by', 'Lockout'],
  ['Lockout without store', () => new Lockout({ options: {} } as never), MISSING, 'store', 'Lockout'],
  ['VerificationCache ttl', () => new VerificationCache({ ttl: 0 }), INVALID, 'basic.cache.ttl', 'VerificationCache'],
];

function thrown(build: () => unknown): unknown {
  try {
    build();
  } catch (error) {
    return error;
  }
  throw new Error('did not throw');
}

describe('GatehouseConfigError', () => {
  it.each(TABLE.map(([label, build, code, option, where]) => [label, code, option, build, where] as const))('%s → %s, option %j', (_label, code, option, build, where = 'gatehouse()') => {
    const error = thrown(build);
    expect(error).toBeInstanceOf(TypeError);
    expect(error).toBeInstanceOf(GatehouseConfigError);
    expect(error).toMatchObject({ name: 'GatehouseConfigError', code, option });
    expect((error as Error).message.startsWith(`${where}: `)).toBe(true);
  });

  it('uses every code it documents, and nothing else', () => {
    expect(new Set(TABLE.map(([, , code]) => code))).toEqual(new Set(GATEHOUSE_CONFIG_ERROR_CODES));
  });

  it('is named in its stack and its string form, and keeps TypeError behaviour', () => {
    const error = thrown(() => gatehouse({ store, lockout: { by: 'ip' as never } })) as GatehouseConfigError;
    expect(String(error)).toMatch(/^GatehouseConfigError: gatehouse\(\): lockout\.by /);
    expect(error.stack).toMatch(/^GatehouseConfigError: /);
    expect(Object.prototype.toString.call(error)).toBe('[object Error]');
    expect(Object.keys(error).sort()).toEqual(['code', 'option']);
  });

  it('never puts a configured API key into the error, message or option', () => {
    const error = thrown(g({ apiKeys: { 'sekrit key with spaces!': { role: 'admin' } } })) as GatehouseConfigError;
    expect(JSON.stringify({ ...error, message: error.message })).not.toContain('sekrit');
  });

  it('a well-formed configuration throws nothing', () => {
    expect(() =>
      gatehouse({
        store,
        jwt: { secret: SECRET, issuers: [IDP] },
        cookie: { secret: COOKIE_SECRET },
        basic: { challenge: true, realm: 'Reports "Q3"' },
        responses: { challenges: ['basic', 'bearer'] },
      }),
    ).not.toThrow();
  });
});

describe('basic.realm: one check, one default', () => {
  it('defaults to the top-level realm in gatehouse() and to its default, api, in a standalone HttpsBasicStrategy', () => {
    expect(new HttpsBasicStrategy({ passwordCheck }).realm).toBe('api');
    expect(new HttpsBasicStrategy({ passwordCheck }).challengeHeader).toBe('Basic realm="api", charset="UTF-8"');
  });

  it.each([['two\r\nlines'], [''], [5]])('refuses %j alike in gatehouse() and in HttpsBasicStrategy', (realm) => {
    const fromOptions = thrown(g({ basic: { realm } })) as GatehouseConfigError;
    const fromStrategy = thrown(() => new HttpsBasicStrategy({ passwordCheck, realm: realm as never })) as GatehouseConfigError;
    expect(fromOptions.option).toBe('basic.realm');
    expect(fromStrategy.option).toBe('basic.realm');
    expect(fromStrategy.message).toBe(fromOptions.message.replace(/^gatehouse\(\)/, 'HttpsBasicStrategy'));
  });

  it('accepts quotes and backslashes in basic.realm (escaped in the challenge) in both', () => {
    expect(() => gatehouse({ store, basic: { realm: 'Reports "Q3" \\ EU' } })).not.toThrow();
    expect(new HttpsBasicStrategy({ passwordCheck, realm: 'Reports "Q3" \\ EU' }).challengeHeader).toBe('Basic realm="Reports \\"Q3\\" \\\\ EU", charset="UTF-8"');
  });
});
