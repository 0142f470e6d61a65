/**
 * `gatehouse(options)`: validates the options once and wires the parts together —
 * detection, one strategy per scheme, the composite middleware, `require`, the routes
 * and the token service — over a store whose every call fails closed.
 */
import type { RequestHandler, Router } from 'express';
import type { PassportStrategy as Strategy } from './schemes/passport-base';
import type { SchemeId } from './actor';
import type { SchemeGroup } from './detect';
import type { GatehouseError } from './errors';
import { fail } from './config-error';
import { createEmit, reportingFailures, reportingRefusals } from './events';
import { Authenticator, authenticateMiddleware } from './middleware/authenticate';
import { renderProblem, type RenderConfig } from './middleware/render-problem';
import { requireMiddleware, type RequireHandler, type RequireOptions } from './middleware/require';
import { resolveOptions, type GatehouseOptions } from './options';
import { buildOpenApi, type OpenApiFacts, type OpenApiFragment, type OpenApiOptions, type RoutePaths } from './openapi';
import { parseAuthBody } from './routes/login-body';
import { routeErrorsAsProblems } from './routes/route-errors';
import { addJwksRoute, DEFAULT_JWKS_PATH } from './routes/jwks';
import { addJwtRoutes } from './routes/jwt';
import { addSessionRoutes, createRouter, type CredentialEnder, type PasswordChecker } from './routes/sessions';
import { ChangeTickets } from './passwords/change-ticket';
import { PasswordHasher } from './passwords/hasher';
import { Lockout } from './passwords/lockout';
import { PasswordCheck } from './passwords/password-check';
import { VerificationCache } from './passwords/verification-cache';
import { guardStore } from './store/guard';
import type { AttemptStore, CredentialStore } from './store/types';
import { HttpsBasicStrategy } from './schemes/basic/strategy';
import { ApiKeyStrategy } from './schemes/api-key/strategy';
import { AppUserUrlStrategy } from './schemes/app-user-url/strategy';
import type { CredentialReference } from './schemes/outcome';
import { SessionTokenStrategy } from './schemes/session-token/strategy';
import { CookieSessions, CookieStrategy } from './schemes/cookie/strategy';
import { JwtStrategy } from './schemes/jwt/strategy';
import { JwtIssuer } from './tokens/jwt-issuer';
import { Revocations } from './tokens/revocations';
import { RefreshTokens } from './tokens/refresh-tokens';
import { TokenService } from './tokens/token-service';

/**
 * How long a per-actor "not before" is kept at the least, in ms: longer than any login or
 * refresh can take between its proof of identity and its check of the "not before" (the
 * store timeout and the bcrypt queue bound each step to seconds).
 */
const IN_FLIGHT_PROOF_WINDOW = 10 * 60 * 1000;

/** Options of `auth.routes()`. */
export interface RoutesOptions {
  /**
   * Where each group of endpoints lives, relative to the router's mount point.
   * Default `{ sessions: '/sessions', jwt: '/jwt', jwks: '/.well-known/jwks.json' }`.
   * `jwks` is served only when local JWT keys are asymmetric (`jwt.privateKey`/`publicKey` or `jwt.keys`).
   * `login` (`POST`, default `sessions`) and `logout` (ends the presented credential, default
   * `{sessions}/current`) can move on their own; paths may contain `@`.
   * @example auth.routes({ paths: { sessions: '/auth/sessions', jwks: '/auth/jwks.json' } })
   * @example auth.routes({ paths: { login: '/api/v1/@apostrophecms/login/login', logout: '/api/v1/@apostrophecms/login/logout' }, logoutMethod: 'POST' })
   */
  paths?: { sessions?: string; login?: string; logout?: string; jwt?: string; jwks?: string };
  /** The method of `paths.logout`: `'DELETE'` (default) or `'POST'`. */
  logoutMethod?: 'DELETE' | 'POST';
}

/** What `gatehouse()` returns. */
export interface Gatehouse {
  /** The one middleware that resolves `req.user` from whichever credential comes first. */
  authenticate(): RequestHandler;
  /** Lets a request through only for allowed actors, roles and schemes. */
  require(options?: RequireOptions): RequireHandler;
  /** The login and logout endpoints; mount before `authenticate()`, on the same path. */
  routes(options?: RoutesOptions): Router;
  /**
   * OpenAPI 3.1 `components` (security schemes of the schemes that are on, and the schemas
   * the endpoints use) and `paths` (the endpoints of `routes()`), to merge into the API's own
   * document. Give it the same `paths` as `routes()`.
   * @example
   * ```ts
   * const { paths, components } = auth.openapi({ mountPath: '/v1' });
   * const document = { openapi: '3.1.0', info, paths: { ...paths, ...appPaths }, components: { ...components, schemas: { ...components.schemas, ...appSchemas } } };
   * ```
   */
  openapi(options?: OpenApiOptions): OpenApiFragment;
  /** Issue, verify, list and revoke opaque tokens (by token, by id, or all of an actor's). */
  readonly tokens: TokenService;
  /** bcrypt `hash(plain)` / `verify(plain, hash)` with the configured cost, cap and prehash. */
  readonly passwords: PasswordHasher;
}

/** `name` is the option, e.g. `paths.jwt`; `where` the method, e.g. `auth.routes()`. */
function checkPath(value: unknown, where: string, name: string, fallback: string, shape = /^\/[A-Za-z0-9/_@-]*$/): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !shape.test(value) || value.endsWith('/')) {
    fail(name, `${name} must be a path such as '${fallback || '/v1'}' (no trailing slash).`, { where });
  }
  return value;
}

/** The endpoint paths of `routes()`, which `openapi()` takes too. */
function routePaths(paths: RoutesOptions['paths'] = {}, method: string, logoutMethod: unknown = 'DELETE'): RoutePaths {
  if (!paths || typeof paths !== 'object') fail('paths', `paths must be an object such as { sessions: '/sessions' }.`, { where: method });
  if (logoutMethod !== 'DELETE' && logoutMethod !== 'POST') fail('logoutMethod', `logoutMethod must be 'DELETE' or 'POST' (default 'DELETE').`, { where: method });
  const sessions = checkPath(paths.sessions, method, 'paths.sessions', '/sessions');
  const login = checkPath(paths.login, method, 'paths.login', sessions);
  const logout = checkPath(paths.logout, method, 'paths.logout', `${sessions}/current`);
  if (logoutMethod === 'POST' && logout === login) {
    fail('paths.logout', `paths.logout and paths.login are both POST ${login}; give logout a path of its own.`, { where: method, code: 'GATEHOUSE_CONFLICTING_OPTIONS' });
  }
  return {
    sessions,
    login,
    logout,
    logoutMethod,
    jwt: checkPath(paths.jwt, method, 'paths.jwt', '/jwt'),
    // Dots allowed (`/.well-known/…`), but no `.` or `..` segment.
    jwks: checkPath(paths.jwks, method, 'paths.jwks', DEFAULT_JWKS_PATH, /^(\/(?!\.\.?(\/|$))[A-Za-z0-9_.-]+)+$/),
  };
}

/**
 * Creates a Gatehouse instance.
 *
 * @example
 * ```ts
 * const store = new MemoryStore();
 * const auth = gatehouse({ store, apiKeys: { 'myapikey1029384756': { role: 'admin' } } });
 * app.use('/v1', auth.routes());
 * app.use('/v1', auth.authenticate());
 * app.get('/v1/projects', auth.require(), listProjects);
 * ```
 */
export function gatehouse(options: GatehouseOptions): Gatehouse {
  const config = resolveOptions(options);
  const store = guardStore(config.store, config.storeTimeout);
  // A JWT access token must not outlive a "not before" issued after it (plus clock tolerance).
  const accessHorizon = config.jwt ? config.jwt.accessTtl + config.jwt.clockTolerance * 1000 + 1000 : 0;
  // One "not before" per actor, kept as long as the longest-lived credential that revokeAll
  // cannot delete (JWT access tokens, sessions in a host's own session store) and at least as
  // long as any login or refresh could still be in flight.
  const revocations = new Revocations(
    store,
    Math.max(IN_FLIGHT_PROOF_WINDOW, accessHorizon, config.cookie && config.cookie.store ? config.cookie.absoluteTimeout : 0),
    config.now,
  );
  // One reporting function for every part (audit events); null when there is no onEvent.
  const emit = createEmit(config.onEvent, config.now);
  const tokens = new TokenService({
    emit,
    store,
    now: config.now,
    revocations,
    lastUsedInterval: config.lastUsedInterval,
    linkedLogins: config.login.credentials === 'token+cookie',
    lifetimes: {
      sessionTtl: config.sessionToken ? config.sessionToken.ttl : 24 * 60 * 60 * 1000,
      sessionIdleTimeout: config.sessionToken ? config.sessionToken.idleTimeout : null,
    },
  });

  const passwords = new PasswordHasher({ ...config.passwords, now: config.now });
  // Login and Basic share one check: one lockout counter, one bcrypt queue.
  const passwordCheck: PasswordChecker | null = store.findCredentials
    ? new PasswordCheck({
        store: store as Pick<CredentialStore, 'findCredentials'>,
        hasher: passwords,
        lockout: config.lockout === false ? false : new Lockout({ store: store as AttemptStore, options: config.lockout, now: config.now }),
        cache: config.basic && config.basic.cache ? new VerificationCache({ ...config.basic.cache, now: config.now }) : undefined,
        now: config.now,
      })
    : null;

  const passwordChange = config.passwordChange
    ? { tickets: new ChangeTickets({ ttl: config.passwordChange.ttl, secret: config.passwordChange.secret, now: config.now }), hasher: passwords }
    : null;

  const strategies: Partial<Record<SchemeId, Strategy>> = {};
  const enabledGroups = new Set<SchemeGroup>();
  if (config.appUserUrl) {
    strategies.appUserUrl = new AppUserUrlStrategy({ tokens });
    enabledGroups.add('appUserUrl');
  }
  if (config.sessionToken) {
    // @types/passport-http-bearer does not declare its Strategy as passport-strategy's subclass; at runtime it is.
    strategies.sessionToken = new SessionTokenStrategy({ tokens, kinds: config.sessionToken.kinds }) as unknown as Strategy;
    enabledGroups.add('bearer');
  }
  if (config.apiKeys) {
    strategies.apiKey = new ApiKeyStrategy({ keys: config.apiKeys, tokens, store });
    enabledGroups.add('apiKey');
  }

  let jwtParts: { strategy: JwtStrategy; issuer: JwtIssuer | null; refreshTokens: RefreshTokens; revocations: Revocations } | null = null;
  if (config.jwt) {
    const strategy = new JwtStrategy({ jwt: config.jwt, store, revocations, now: config.now });
    strategies.jwt = strategy as unknown as Strategy;
    enabledGroups.add('bearer');
    jwtParts = {
      strategy,
      issuer: config.jwt.signingKey ? new JwtIssuer(config.jwt, config.now) : null,
      refreshTokens: new RefreshTokens({
        store,
        ttl: config.jwt.refreshTtl,
        revocations,
        // Long enough for the last access token and the last refresh token of the family.
        familyRevocationTtl: Math.max(config.jwt.refreshTtl, accessHorizon) + 60_000,
        reuseInterval: config.jwt.refreshReuseInterval,
        signingKey: config.jwt.signingKey,
        now: config.now,
      }),
      revocations,
    };
    const { refreshTokens } = jwtParts;
    tokens.onRevokeFamily((familyId) => refreshTokens.revokeFamily(familyId));
  }

  let cookieSessions: CookieSessions | null = null;
  if (config.cookie) {
    // Sessions in the Gatehouse store are token records, which revokeAll deletes; a host's
    // own session store is reached through the per-actor "not before" instead.
    cookieSessions = new CookieSessions({ options: config.cookie, store, now: config.now, revocations });
    strategies.cookie = new CookieStrategy({ sessions: cookieSessions, store });
    enabledGroups.add('cookie');
  }

  let basicStrategy: HttpsBasicStrategy | null = null;
  if (config.basic && passwordCheck) {
    basicStrategy = new HttpsBasicStrategy({
      passwordCheck: reportingFailures(passwordCheck as PasswordCheck, emit, 'basic'),
      challenge: config.basic.challenge,
      realm: config.basic.realm,
    });
    strategies.basic = basicStrategy as unknown as Strategy;
    enabledGroups.add('basic');
  }

  const precedence = config.precedence.filter((group) => enabledGroups.has(group));
  const authenticator = new Authenticator({
    detection: { precedence, enabled: new Set(precedence), cookieName: config.cookie ? config.cookie.name : null },
    urlCredentials: { appUserUrl: config.appUserUrl, apiKeyQuery: config.apiKeys !== false },
    multipleCredentials: config.multipleCredentials,
    methods: config.methods,
    strategies,
    emit,
  });
  // `responses.challenges`, when given, chooses; otherwise Bearer when on, Basic when asked for.
  const chosen = config.responses.challenges;
  const render: RenderConfig = {
    realm: config.realm,
    bearerChallenge: enabledGroups.has('bearer') && (chosen ? chosen.has('bearer') : true),
    basicChallenge: basicStrategy && (chosen ? chosen.has('basic') : basicStrategy.challenge) ? basicStrategy.challengeHeader : null,
    formatError: config.responses.error,
    maxRetriesExceeded: config.responses.maxRetriesExceeded,
  };
  const sendProblem = (req: Parameters<RequestHandler>[0], res: Parameters<RequestHandler>[1], error: GatehouseError) =>
    renderProblem(req, res, error, render);

  const enders: Partial<Record<CredentialReference['type'], CredentialEnder>> = {
    token: async (_req, _res, reference) => {
      if (reference.type === 'token') await tokens.revokeByHash(reference.hash);
    },
  };
  if (cookieSessions) {
    const sessions = cookieSessions;
    enders.cookie = (req, res) => sessions.end(req, res);
  }
  if (jwtParts?.revocations.available) {
    const { revocations, refreshTokens } = jwtParts;
    enders.jwt = async (_req, _res, reference) => {
      if (reference.type !== 'jwt' || !reference.jti) return;
      await revocations.revokeJti(reference.jti, reference.expiresAt);
      if (reference.familyId) await refreshTokens.revokeFamily(reference.familyId);
    };
  }
  const openApiFacts: OpenApiFacts = {
    schemes: new Set((Object.keys(strategies) as SchemeId[]).filter((id) => precedence.includes(id === 'jwt' || id === 'sessionToken' ? 'bearer' : (id as SchemeGroup)))),
    cookieName: config.cookie ? config.cookie.name : null,
    endpoints: {
      login: passwordCheck !== null && config.login.credentials !== 'none' && (config.sessionToken !== false || cookieSessions !== null),
      passwordChange: passwordChange !== null && Boolean(store.findCredentials && store.changePassword),
      jwtAuthenticate: Boolean(jwtParts?.issuer && passwordCheck),
      jwtRefresh: Boolean(jwtParts?.issuer),
      jwtVerify: jwtParts !== null,
      jwks: config.jwt ? config.jwt.jwks.length > 0 : false,
    },
  };
  return {
    tokens,
    passwords,
    openapi(openApiOptions: OpenApiOptions = {}) {
      const mountPath = openApiOptions.mountPath === '' ? '' : checkPath(openApiOptions.mountPath, 'auth.openapi()', 'mountPath', '');
      return buildOpenApi(openApiFacts, routePaths(openApiOptions.paths, 'auth.openapi()', openApiOptions.logoutMethod), mountPath);
    },
    authenticate: () => authenticateMiddleware(authenticator, render),
    require: (requireOptions) => requireMiddleware(requireOptions, render),
    routes(routesOptions: RoutesOptions = {}) {
      const paths = routePaths(routesOptions.paths, 'auth.routes()', routesOptions.logoutMethod);
      const { jwt: jwtPath, jwks: jwksPath } = paths;
      const jwks = config.jwt ? config.jwt.jwks : [];
      const router = createRouter();
      router.use((req, res, next) => {
        authenticator.takeUrlCredentials(req, res);
        // Every endpoint here is a POST or a DELETE, but the key set: leave the router at once for the rest of the API.
        const served = req.method === 'POST' || req.method === 'DELETE' || (jwks.length > 0 && req.path === jwksPath && (req.method === 'GET' || req.method === 'HEAD'));
        next(served ? undefined : 'router');
      });
      if (jwks.length > 0) addJwksRoute(router, jwksPath, jwks);
      router.post(paths.login, parseAuthBody);
      if (passwordChange) router.post(`${paths.sessions}/password`, parseAuthBody);
      addSessionRoutes(router, paths, {
        authenticator,
        tokens,
        store,
        passwordCheck,
        enders,
        adminRoles: config.adminRoles,
        issueSessionTokens: config.sessionToken !== false,
        credentials: config.login.credentials,
        passwordChange,
        ...(config.login.credentials === 'token+cookie' && config.cookie && config.sessionToken
          ? { linkedTtl: Math.min(config.sessionToken.ttl, config.cookie.absoluteTimeout) }
          : {}),
        cookieSessions,
        sendProblem,
        shapeLogin: config.responses.login,
        shapeLogout: config.responses.logout,
        now: config.now,
        emit,
      });
      if (jwtParts) {
        for (const endpoint of ['authenticate', 'refresh', 'verify']) router.post(`${jwtPath}/${endpoint}`, parseAuthBody);
        addJwtRoutes(router, jwtPath, { issuer: jwtParts.issuer, refreshTokens: jwtParts.refreshTokens, strategy: jwtParts.strategy as unknown as Strategy, store, passwordCheck, passwordChange, shape: config.responses.jwt, emit, now: config.now });
        // A refresh token or JWT refused in a body is a refused credential too.
        if (emit) router.use([`${jwtPath}/refresh`, `${jwtPath}/verify`], reportingRefusals(emit, 'jwt'));
      }
      router.use(routeErrorsAsProblems(sendProblem, emit));
      return router;
    },
  };
}
