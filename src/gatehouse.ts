/**
 * `gatehouse(options)`: validates the options once and wires the parts together —
 * detection, one strategy per scheme, the composite middleware, `require`, the routes
 * and the token service — over a store whose every call fails closed.
 */
import type { RequestHandler, Router } from 'express';
import type { PassportStrategy as Strategy } from './strategies/passport-base';
import type { SchemeId } from './actor';
import type { SchemeGroup } from './detect';
import type { GatehouseError } from './errors';
import { Authenticator, authenticateMiddleware } from './middleware/authenticate';
import { renderProblem, type RenderConfig } from './middleware/render-problem';
import { requireMiddleware, type RequireHandler, type RequireOptions } from './middleware/require';
import { resolveOptions, type GatehouseOptions } from './options';
import { parseAuthBody } from './routes/login-body';
import { routeErrorsAsProblems } from './routes/route-errors';
import { addJwtRoutes } from './routes/jwt';
import { addSessionRoutes, createRouter, type CredentialEnder, type PasswordChecker } from './routes/sessions';
import { PasswordHasher } from './passwords/hasher';
import { Lockout } from './passwords/lockout';
import { PasswordCheck } from './passwords/password-check';
import { VerificationCache } from './passwords/verification-cache';
import { guardStore } from './store/guard';
import type { AttemptStore, CredentialStore } from './store/types';
import { HttpsBasicStrategy } from './strategies/https-basic';
import { ApiKeyStrategy } from './strategies/api-key';
import { AppUserUrlStrategy } from './strategies/app-user-url';
import type { CredentialReference } from './strategies/outcome';
import { SessionTokenStrategy } from './strategies/session-token';
import { CookieSessions, CookieStrategy } from './strategies/cookie';
import { JwtStrategy } from './strategies/jwt';
import { JwtIssuer } from './tokens/jwt-issuer';
import { Revocations } from './tokens/revocations';
import { RefreshTokens } from './tokens/refresh-tokens';
import { TokenService } from './tokens/token-service';

/** Options of `auth.routes()`. */
export interface RoutesOptions {
  /**
   * Where each group of endpoints lives, relative to the router's mount point.
   * Default `{ sessions: '/sessions', jwt: '/jwt' }`.
   * @example auth.routes({ paths: { sessions: '/auth/sessions' } })
   */
  paths?: { sessions?: string; jwt?: string };
}

/** What `gatehouse()` returns. */
export interface Gatehouse {
  /** The one middleware that resolves `req.user` from whichever credential comes first. */
  authenticate(): RequestHandler;
  /** Lets a request through only for allowed actors, roles and schemes. */
  require(options?: RequireOptions): RequireHandler;
  /** The login and logout endpoints; mount before `authenticate()`, on the same path. */
  routes(options?: RoutesOptions): Router;
  /** Issue, verify and revoke opaque tokens. */
  readonly tokens: TokenService;
  /** bcrypt `hash(plain)` / `verify(plain, hash)` with the configured cost, cap and prehash. */
  readonly passwords: PasswordHasher;
}

function checkPath(value: unknown, name: string, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^\/[A-Za-z0-9/_-]*$/.test(value) || value.endsWith('/')) {
    throw new TypeError(`auth.routes(): ${name} must be a path such as '${fallback}' (no trailing slash).`);
  }
  return value;
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
  const tokens = new TokenService({
    store,
    now: config.now,
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

  const strategies: Partial<Record<SchemeId, Strategy>> = {};
  const enabledGroups = new Set<SchemeGroup>();
  if (config.appUserUrl) {
    strategies.appUserUrl = new AppUserUrlStrategy({ tokens });
    enabledGroups.add('appUserUrl');
  }
  if (config.sessionToken) {
    // @types/passport-http-bearer does not declare its Strategy as passport-strategy's subclass; at runtime it is.
    strategies.sessionToken = new SessionTokenStrategy({ tokens }) as unknown as Strategy;
    enabledGroups.add('bearer');
  }
  if (config.apiKeys) {
    strategies.apiKey = new ApiKeyStrategy({ keys: config.apiKeys, tokens, store });
    enabledGroups.add('apiKey');
  }

  let jwtParts: { strategy: JwtStrategy; issuer: JwtIssuer | null; refreshTokens: RefreshTokens; revocations: Revocations } | null = null;
  if (config.jwt) {
    // A "not before" must outlive every access token issued before it (plus clock tolerance).
    const accessHorizon = config.jwt.accessTtl + config.jwt.clockTolerance * 1000 + 1000;
    const revocations = new Revocations(store, accessHorizon, config.now);
    const strategy = new JwtStrategy({ jwt: config.jwt, store, revocations, now: config.now });
    strategies.jwt = strategy as unknown as Strategy;
    enabledGroups.add('bearer');
    if (revocations.available) tokens.onRevokeAll((actorId) => revocations.revokeActor(actorId));
    jwtParts = {
      strategy,
      issuer: config.jwt.signingKey ? new JwtIssuer(config.jwt, config.now) : null,
      refreshTokens: new RefreshTokens({
        store,
        ttl: config.jwt.refreshTtl,
        revocations,
        // Long enough for the last access token and the last refresh token of the family.
        familyRevocationTtl: Math.max(config.jwt.refreshTtl, accessHorizon) + 60_000,
        now: config.now,
      }),
      revocations,
    };
  }

  let cookieSessions: CookieSessions | null = null;
  if (config.cookie) {
    const revocations = new Revocations(store, config.cookie.absoluteTimeout, config.now);
    cookieSessions = new CookieSessions({ options: config.cookie, store, now: config.now, revocations });
    // Sessions in the Gatehouse store are token records, which revokeAll deletes; a host's
    // own session store is reached through a per-actor "not before" instead.
    if (cookieSessions.revocations?.available) tokens.onRevokeAll((actorId) => revocations.revokeActor(actorId));
    strategies.cookie = new CookieStrategy({ sessions: cookieSessions, store });
    enabledGroups.add('cookie');
  }

  let basicStrategy: HttpsBasicStrategy | null = null;
  if (config.basic && passwordCheck) {
    basicStrategy = new HttpsBasicStrategy({
      passwordCheck: passwordCheck as PasswordCheck,
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
    strategies,
  });
  const render: RenderConfig = {
    realm: config.realm,
    bearerChallenge: enabledGroups.has('bearer'),
    basicChallenge: basicStrategy?.challenge ? basicStrategy.challengeHeader : null,
    formatError: config.formatError,
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
  return {
    tokens,
    passwords,
    authenticate: () => authenticateMiddleware(authenticator, render),
    require: (requireOptions) => requireMiddleware(requireOptions, render),
    routes(routesOptions: RoutesOptions = {}) {
      const sessionsPath = checkPath(routesOptions.paths?.sessions, 'paths.sessions', '/sessions');
      const jwtPath = checkPath(routesOptions.paths?.jwt, 'paths.jwt', '/jwt');
      const router = createRouter();
      router.use((req, res, next) => {
        authenticator.takeUrlCredentials(req, res);
        // Every endpoint here is a POST or a DELETE: leave the router at once for the rest of the API.
        next(req.method === 'POST' || req.method === 'DELETE' ? undefined : 'router');
      });
      router.post(sessionsPath, parseAuthBody);
      addSessionRoutes(router, sessionsPath, {
        authenticator,
        tokens,
        store,
        passwordCheck,
        enders,
        adminRoles: config.adminRoles,
        issueSessionTokens: config.sessionToken !== false,
        cookieSessions,
        sendProblem,
      });
      if (jwtParts) {
        for (const endpoint of ['authenticate', 'refresh', 'verify']) router.post(`${jwtPath}/${endpoint}`, parseAuthBody);
        addJwtRoutes(router, jwtPath, { issuer: jwtParts.issuer, refreshTokens: jwtParts.refreshTokens, strategy: jwtParts.strategy as unknown as Strategy, store, passwordCheck });
      }
      router.use(routeErrorsAsProblems(sendProblem));
      return router;
    },
  };
}
