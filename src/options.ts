/**
 * The options of `gatehouse()`, their defaults, and their validation.
 *
 * Everything is checked once, at construction: a mistake throws a `GatehouseConfigError` (a
 * `TypeError` with `code` and `option`) that names the option and the fix, so it surfaces at
 * start-up and never at request time. Each scheme's options are resolved beside its code
 * (`schemes/<id>/options.ts`); this file resolves the top-level ones and calls those.
 */
import type { Request } from 'express';
import type { ResolvedCookieOptions } from './schemes/cookie/options';
import { DEFAULT_PRECEDENCE, type SchemeGroup } from './schemes/ids';
import type { ProblemDetails } from './errors';
import { DEFAULT_STORE_TIMEOUT } from './store/guard';
import { assertStoreHasMethods } from './store/methods';
import type { AuditListener } from './events';
import type { GatehouseStore } from './store/types';
import { resolvePasswordOptions, type PasswordOptions, type ResolvedPasswordOptions } from './passwords/hasher';
import { resolveLockoutOptions, type LockoutOptions, type ResolvedLockoutOptions } from './passwords/lockout';
import { resolvePasswordPolicy, type PasswordPolicyOptions, type ResolvedPasswordPolicy } from './passwords/password-policy';
import { resolveSecondFactorOptions, type SecondFactorOptions } from './second-factor/options';
import { DEFAULT_REALM } from './schemes/basic/options';
import type { LoginCredentials, ResolvedOptions } from './resolved-options';
import { resolveSchemes, SCHEME_DEFINITIONS } from './schemes/registry';
import type { SchemeOptions } from './schemes/scheme-options';
import { durationOption, fail, knownOptions, type OptionNames } from './config-error';
import { resolveOidcOptions, type OidcOptions } from './oidc/options';
import { resolveRateLimits, type RateLimitOptions } from './rate-limits/options';
import { resolveResponses, type ErrorResponseContext, type ResolvedResponses, type ResponsesOptions } from './responses';
import { resolveApiKeyPolicy, type ApiKeyPolicyOptions } from './tokens/api-key-policy';


/** Options of `POST /sessions`. */
export interface LoginOptions {
  /**
   * Which credentials a login hands out. Default `'asked'`.
   * @example { login: { credentials: 'token+cookie' } } // ODK Central
   */
  credentials?: LoginCredentials;
}

const LOGIN_CREDENTIALS: readonly LoginCredentials[] = ['asked', 'token+cookie', 'cookie', 'none'];

/** Options of the expired-password change step. */
export interface PasswordChangeOptions {
  /**
   * Lifetime of a change ticket in milliseconds. Default `300_000` (5 minutes).
   * @example { ttl: 10 * 60 * 1000 }
   */
  ttl?: number;
  /**
   * Signs the tickets, so every instance accepts the others' (at least 32 characters).
   * Default: a random key per process (one instance).
   */
  secret?: string;
}

/**
 * The `selfService` option: endpoints of `auth.routes()` where people manage their own
 * sign-ins (README, "Managing your own sign-ins"), each on unless set to `false`.
 *
 * @example
 * ```ts
 * gatehouse({ store, selfService: { recordIp: true, adminRevokeAll: false } });
 * ```
 */
export interface SelfServiceOptions {
  /**
   * `GET {account}/sessions`: the caller's live sign-ins, the current one marked. Default `true`.
   * @example { list: false }
   */
  list?: boolean;
  /**
   * `DELETE {account}/sessions/{id}`: ends one of the caller's own sign-ins. Default `true`.
   * @example { end: false }
   */
  end?: boolean;
  /**
   * `DELETE {account}/sessions/others`: "sign out everywhere else". Default `true`.
   * @example { endOthers: false }
   */
  endOthers?: boolean;
  /**
   * `POST {account}/password`: a signed-in user changes their password, giving the current one
   * (needs a store with `changePassword`). Default `true`.
   * @example { passwordChange: false }
   */
  passwordChange?: boolean;
  /**
   * `DELETE {admin}/actors/{actorId}/sessions`: an actor with one of `adminRoles` ends every
   * credential of another (`tokens.revokeAll`). Default `true`.
   * @example { adminRevokeAll: false }
   */
  adminRevokeAll?: boolean;
  /**
   * Record the client address (`req.ip`) of each login and show it in the list. Default `false`:
   * an address is personal data (GDPR), kept only when the host chooses to.
   * @example { recordIp: true }
   */
  recordIp?: boolean;
}

/** {@link SelfServiceOptions} with every default filled in. */
type ResolvedSelfService = Required<SelfServiceOptions>;

/**
 * Options of `gatehouse()`.
 *
 * @example
 * ```ts
 * const auth = gatehouse({
 *   store,
 *   apiKeys: { 'myapikey1029384756': { role: 'admin' } },
 *   precedence: ['bearer', 'appUserUrl', 'apiKey', 'basic', 'cookie'],
 * });
 * ```
 */
export interface GatehouseOptions extends SchemeOptions {
  /**
   * Users, tokens, revocations and failed-login counters (README, "Storage" and
   * "Writing your own store"). Required.
   * @example new MemoryStore()
   */
  store: Partial<GatehouseStore>;
  /**
   * The order in which presented credentials are considered; only the first presented one
   * is tried. Lists each of `'appUserUrl'`, `'bearer'`, `'apiKey'`, `'basic'`, `'cookie'`
   * once (schemes turned off may be left out).
   * Default `['appUserUrl', 'bearer', 'apiKey', 'basic', 'cookie']`.
   */
  precedence?: SchemeGroup[];
  /**
   * `'first'` tries the first presented credential; `'reject'` answers 400.2 when more
   * than one is presented. Default `'first'`.
   */
  multipleCredentials?: 'first' | 'reject';
  /**
   * bcrypt cost, concurrency cap and queue, and the optional pepper prehash for passwords
   * (login, Basic, `auth.passwords`). Default `{ cost: 12, maxQueue: 100 }`, `maxConcurrent`
   * one less than the number of cores, at least 1 and at most `UV_THREADPOOL_SIZE` − 1 (3 by default).
   * @example { passwords: { cost: 12, prehash: { pepper: process.env.PASSWORD_PEPPER } } }
   */
  passwords?: PasswordOptions;
  /**
   * Failed-login lockout shared by login and Basic: after `maxAttempts` (5) failures within
   * `window` (15 min) the login is locked for `duration` (15 min) → 403.2. `by: 'login'`
   * (default) or `'login+ip'`. `false` turns it off.
   * @example { lockout: { maxAttempts: 10, by: 'login+ip' } }
   */
  lockout?: LockoutOptions | false;
  /**
   * What `POST /sessions` hands out: a token, a cookie, both as one session, or nothing.
   * Default `{ credentials: 'asked' }`.
   * @example { login: { credentials: 'none' } } // tokens only from an administrator
   */
  login?: LoginOptions;
  /**
   * Sign-in through OpenID providers (README, "Sign in through an OpenID provider"): a start
   * and a callback endpoint per provider, ending in Gatehouse's own credentials as
   * `login.credentials` says, and the providers' back-channel logout. Default: off.
   * @example { oidc: { providers: { cognito: { issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123', clientId: 'abc', clientSecret: process.env.COGNITO_SECRET, redirectUri: 'https://api.example.org/v1/oidc/cognito/callback' } } } }
   */
  oidc?: OidcOptions;
  /**
   * Per scheme, the HTTP methods its credentials are considered on; on any other method a
   * credential of that scheme is not considered at all, as if not sent (the next presented
   * one is tried). `'GET'` includes `'HEAD'`. Keys are precedence groups. Default: every method.
   * @example { methods: { cookie: ['GET'] } } // ODK Central's cookie: reads only
   */
  methods?: Partial<Record<SchemeGroup, string[]>>;
  /**
   * The change step for expired passwords: a 403.3 from a login carries a short-lived,
   * single-use `changeTicket`, which `POST {sessions}/password` takes with the new password;
   * the store saves it (`changePassword`) and every credential of the actor ends. Default: off.
   * @example { passwordChange: { ttl: 5 * 60 * 1000, secret: process.env.PASSWORD_CHANGE_SECRET } }
   */
  passwordChange?: PasswordChangeOptions | false;
  /**
   * Second factors (README, "Second factor"): TOTP (RFC 6238) with recovery codes. A right
   * password of an enrolled actor answers 401.5 with a `challengeTicket`, which
   * `POST {secondFactor}/challenge` takes with a code and answers as the login would have;
   * Basic refuses enrolled actors (401.5). The secrets are sealed with AES-256-GCM under
   * `encryptionKeys`. Default: off.
   * @example { secondFactor: { encryptionKeys: [process.env.TOTP_KEY], issuer: 'Example API' } }
   */
  secondFactor?: SecondFactorOptions | false;
  /**
   * What a new password must be, wherever one is set (`POST {sessions}/password`): at least
   * `minLength` characters (default 8) and what `validate` (e.g. a breached-password check)
   * accepts; a refusal is 400.1 naming `password`. Default `{ minLength: 8 }`.
   * @example { passwordPolicy: { minLength: 15, validate: async (password) => ((await isBreached(password)) ? 'appears in a data breach' : undefined) } }
   */
  passwordPolicy?: PasswordPolicyOptions;
  /**
   * Self-service endpoints (README, "Managing your own sign-ins"): list your sign-ins, end one,
   * sign out everywhere else, change your password, and an administrator's "end all of this
   * actor's". Each sign-in records the User-Agent of its login (and, with `recordIp`, the
   * address). Default: off; `{}` turns every endpoint on.
   * @example { selfService: { recordIp: true } }
   */
  selfService?: SelfServiceOptions | false;
  /** The `realm` in `WWW-Authenticate` challenges. Default `'api'`. */
  realm?: string;
  /** Roles that may end any user's token with `DELETE /sessions/:token`, and every credential of an actor with `DELETE {admin}/actors/{actorId}/sessions` (`selfService`). Default `['admin']`. */
  adminRoles?: string[];
  /**
   * A store call that takes longer than this many milliseconds fails closed with 503.1.
   * Default `5000`.
   */
  storeTimeout?: number;
  /**
   * Reshapes every problem body before it is sent (sent as `application/json` then); the
   * shorthand of `responses.error`, which can also set the status and the content type.
   * Default: none (RFC 9457 `application/problem+json`).
   * @example { formatError: (p) => ({ code: Number(p.code), message: p.detail }) } // ODK Central's shape
   */
  formatError?: (problem: ProblemDetails, req: Request, context: ErrorResponseContext) => unknown;
  /**
   * How answers look on the wire (README, "Shaping responses"): success bodies of login,
   * logout and JWT endpoints, the rendering of failures, the `WWW-Authenticate` challenges,
   * and `maxRetriesExceeded` as an integer. Rendering only: nothing checked changes.
   * @example { responses: { login: (b) => ({ token: b.token }), logout: () => ({}), challenges: [] } }
   */
  responses?: ResponsesOptions;
  /**
   * Last use of stored credentials (`lastUsedAt` in `auth.tokens.list`) is written at most
   * once per credential per this many milliseconds, never on every request; shorter is more
   * precise, longer writes less. Default `60_000` (a minute).
   * @example { lastUsedInterval: 5 * 60 * 1000 }
   */
  lastUsedInterval?: number;
  /**
   * Per-key rate limits and usage quotas of API keys (README, "Rate limits and quotas"): named
   * fixed-window limits for every key, per class or per key, limits shared by an actor's keys,
   * a cost per request; over a limit a request is answered 429 with `Retry-After` and the
   * `RateLimit-Policy` / `RateLimit` header fields. Needs a store with `consumeLimits`
   * (MemoryStore, RedisStore, PostgresStore). Default: off.
   * @example { rateLimits: { limits: [{ name: 'burst', limit: 100, window: '10s' }, { name: 'daily', limit: 10_000, window: '1d', quota: true }] } }
   */
  rateLimits?: RateLimitOptions | false;
  /**
   * Store-issued API keys (`auth.tokens.create`, `tokens.issue({ kind: 'apiKey' })`): the prefix
   * that makes leaked keys recognisable, bounds on their lifetime, and how long ended keys stay
   * listed (README, "API keys for a public API"). Default: prefix `'gthkey_'`, no expiry bounds,
   * 30 days' retention.
   * @example { apiKeyPolicy: { prefix: 'sk_live_', expiry: { default: '90d', max: '365d' } } }
   */
  apiKeyPolicy?: ApiKeyPolicyOptions;
  /** The clock, in milliseconds since the epoch. Default `Date.now`. For tests. */
  now?: () => number;
  /**
   * Audit events: logins, lockouts, tokens issued and revoked, refused credentials and
   * store failures (with the store's error), as one typed {@link AuditEvent} union. Called
   * synchronously; a listener that throws never breaks the request. Default: none.
   * @example { onEvent: (event) => logger.info(event, event.type) }
   */
  onEvent?: AuditListener;
}

/**
 * The top-level options of `gatehouse()` that belong to no scheme, in the order the
 * "unknown option" message lists them (each scheme's follows, from the registry). A compile
 * error when it and {@link GatehouseOptions} disagree.
 */
const OPTION_NAMES = {
  store: true,
  precedence: true,
  multipleCredentials: true,
  passwords: true,
  lockout: true,
  login: true,
  oidc: true,
  methods: true,
  passwordChange: true,
  secondFactor: true,
  passwordPolicy: true,
  selfService: true,
  realm: true,
  adminRoles: true,
  storeTimeout: true,
  formatError: true,
  responses: true,
  lastUsedInterval: true,
  rateLimits: true,
  apiKeyPolicy: true,
  now: true,
  onEvent: true,
} as const satisfies Record<Exclude<keyof GatehouseOptions, keyof SchemeOptions>, true>;
const KNOWN_OPTIONS: readonly string[] = [...Object.keys(OPTION_NAMES), ...SCHEME_DEFINITIONS.map((definition) => definition.option)];
const LOGIN_OPTION_NAMES: OptionNames<LoginOptions> = { credentials: true };
const PASSWORD_CHANGE_OPTION_NAMES: OptionNames<PasswordChangeOptions> = { ttl: true, secret: true };
const SELF_SERVICE_OPTION_NAMES: OptionNames<SelfServiceOptions> = { list: true, end: true, endOthers: true, passwordChange: true, adminRevokeAll: true, recordIp: true };
/** The keys of `methods`: the precedence groups. */
const METHODS_OPTION_NAMES = Object.fromEntries(DEFAULT_PRECEDENCE.map((group) => [group, true])) as OptionNames<Record<SchemeGroup, string[]>>;

function resolvePrecedence(value: unknown): SchemeGroup[] {
  if (value === undefined) return [...DEFAULT_PRECEDENCE];
  if (!Array.isArray(value)) fail('precedence', `precedence must be an array such as ${JSON.stringify(DEFAULT_PRECEDENCE)}.`);
  const seen = new Set<string>();
  for (const name of value) {
    if (!DEFAULT_PRECEDENCE.includes(name as SchemeGroup)) {
      fail('precedence', `precedence: unknown scheme ${JSON.stringify(name)}; use ${DEFAULT_PRECEDENCE.map((g) => `'${g}'`).join(', ')} ('bearer' covers jwt and sessionToken).`, {
        code: 'GATEHOUSE_UNKNOWN_OPTION',
      });
    }
    if (seen.has(name)) fail('precedence', `precedence lists '${name}' twice; list each scheme once.`);
    seen.add(name);
  }
  return value as SchemeGroup[];
}

/** An HTTP method token (RFC 9110 §9.1), upper case. */
const METHOD = /^[A-Z][A-Z-]*$/;

function resolveMethods(value: unknown): Partial<Record<SchemeGroup, ReadonlySet<string>>> {
  if (value === undefined) return {};
  if (!value || typeof value !== 'object' || Array.isArray(value)) fail('methods', `methods must be an object such as { cookie: ['GET'] }.`);
  const result: Partial<Record<SchemeGroup, ReadonlySet<string>>> = {};
  knownOptions(value, METHODS_OPTION_NAMES, 'methods');
  for (const [group, list] of Object.entries(value)) {
    if (!Array.isArray(list) || list.length === 0 || !list.every((method) => typeof method === 'string' && METHOD.test(method.toUpperCase()))) {
      fail(`methods.${group}`, `methods.${group} must be a non-empty array of HTTP methods such as ['GET'].`);
    }
    const methods = new Set((list as string[]).map((method) => method.toUpperCase()));
    // Express answers HEAD with the GET route: a scheme good for GET is good for HEAD.
    if (methods.has('GET')) methods.add('HEAD');
    result[group as SchemeGroup] = methods;
  }
  return result;
}

function resolvePasswordChange(value: unknown): { ttl: number; secret: string | null } | false {
  if (value === undefined || value === false) return false;
  if (!value || typeof value !== 'object' || Array.isArray(value)) fail('passwordChange', 'passwordChange must be an object such as { ttl: 300000 }, or false.');
  knownOptions(value, PASSWORD_CHANGE_OPTION_NAMES, 'passwordChange');
  const { ttl, secret } = value as PasswordChangeOptions;
  if (secret !== undefined && (typeof secret !== 'string' || secret.length < 32)) fail('passwordChange.secret', 'passwordChange.secret must be at least 32 characters.');
  return { ttl: durationOption(ttl, 'passwordChange.ttl', 5 * 60 * 1000), secret: secret ?? null };
}

function resolveSelfService(value: unknown): ResolvedSelfService | false {
  if (value === undefined || value === false) return false;
  if (!value || typeof value !== 'object' || Array.isArray(value)) fail('selfService', 'selfService must be an object such as { recordIp: false }, or false.');
  knownOptions(value, SELF_SERVICE_OPTION_NAMES, 'selfService');
  const resolved: ResolvedSelfService = { list: true, end: true, endOthers: true, passwordChange: true, adminRevokeAll: true, recordIp: false };
  for (const [name, given] of Object.entries(value)) {
    if (given === undefined) continue;
    if (typeof given !== 'boolean') fail(`selfService.${name}`, `selfService.${name} must be true or false.`);
    resolved[name as keyof ResolvedSelfService] = given;
  }
  return resolved;
}

function resolveLogin(value: unknown, cookie: ResolvedCookieOptions | false, sessionTokens: boolean): { credentials: LoginCredentials } {
  if (value === undefined) return { credentials: 'asked' };
  if (!value || typeof value !== 'object' || Array.isArray(value)) fail('login', `login must be an object such as { credentials: 'token+cookie' }.`);
  knownOptions(value, LOGIN_OPTION_NAMES, 'login');
  const credentials = (value as LoginOptions).credentials ?? 'asked';
  if (!LOGIN_CREDENTIALS.includes(credentials)) {
    fail('login.credentials', `login.credentials must be ${LOGIN_CREDENTIALS.slice(0, -1).map((c) => `'${c}'`).join(', ')} or 'none' (default 'asked').`);
  }
  const conflict = { code: 'GATEHOUSE_CONFLICTING_OPTIONS' } as const;
  if ((credentials === 'token+cookie' || credentials === 'cookie') && !cookie) {
    fail('login.credentials', `login.credentials: '${credentials}' needs cookie sessions (cookie: { secret }).`, conflict);
  }
  if (credentials === 'token+cookie' && !sessionTokens) fail('login.credentials', `login.credentials: 'token+cookie' needs session tokens; remove sessionToken: false.`, conflict);
  // One login is one session: the token and the cookie record share a family in the Gatehouse
  // store, which a host's own session store cannot join.
  if (credentials === 'token+cookie' && cookie && cookie.store) {
    fail('login.credentials', `login.credentials: 'token+cookie' needs the cookie sessions in the Gatehouse store; remove cookie.store.`, conflict);
  }
  return { credentials };
}

/** Validates `options` and fills in defaults. Throws a `GatehouseConfigError` naming the option and the fix. */
export function resolveOptions(options: GatehouseOptions): ResolvedOptions {
  if (!options || typeof options !== 'object') fail('', 'pass an options object such as { store: new MemoryStore() }.');
  knownOptions(options, KNOWN_OPTIONS, '');
  const { store } = options;
  if (!store || typeof store !== 'object') fail('store', 'store is required, e.g. { store: new MemoryStore() }.', { code: 'GATEHOUSE_MISSING_OPTION' });

  const multipleCredentials = options.multipleCredentials ?? 'first';
  if (multipleCredentials !== 'first' && multipleCredentials !== 'reject') {
    fail('multipleCredentials', `multipleCredentials must be 'first' or 'reject' (default 'first').`);
  }
  const realm = options.realm ?? DEFAULT_REALM;
  if (typeof realm !== 'string' || realm === '' || /[\x00-\x1f\x7f"\\]/.test(realm)) {
    fail('realm', `realm must be a non-empty string without quotes, backslashes or control characters (default '${DEFAULT_REALM}').`);
  }
  const hasCredentials = typeof (store as { findCredentials?: unknown }).findCredentials === 'function';
  // Each scheme resolves its own option (schemes/<id>/options.ts), in the registry's order.
  const { schemes, storeFeatures: features } = resolveSchemes(options, { store, realm, hasCredentials });

  const lockout = resolveLockoutOptions(options.lockout);

  const adminRoles = options.adminRoles ?? ['admin'];
  if (!Array.isArray(adminRoles) || !adminRoles.every((role) => typeof role === 'string')) {
    fail('adminRoles', `adminRoles must be an array of role names (default ['admin']).`);
  }
  if (options.formatError !== undefined && typeof options.formatError !== 'function') {
    fail('formatError', 'formatError must be a function (problem, req, context) => body.');
  }
  if (options.now !== undefined && typeof options.now !== 'function') fail('now', 'now must be a function returning milliseconds since the epoch.');
  if (options.onEvent !== undefined && typeof options.onEvent !== 'function') fail('onEvent', 'onEvent must be a function (event) => void.');

  const login = resolveLogin(options.login, schemes.cookie, schemes.sessionToken !== false);
  // Login and Basic exist when the store can look logins up (Basic also when asked for by name);
  // both count failures when lockout is on.
  if (hasCredentials && schemes.sessionToken) features.push('login');
  if ((hasCredentials || features.includes('basic')) && lockout !== false) features.push('lockout');
  if (login.credentials === 'token+cookie') features.push('linkedLogin');
  const passwordChange = resolvePasswordChange(options.passwordChange);
  if (passwordChange) features.push('passwordChange');
  const secondFactor = resolveSecondFactorOptions(options.secondFactor);
  if (secondFactor) features.push('secondFactor');
  const rateLimits = resolveRateLimits(options.rateLimits);
  if (rateLimits) features.push('rateLimits');
  const selfService = resolveSelfService(options.selfService);
  if (selfService && (selfService.list || selfService.end || selfService.endOthers)) features.push('selfService');
  if (selfService && selfService.passwordChange) features.push('selfServicePassword');
  const oidc = resolveOidcOptions(options.oidc);
  if (oidc) features.push('oidc');
  if (oidc && oidc.appRedirects.length > 0) features.push('oidcAppRedirects');
  assertStoreHasMethods(store, features);
  const basicInput = options.basic;

  return {
    store,
    precedence: resolvePrecedence(options.precedence),
    multipleCredentials,
    schemes,
    passwords: resolvePasswordOptions(options.passwords),
    lockout,
    login,
    oidc,
    methods: resolveMethods(options.methods),
    passwordChange,
    secondFactor,
    passwordPolicy: resolvePasswordPolicy(options.passwordPolicy),
    selfService,
    realm,
    adminRoles: [...adminRoles],
    storeTimeout: durationOption(options.storeTimeout, 'storeTimeout', DEFAULT_STORE_TIMEOUT),
    responses: resolveResponses(options.responses, options.formatError, basicInput && typeof basicInput === 'object' ? basicInput.challenge : undefined),
    lastUsedInterval: durationOption(options.lastUsedInterval, 'lastUsedInterval', 60_000),
    rateLimits,
    apiKeyPolicy: resolveApiKeyPolicy(options.apiKeyPolicy),
    now: options.now ?? Date.now,
    onEvent: options.onEvent ?? null,
  };
}
