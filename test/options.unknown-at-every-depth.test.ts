/**
 * Every object of options, at every depth — `gatehouse()`, `routes()`, `openapi()`,
 * `require()`, the standalone strategies and the stores — refuses a name it does not know
 * with a `GatehouseConfigError` (`GATEHOUSE_UNKNOWN_OPTION`) naming the full path, and
 * suggests the option that was probably meant. A misspelt option silently dropped turns its
 * check off: `jwt.issuers[0].clientID` left every app client of the pool in.
 *
 * The probes are derived from the option types: each site lists its names in a table typed
 * `Names<XOptions>` (a name missing from it, or not in the type, does not compile), so a new
 * option cannot be added without its misspelling being probed here.
 */
import { Redis } from 'ioredis';
import type { Pool } from 'pg';
import type { SelfServiceOptions } from '../src/options';
import type { ChangePasswordInput } from '../src';
import {
  ApiKeyStrategy,
  AppUserUrlStrategy,
  CookieSessions,
  Lockout,
  PasswordCheck,
  PasswordHasher,
  resolveCookieOptions,
  VerificationCache,
  type CookieSessionsDependencies,
  type LockoutDependencies,
  type PasswordCheckDependencies,
  type SecondFactorOptions,
  type PasswordHasherOptions,
  type ResolvedCookieOptions,
  type VerificationCacheDependencies,
  combineStores,
  CookieStrategy,
  gatehouse,
  HttpsBasicStrategy,
  JwtStrategy,
  MemoryStore,
  SessionTokenStrategy,
  type ApiKeyEntry,
  type RateLimitOptions,
  type LimitInput,
  type ApiKeyStrategyOptions,
  type AppUserUrlStrategyOptions,
  type BasicOptions,
  type CookieOptions,
  type CookieStrategyOptions,
  type ExternalIssuer,
  type GatehouseOptions,
  type HttpsBasicStrategyOptions,
  type JwtKey,
  type JwtOptions,
  type JwtStrategyOptions,
  type LockoutOptions,
  type LoginOptions,
  type OpenApiOptions,
  type OpenApiSecurityOptions,
  type PasswordChangeOptions,
  type PasswordOptions,
  type RequireOptions,
  type ResponsesOptions,
  type RoutesOptions,
  type SessionTokenOptions,
  type SessionTokenStrategyOptions,
  type StoreParts,
  type VerificationCacheOptions,
} from '../src';
import { SCHEME_GROUPS, type SchemeGroup } from '../src/schemes/ids';
import { migrate, PostgresStore, type MigrateOptions, type PostgresStoreOptions } from '../src/store/postgres';
import { RedisStore, type RedisStoreOptions, type WaitForReplicasOptions } from '../src/store/redis';
import type { MemoryStoreOptions, NewUser } from '../src/store/memory';
import { describeStoreConformance, type DescribeStoreConformanceOptions } from '../src/store/conformance';
import { guardStore } from '../src/store/guard';
import type { ApiKeyOwnerOptions, CreateApiKeyInput, IssueTokenInput, ListCredentialsOptions, RevokeByIdOptions, RotateApiKeyOptions, UpdateApiKeyInput } from '../src/tokens/token-service';
import type { ApiKeyExpiryOptions, ApiKeyPolicyOptions } from '../src/tokens/api-key-policy';
import { DATABASE_URL } from './helpers/services';
import { thrownBy } from './helpers/thrown';
import type { PasswordPolicyOptions } from '../src/passwords/password-policy';
import type { OidcOptions, OidcProviderOptions } from '../src/oidc/options';

/** Every name of `T`, each `true`: a name left out or not in `T` is a compile error. */
type Names<T> = { [K in keyof Required<T>]: true };

const store = new MemoryStore({ passwordCost: 10 });
const SECRET = 'x'.repeat(32);
const COOKIE_SECRET = 'a-cookie-secret-of-at-least-32-characters';
const KEY = 'a-long-enough-key-1';
const IDP = {
  issuer: 'https://idp.example.org',
  jwksUri: 'https://idp.example.org/.well-known/jwks.json',
  algorithms: ['RS256' as const],
  actorFromClaims: () => null,
};
const auth = gatehouse({ store });
type Extra = Record<string, unknown>;

/** One object of options: where it is given, its path, its names, and a build with extra names in it. */
interface Site {
  where: string;
  path: string;
  names: Record<string, true>;
  build: (extra: Extra) => unknown;
}

const site = <T>(where: string, path: string, names: Names<T>, build: (extra: Extra) => unknown): Site => ({ where, path, names, build });

const GATEHOUSE_NAMES: Names<GatehouseOptions> = {
  store: true, precedence: true, multipleCredentials: true, passwords: true, lockout: true, login: true, methods: true,
  passwordChange: true, realm: true, adminRoles: true, storeTimeout: true, formatError: true, responses: true,
  lastUsedInterval: true, apiKeyPolicy: true, now: true, onEvent: true, appUserUrl: true, sessionToken: true, jwt: true, apiKeys: true,
  basic: true, cookie: true, passwordPolicy: true, secondFactor: true, selfService: true, oidc: true, rateLimits: true,
};
const OIDC_NAMES: Names<OidcOptions> = { providers: true, onFirstSignIn: true, secret: true, transactionTtl: true, recentSignIn: true, appRedirects: true };
const OIDC_PROVIDER_NAMES: Names<OidcProviderOptions> = {
  issuer: true, clientId: true, clientSecret: true, privateKeyJwt: true, scopes: true, redirectUri: true, postLogoutRedirectUri: true, trustVerifiedEmail: true,
};
const OIDC_PROVIDER = { issuer: 'https://login.example.org', clientId: 'c', redirectUri: 'https://api.example.org/v1/oidc/p/callback' };
const PASSWORD_POLICY_NAMES: Names<PasswordPolicyOptions> = { minLength: true, validate: true };
const PASSWORDS_NAMES: Names<PasswordOptions> = { cost: true, maxConcurrent: true, maxQueue: true, prehash: true };
const PREHASH_NAMES: Names<Exclude<PasswordOptions['prehash'], false | undefined>> = { pepper: true };
const LOCKOUT_NAMES: Names<LockoutOptions> = { maxAttempts: true, window: true, duration: true, by: true, accountMaxAttempts: true };
const CACHE_NAMES: Names<VerificationCacheOptions> = { ttl: true, maxEntries: true };
const JWT_NAMES: Names<JwtOptions> = {
  secret: true, privateKey: true, publicKey: true, keys: true, algorithms: true, issuer: true, audience: true, accessTtl: true,
  refreshTtl: true, refreshReuseInterval: true, clockTolerance: true, stateless: true, issuers: true,
};
const JWT_KEY_NAMES: Names<JwtKey> = { kid: true, secret: true, privateKey: true, publicKey: true, alg: true };
const ISSUER_NAMES: Names<ExternalIssuer> = {
  issuer: true, jwksUri: true, audience: true, algorithms: true, actorFromClaims: true, tokenUse: true, clientId: true,
};
const COOKIE_NAMES: Names<CookieOptions> = {
  secret: true, name: true, secure: true, sameSite: true, allowSameSiteNone: true, idleTimeout: true, absoluteTimeout: true,
  trustedOrigins: true, store: true,
};
const API_KEY_ENTRY_NAMES: Names<ApiKeyEntry> = { role: true, roles: true, label: true, actorId: true, scopes: true, limits: true };
const RATE_LIMITS_NAMES: Names<RateLimitOptions> = { limits: true, classes: true, perActor: true, cost: true, failOpen: true, headers: true };
const LIMIT_NAMES: Names<LimitInput> = { name: true, limit: true, window: true, quota: true };
const LIMIT = { name: 'burst', limit: 10, window: '1s' };
const PATHS_NAMES: Names<NonNullable<RoutesOptions['paths']>> = { sessions: true, login: true, logout: true, reauthenticate: true, jwt: true, jwks: true, secondFactor: true, account: true, admin: true, oidc: true };
const SELF_SERVICE_NAMES: Names<SelfServiceOptions> = { list: true, end: true, endOthers: true, passwordChange: true, adminRevokeAll: true, recordIp: true };
const METHODS_NAMES = Object.fromEntries(SCHEME_GROUPS.map((group) => [group, true])) as Names<Record<SchemeGroup, string[]>>;

const redisClients: Redis[] = [];
const pools: Pool[] = [];
afterAll(async () => {
  for (const client of redisClients) client.disconnect();
  await Promise.all(pools.map((pool) => pool.end()));
});

const g = (extra: Extra) => gatehouse({ store, ...extra } as GatehouseOptions);

const SITES: Site[] = [
  site<GatehouseOptions>('gatehouse()', '', GATEHOUSE_NAMES, (extra) => g(extra)),
  site<PasswordOptions>('gatehouse()', 'passwords', PASSWORDS_NAMES, (extra) => g({ passwords: { cost: 10, ...extra } })),
  site('gatehouse()', 'passwords.prehash', PREHASH_NAMES, (extra) => g({ passwords: { cost: 10, prehash: { pepper: SECRET, ...extra } } })),
  site<LockoutOptions>('gatehouse()', 'lockout', LOCKOUT_NAMES, (extra) => g({ lockout: { ...extra } })),
  site<PasswordPolicyOptions>('gatehouse()', 'passwordPolicy', PASSWORD_POLICY_NAMES, (extra) => g({ passwordPolicy: { ...extra } })),
  site<LoginOptions>('gatehouse()', 'login', { credentials: true }, (extra) => g({ login: { ...extra } })),
  site('gatehouse()', 'methods', METHODS_NAMES, (extra) => g({ methods: { ...extra } })),
  site<PasswordChangeOptions>('gatehouse()', 'passwordChange', { ttl: true, secret: true }, (extra) => g({ passwordChange: { ...extra } })),
  site<SecondFactorOptions>('gatehouse()', 'secondFactor', { encryptionKeys: true, issuer: true, ticketTtl: true, recentSignIn: true }, (extra) =>
    g({ secondFactor: { encryptionKeys: ['a'.repeat(64)], ...extra } }),
  ),
  site('gatehouse()', 'selfService', SELF_SERVICE_NAMES, (extra) => g({ selfService: { ...extra } })),
  site<ResponsesOptions>('gatehouse()', 'responses', { login: true, logout: true, jwt: true, error: true, challenges: true, maxRetriesExceeded: true }, (extra) =>
    g({ responses: { ...extra } }),
  ),
  site<BasicOptions>('gatehouse()', 'basic', { challenge: true, realm: true, cache: true }, (extra) => g({ basic: { ...extra } })),
  site('gatehouse()', 'basic.cache', CACHE_NAMES, (extra) => g({ basic: { cache: { ...extra } } })),
  site<SessionTokenOptions>('gatehouse()', 'sessionToken', { ttl: true, idleTimeout: true, kinds: true }, (extra) => g({ sessionToken: { ...extra } })),
  site('gatehouse()', 'apiKeys.*', API_KEY_ENTRY_NAMES, (extra) => g({ apiKeys: { [KEY]: { role: 'admin', ...extra } } })),
  site<ApiKeyPolicyOptions>('gatehouse()', 'apiKeyPolicy', { prefix: true, expiry: true, retention: true }, (extra) => g({ apiKeyPolicy: { ...extra } })),
  site<ApiKeyExpiryOptions>('gatehouse()', 'apiKeyPolicy.expiry', { default: true, min: true, max: true }, (extra) => g({ apiKeyPolicy: { expiry: { ...extra } } })),
  site('gatehouse()', 'jwt', JWT_NAMES, (extra) => g({ jwt: { secret: SECRET, ...extra } })),
  site('gatehouse()', 'jwt.keys[0]', JWT_KEY_NAMES, (extra) => g({ jwt: { keys: [{ kid: 'a', secret: SECRET, ...extra }] } })),
  site('gatehouse()', 'jwt.keys[1]', JWT_KEY_NAMES, (extra) => g({ jwt: { keys: [{ kid: 'a', secret: SECRET }, { kid: 'b', secret: SECRET, ...extra }] } })),
  site('gatehouse()', 'jwt.issuers[0]', ISSUER_NAMES, (extra) => g({ jwt: { issuers: [{ ...IDP, ...extra }] } })),
  site('gatehouse()', 'jwt.issuers[1]', ISSUER_NAMES, (extra) => g({ jwt: { issuers: [IDP, { ...IDP, issuer: 'https://other.example.org', ...extra }] } })),
  site('gatehouse()', 'cookie', COOKIE_NAMES, (extra) => g({ cookie: { secret: COOKIE_SECRET, ...extra } })),
  site('gatehouse()', 'oidc', OIDC_NAMES, (extra) => g({ oidc: { providers: { p: OIDC_PROVIDER }, ...extra } })),
  site('gatehouse()', 'oidc.providers.p', OIDC_PROVIDER_NAMES, (extra) => g({ oidc: { providers: { p: { ...OIDC_PROVIDER, ...extra } } } })),
  site('gatehouse()', 'oidc.providers.p.privateKeyJwt', { key: true, kid: true }, (extra) =>
    g({ oidc: { providers: { p: { ...OIDC_PROVIDER, privateKeyJwt: { key: '-----BEGIN PRIVATE KEY-----', ...extra } } } } }),
  ),
  site('gatehouse()', 'rateLimits', RATE_LIMITS_NAMES, (extra) => g({ rateLimits: { ...extra } })),
  site('gatehouse()', 'rateLimits.limits[0]', LIMIT_NAMES, (extra) => g({ rateLimits: { limits: [{ ...LIMIT, ...extra }] } })),
  site('gatehouse()', 'rateLimits.perActor[1]', LIMIT_NAMES, (extra) => g({ rateLimits: { perActor: [LIMIT, { ...LIMIT, name: 'daily', ...extra }] } })),
  site('gatehouse()', 'rateLimits.classes.pro[0]', LIMIT_NAMES, (extra) => g({ rateLimits: { classes: { pro: [{ ...LIMIT, ...extra }] } } })),
  site('gatehouse()', 'apiKeys.*.limits[0]', LIMIT_NAMES, (extra) => g({ rateLimits: {}, apiKeys: { [KEY]: { role: 'admin', limits: [{ ...LIMIT, ...extra }] } } })),

  site<RoutesOptions>('auth.routes()', '', { paths: true, logoutMethod: true }, (extra) => auth.routes(extra as never)),
  site('auth.routes()', 'paths', PATHS_NAMES, (extra) => auth.routes({ paths: extra as never })),
  site<OpenApiOptions>('auth.openapi()', '', { paths: true, logoutMethod: true, mountPath: true }, (extra) => auth.openapi(extra as never)),
  site('auth.openapi()', 'paths', PATHS_NAMES, (extra) => auth.openapi({ paths: extra as never })),
  site<RequireOptions>('auth.require()', '', { actors: true, roles: true, schemes: true, scopes: true, maxAge: true, acr: true }, (extra) => auth.require(extra as never)),
  site<OpenApiSecurityOptions>('auth.openapiSecurity()', '', { schemes: true, scopes: true }, (extra) => auth.openapiSecurity(extra as never)),

  site<HttpsBasicStrategyOptions>(
    'HttpsBasicStrategy',
    '',
    { store: true, storeTimeout: true, passwords: true, lockout: true, cache: true, now: true, passwordCheck: true, challenge: true, realm: true },
    (extra) => new HttpsBasicStrategy({ store, passwords: { cost: 10 }, ...extra } as never),
  ),
  // Checked as gatehouse() checks its passwords, lockout and basic.cache, with the same errors.
  site('gatehouse()', 'passwords', PASSWORDS_NAMES, (extra) => new HttpsBasicStrategy({ store, passwords: { cost: 10, ...extra } } as never)),
  site('gatehouse()', 'lockout', LOCKOUT_NAMES, (extra) => new HttpsBasicStrategy({ store, passwords: { cost: 10 }, lockout: { ...extra } } as never)),
  site('gatehouse()', 'basic.cache', CACHE_NAMES, (extra) => new HttpsBasicStrategy({ store, passwords: { cost: 10 }, cache: { ...extra } } as never)),
  site<SessionTokenStrategyOptions>('SessionTokenStrategy', '', { tokens: true, kinds: true, optional: true, realm: true }, (extra) =>
    new SessionTokenStrategy({ tokens: auth.tokens, ...extra } as never),
  ),
  site<AppUserUrlStrategyOptions>('AppUserUrlStrategy', '', { tokens: true, optional: true }, (extra) => new AppUserUrlStrategy({ tokens: auth.tokens, ...extra } as never)),
  site<ApiKeyStrategyOptions>('ApiKeyStrategy', '', { keys: true, tokens: true, store: true, storeTimeout: true, optional: true, rateLimiter: true }, (extra) => new ApiKeyStrategy({ ...extra } as never)),
  // Checked as gatehouse() checks its apiKeys, with the same errors.
  site('gatehouse()', 'apiKeys.*', API_KEY_ENTRY_NAMES, (extra) => new ApiKeyStrategy({ keys: { [KEY]: { role: 'admin', ...extra } } as never })),
  site<JwtStrategyOptions>('JwtStrategy', '', { jwt: true, store: true, storeTimeout: true, revocations: true, now: true, optional: true, realm: true }, (extra) =>
    new JwtStrategy({ jwt: { secret: SECRET }, store, ...extra } as never),
  ),
  site('gatehouse()', 'jwt.issuers[0]', ISSUER_NAMES, (extra) => new JwtStrategy({ jwt: { issuers: [{ ...IDP, ...extra }] }, store } as never)),
  site<CookieStrategyOptions>('CookieStrategy', '', { cookie: true, sessions: true, store: true, storeTimeout: true, now: true }, (extra) =>
    new CookieStrategy({ cookie: { secret: COOKIE_SECRET }, store, ...extra } as never),
  ),
  site('gatehouse()', 'cookie', COOKIE_NAMES, (extra) => new CookieStrategy({ cookie: { secret: COOKIE_SECRET, ...extra }, store } as never)),

  site<MemoryStoreOptions>('MemoryStore', '', { passwordCost: true }, (extra) => new MemoryStore(extra as never)),
  site<StoreParts>('combineStores', '', { credentials: true, tokens: true, revocations: true, attempts: true, secondFactors: true, identities: true }, (extra) =>
    combineStores({ credentials: store, tokens: store, ...extra } as never),
  ),
  site<RedisStoreOptions>('RedisStore', '', { client: true, keyPrefix: true, now: true, waitForReplicas: true }, (extra) => {
    const created = new RedisStore({ client: { lazyConnect: true }, ...extra } as never);
    redisClients.push(created.client as Redis);
    return created;
  }),
  site<WaitForReplicasOptions>('RedisStore', 'waitForReplicas', { replicas: true, timeoutMs: true }, (extra) => {
    const created = new RedisStore({ client: { lazyConnect: true }, waitForReplicas: { replicas: 1, timeoutMs: 100, ...extra } } as never);
    redisClients.push(created.client as Redis);
    return created;
  }),
  site<PostgresStoreOptions>('PostgresStore', '', { pool: true, schema: true, queryTimeoutMs: true, now: true, preparedStatements: true }, (extra) => {
    const created = new PostgresStore({ pool: DATABASE_URL, ...extra } as never);
    pools.push(created.pool);
    return created;
  }),
  site<PasswordHasherOptions>('PasswordHasher', 'passwords', { ...PASSWORDS_NAMES, now: true }, (extra) => new PasswordHasher({ cost: 10, ...extra } as never)),
  site<LockoutDependencies>('Lockout', '', { store: true, options: true, now: true }, (extra) => new Lockout({ store, ...extra } as never)),
  site<VerificationCacheDependencies>('VerificationCache', 'basic.cache', { ...CACHE_NAMES, now: true }, (extra) => new VerificationCache(extra as never)),
  site<PasswordCheckDependencies>('PasswordCheck', '', { store: true, hasher: true, lockout: true, cache: true, now: true, secondFactors: true }, (extra) =>
    new PasswordCheck({ store, hasher: new PasswordHasher({ cost: 10 }), lockout: false, ...extra } as never),
  ),
  site<CookieSessionsDependencies>('CookieSessions', '', { options: true, store: true, storeTimeout: true, now: true, revocations: true }, (extra) =>
    new CookieSessions({ options: resolveCookieOptions({ secret: COOKIE_SECRET }) as ResolvedCookieOptions, store: guardStore(store, 1000), ...extra } as never),
  ),
  site<DescribeStoreConformanceOptions>('describeStoreConformance', '', { describe: true, it: true, afterAll: true, parts: true, addUser: true, closeStore: true }, (extra) =>
    // Never jest's own describe/it: registering inside a test is not allowed.
    describeStoreConformance('probe', () => store, { ...extra, describe: extra.describe ?? (() => {}), it: extra.it ?? (() => {}) } as never),
  ),
];

/** `clientId` → `clientID`: the last letter in the other case, the kind of slip a reader does not see. */
function misspelt(name: string): string {
  const last = name[name.length - 1];
  return name.slice(0, -1) + (last === last.toLowerCase() ? last.toUpperCase() : last.toLowerCase());
}

const fullPath = (path: string, name: string) => (path === '' ? name : `${path}.${name}`);

describe.each(SITES.map((entry) => [`${entry.where} ${entry.path || '(top level)'}`, entry] as const))('%s', (_label, entry) => {
  it.each(Object.keys(entry.names))('refuses a misspelt %s with its full path and the suggestion', (name) => {
    const typo = misspelt(name);
    const error = thrownBy(() => entry.build({ [typo]: undefined }));
    expect(error).toMatchObject({ name: 'GatehouseConfigError', code: 'GATEHOUSE_UNKNOWN_OPTION', option: fullPath(entry.path, typo) });
    expect(error!.message.startsWith(`${entry.where}: `)).toBe(true);
    expect(error!.message).toContain(`${fullPath(entry.path, typo)} is not an option (did you mean '${name}'?)`);
  });

  it.each(Object.keys(entry.names))('knows %s', (name) => {
    expect(thrownBy(() => entry.build({ [name]: undefined }))?.code).not.toBe('GATEHOUSE_UNKNOWN_OPTION');
  });
});

describe('the typos an attacker run found accepted', () => {
  const cases: Array<[label: string, build: () => unknown, option: string, suggestion: string | null, where?: string]> = [
    ['jwt.issuers[0].clientID', () => g({ jwt: { issuers: [{ ...IDP, clientID: 'app-client' }] } }), 'jwt.issuers[0].clientID', 'clientId'],
    ['jwt.issuers[0].audiance', () => g({ jwt: { issuers: [{ ...IDP, audiance: 'api' }] } }), 'jwt.issuers[0].audiance', 'audience'],
    ['basic.realmm', () => g({ basic: { realmm: 'x' } }), 'basic.realmm', 'realm'],
    ['sessionToken.tll', () => g({ sessionToken: { tll: 60_000 } }), 'sessionToken.tll', 'ttl'],
    ['an apiKeys entry with rolez', () => g({ apiKeys: { [KEY]: { rolez: ['admin'] } } }), 'apiKeys.*.rolez', 'roles'],
    ['RedisStore prefix', () => new RedisStore({ client: { lazyConnect: true }, prefix: 'app:' } as never), 'prefix', 'keyPrefix', 'RedisStore'],
    ['PostgresStore schmea', () => new PostgresStore({ pool: DATABASE_URL, schmea: 'auth' } as never), 'schmea', 'schema', 'PostgresStore'],
    ['cookie.sekure', () => g({ cookie: { secret: COOKIE_SECRET, sekure: true } }), 'cookie.sekure', 'secure'],
    ['a top-level name in the wrong case', () => g({ apikeys: {} }), 'apikeys', 'apiKeys'],
    ['no close match', () => g({ sessionToken: { lifetime: 60_000 } }), 'sessionToken.lifetime', null],
  ];

  it.each(cases)('%s is refused, naming the path', (_label, build, option, suggestion, where = 'gatehouse()') => {
    const error = thrownBy(build);
    expect(error).toMatchObject({ code: 'GATEHOUSE_UNKNOWN_OPTION', option });
    expect(error!.message).toContain(`${where}: `);
    expect(error!.message).toContain(`${option} is not an option`);
    if (suggestion) expect(error!.message).toContain(`did you mean '${suggestion}'?`);
    else expect(error!.message).not.toContain('did you mean');
  });

  it('a name that may be a secret put one level off is refused without being repeated', () => {
    const key = 'myapikey1029384756';
    for (const build of [() => g({ [key]: { role: 'admin' } }), () => new ApiKeyStrategy({ [key]: { role: 'admin' } } as never)]) {
      const error = thrownBy(build);
      expect(error).toMatchObject({ code: 'GATEHOUSE_UNKNOWN_OPTION', option: '*' });
      expect(error!.message).not.toContain(key);
    }
    expect(thrownBy(() => g({ apiKeys: { [KEY]: { role: 'admin', [key]: true } } }))).toMatchObject({ option: 'apiKeys.*.*' });
  });

  it('auth.tokens calls refuse a misspelt field: issue, list and revokeById', async () => {
    const issue: Names<IssueTokenInput> = { actorId: true, kind: true, ttl: true, label: true, roles: true, scopes: true, limits: true };
    const list: Names<ListCredentialsOptions> = { kinds: true };
    const revokeById: Names<RevokeByIdOptions> = { actorId: true };
    const create: Names<CreateApiKeyInput> = { actorId: true, service: true, label: true, metadata: true, scopes: true, roles: true, expiresAt: true, expiresIn: true, limits: true };
    const update: Names<UpdateApiKeyInput> = { label: true, metadata: true, scopes: true, enabled: true, limits: true };
    const owner: Names<ApiKeyOwnerOptions> = { actorId: true };
    const rotate: Names<RotateApiKeyOptions> = { actorId: true, grace: true, expiresAt: true, expiresIn: true };
    const calls: Array<[where: string, names: Record<string, true>, call: (extra: Extra) => Promise<unknown>]> = [
      ['tokens.issue', issue, (extra) => auth.tokens.issue({ actorId: 'a', kind: 'personal', ...extra } as never)],
      ['tokens.list', list, (extra) => auth.tokens.list('a', extra as never)],
      ['tokens.revokeById', revokeById, (extra) => auth.tokens.revokeById('x', extra as never)],
      ['tokens.create', create, (extra) => auth.tokens.create({ actorId: 'a', ...extra } as never)],
      ['tokens.update', update, (extra) => auth.tokens.update('x', extra as never)],
      ['tokens.update', owner, (extra) => auth.tokens.update('x', {}, extra as never)],
      ['tokens.update', owner, (extra) => auth.tokens.disable('x', extra as never)],
      ['tokens.rotate', rotate, (extra) => auth.tokens.rotate('x', extra as never)],
    ];
    for (const [where, names, call] of calls) {
      for (const name of Object.keys(names)) {
        const error = await call({ [misspelt(name)]: 'x' }).then(() => undefined, (rejection: unknown) => rejection);
        expect(error).toMatchObject({ code: 'GATEHOUSE_UNKNOWN_OPTION', option: misspelt(name) });
        expect((error as Error).message).toContain(`${where}: ${misspelt(name)} is not an option (did you mean '${name}'?)`);
      }
    }
  });

  it('auth.passwords.change refuses a misspelt field', async () => {
    const names: Names<ChangePasswordInput> = { login: true, currentPassword: true, newPassword: true, end: true };
    const req = { user: { id: 'a', kind: 'user', roles: [] }, authInfo: { scheme: 'sessionToken' } } as never;
    for (const name of Object.keys(names)) {
      const error = await auth.passwords
        .change(req, { login: 'a', currentPassword: 'b', newPassword: 'c', [misspelt(name)]: 'x' } as never)
        .then(() => undefined, (rejection: unknown) => rejection);
      expect(error).toMatchObject({ code: 'GATEHOUSE_UNKNOWN_OPTION', option: misspelt(name) });
      expect((error as Error).message).toContain(`auth.passwords.change: ${misspelt(name)} is not an option (did you mean '${name}'?)`);
    }
  });

  it('MemoryStore.addUser refuses a misspelt field', async () => {
    const names: Names<NewUser> = { login: true, password: true, passwordHash: true, roles: true, kind: true, displayName: true, passwordExpiresAt: true, id: true };
    for (const name of Object.keys(names)) {
      const error = await store.addUser({ login: `probe-${name}@example.org`, [misspelt(name)]: undefined } as NewUser).then(() => undefined, (rejection: unknown) => rejection);
      expect(error).toMatchObject({ code: 'GATEHOUSE_UNKNOWN_OPTION', option: misspelt(name) });
      expect((error as Error).message).toContain(`MemoryStore.addUser: ${misspelt(name)} is not an option (did you mean '${name}'?)`);
    }
  });

  it('migrate() refuses a misspelt option before touching the database', async () => {
    const pool = { connect: jest.fn() } as unknown as Pool;
    await expect(migrate(pool, { schmea: 'auth' } as MigrateOptions)).rejects.toMatchObject({ code: 'GATEHOUSE_UNKNOWN_OPTION', option: 'schmea' });
    const names: Names<MigrateOptions> = { schema: true, timeoutMs: true };
    for (const name of Object.keys(names)) {
      await expect(migrate(pool, { [misspelt(name)]: 1 } as MigrateOptions)).rejects.toMatchObject({ option: misspelt(name) });
    }
    expect(pool.connect).not.toHaveBeenCalled();
  });
});
