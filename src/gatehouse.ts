/**
 * `gatehouse(options)`: validates the options once and wires the parts together —
 * detection, one strategy per scheme, the composite middleware, `require`, the routes
 * and the token service — over a store whose every call fails closed.
 */
import { Router, type ErrorRequestHandler, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { PassportStrategy as Strategy } from './schemes/passport-base';
import { GatehouseError } from './errors';
import { fail, knownOptions, type OptionNames } from './config-error';
import { scopeListOption } from './scopes';
import { createCallbackErrorReporter, createEmit, reportingRefusals } from './events';
import { Authenticator, authenticateMiddleware } from './middleware/authenticate';
import { renderProblem, type RenderConfig } from './middleware/render-problem';
import { requireMiddleware, type RequireHandler, type RequireOptions } from './middleware/require';
import { resolveOptions, type GatehouseOptions } from './options';
import { detectionConfig } from './detect';
import { buildOpenApi, securityRequirements, type OpenApiDescription, type OpenApiFragment, type OpenApiOptions, type OpenApiSecurityOptions } from './openapi';
import { guardedResponses, type ChallengeScheme } from './responses';
import type { Endpoint, EndpointContext } from './routes/endpoint';
import { servedRequests } from './routes/endpoint';
import { ENDPOINTS } from './routes/endpoints';
import { createIssueLogin } from './routes/issue-login';
import { OidcService } from './oidc/service';
import { parseAuthBody } from './routes/login-body';
import { routeErrorsAsProblems } from './routes/route-errors';
import { checkPath, resolveRoutePaths, type RoutePathOptions } from './routes/route-paths';
import { ChangeTickets } from './passwords/change-ticket';
import { PasswordHasher } from './passwords/hasher';
import { Lockout } from './passwords/lockout';
import { PasswordCheck } from './passwords/password-check';
import { VerificationCache } from './passwords/verification-cache';
import type { GatehouseContext, RoutesContext } from './context';
import type { CredentialEnder, SchemeChallenge } from './schemes/definition';
import { GROUP_OF_SCHEME, SCHEME_IDS, type SchemeGroup, type SchemeId } from './schemes/ids';
import { buildSchemes, DETECTION_TABLE, revocationHorizons } from './schemes/registry';
import { guardStore } from './store/guard';
import type { AttemptStore, CredentialStore, SecondFactorStore } from './store/types';
import { SecondFactors } from './second-factor/second-factors';
import { Revocations } from './tokens/revocations';
import { SignIns } from './tokens/sign-ins';
import { TokenService } from './tokens/token-service';
import { RateLimiter } from './rate-limits/limiter';
import { changeSignedInPassword, END_ON_PASSWORD_CHANGE, type EndOnPasswordChange, type SignedInChangeDependencies } from './passwords/signed-in-change';
import { currentCredentialOfAuthenticated, keepCurrentSession, referenceOfAuthenticated } from './routes/signed-in-user';
import { normalizeLogin } from './login';

/**
 * How long a per-actor "not before" is kept at the least, in ms: longer than any login or
 * refresh can take between its proof of identity and its check of the "not before" (the
 * store timeout and the bcrypt queue bound each step to seconds).
 */
const IN_FLIGHT_PROOF_WINDOW = 10 * 60 * 1000;

/** A Router's `handle` (express's types leave it out). */
type RouterHandle = (req: Request, res: Response, next?: NextFunction) => void;

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
  paths?: RoutePathOptions;
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
  /**
   * The OpenAPI `security` of one of your operations guarded by `auth.require({ schemes, scopes })`:
   * a requirement per security scheme of {@link Gatehouse.openapi} that is on and allowed, each
   * listing the scopes the route requires (OAuth2-style scope lists, which OpenAPI 3.1 allows for
   * every scheme type), so API docs and clients know which scopes a key needs.
   * @example
   * ```ts
   * app.get('/v1/reports', auth.require({ scopes: ['reports:read'] }), listReports);
   * appPaths['/v1/reports'] = { get: { security: auth.openapiSecurity({ scopes: ['reports:read'] }), responses } };
   * // [{ apiKey: ['reports:read'] }, { apiKeyQuery: ['reports:read'] }, { bearer: ['reports:read'] }, …]
   * ```
   */
  openapiSecurity(options?: OpenApiSecurityOptions): Array<Record<string, string[]>>;
  /** Issue, verify, list and revoke opaque tokens (by token, by id, or all of an actor's). */
  readonly tokens: TokenService;
  /** bcrypt `hash(plain)` / `verify(plain, hash)` with the configured cost, cap and prehash, and a signed-in user's `change`. */
  readonly passwords: PasswordHasher & PasswordChanging;
  /** Failed-login counters: `clear(login)` unlocks a login. */
  readonly lockout: LockoutAdministration;
}

/** What `auth.passwords.change` takes besides the request. */
export interface ChangePasswordInput {
  /** The login the current password belongs to (it must be the signed-in user's own). */
  login: string;
  /** The current password, checked as a login checks it (lockout, timing). */
  currentPassword: string;
  /** The new password, checked against `passwordPolicy`. */
  newPassword: string;
  /**
   * Which credentials of the user end once the password has changed: `'others'` (default: every
   * credential but the one `req` is made with, which stays signed in), `'all'` (`tokens.revokeAll`)
   * or `'none'`.
   * @example { end: 'all' }
   */
  end?: EndOnPasswordChange;
}

/** What `auth.passwords.change` resolves to. */
export interface PasswordChangeResult {
  /** How many credentials ended (`end`): `0` with `'none'`. */
  ended: number;
}

/** `auth.passwords.change`: a signed-in user's own password change. */
export interface PasswordChanging {
  /**
   * Changes the password of the user `req` is signed in as (`auth.authenticate()` has run; an
   * actor of kind `user`), as `POST {account}/password` does: the current password through the
   * login's lockout and timing, the new one through `passwordPolicy`, saved with the store's
   * `changePassword`, then the other sign-ins end (`end`). Resolves to how many credentials ended;
   * rejects with a `GatehouseError` (401.1 no user, 403.1 not a user, 401.2, 403.2, 400.1, 503.1, 503.2).
   *
   * @example
   * ```ts
   * app.post('/me/password', auth.require(), async (req, res, next) => {
   *   try {
   *     await auth.passwords.change(req, { login: req.body.login, currentPassword: req.body.current, newPassword: req.body.next });
   *     res.json({ changed: true });
   *   } catch (error) { next(error); }
   * });
   * ```
   */
  change(req: Request, input: ChangePasswordInput): Promise<PasswordChangeResult>;
}

/** `auth.lockout`. */
export interface LockoutAdministration {
  /**
   * Unlocks a login: clears its failed-attempt counters (with `lockout.by: 'login+ip'`, every
   * client's, when the store has `clearAttemptsOf`) on every instance sharing the store, and
   * reports `lockout.cleared`. Resolves to the failures cleared.
   *
   * @example
   * ```ts
   * await auth.lockout.clear('alice@example.org');
   * ```
   */
  clear(login: string): Promise<number>;
}

/** The options of `auth.routes()` and of `auth.openapi()`; compile errors when they and the types disagree. */
const ROUTES_OPTION_NAMES: OptionNames<RoutesOptions> = { paths: true, logoutMethod: true };
const OPENAPI_OPTION_NAMES: OptionNames<OpenApiOptions> = { paths: true, logoutMethod: true, mountPath: true };
const OPENAPI_SECURITY_OPTION_NAMES: OptionNames<OpenApiSecurityOptions> = { schemes: true, scopes: true };
const CHANGE_PASSWORD_INPUT_NAMES: OptionNames<ChangePasswordInput> = { login: true, currentPassword: true, newPassword: true, end: true };

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
  return createGatehouse(options, ENDPOINTS);
}

/**
 * {@link gatehouse} over a given endpoint table: the table's extension point, for tests that
 * add an endpoint without touching anything but its entry.
 */
export function createGatehouse(options: GatehouseOptions, endpointTable: readonly Endpoint[]): Gatehouse {
  const config = resolveOptions(options);
  const store = guardStore(config.store, config.storeTimeout);
  const { schemes } = config;
  // One "not before" per actor, kept as long as the longest-lived credential that revokeAll
  // cannot delete (each scheme says which: JWT access tokens, sessions in a host's own
  // session store) and at least as long as any login or refresh could still be in flight.
  const revocations = new Revocations(store, Math.max(IN_FLIGHT_PROOF_WINDOW, ...revocationHorizons(config)), config.now);
  // One reporting function for every part (audit events); null when there is no onEvent.
  const emit = createEmit(config.onEvent, config.now);
  // A host's shaper that fails is reported and answered around, never fatal.
  const reportCallbackError = createCallbackErrorReporter(emit);
  const tokens = new TokenService({
    emit,
    store,
    now: config.now,
    revocations,
    lastUsedInterval: config.lastUsedInterval,
    rateLimits: config.rateLimits,
    apiKeyPolicy: config.apiKeyPolicy,
    lifetimes: {
      sessionTtl: schemes.sessionToken ? schemes.sessionToken.ttl : 24 * 60 * 60 * 1000,
      sessionIdleTimeout: schemes.sessionToken ? schemes.sessionToken.idleTimeout : null,
    },
  });

  const passwords = new PasswordHasher({ ...config.passwords, now: config.now });
  // Login, Basic and the second step share one lockout: wrong codes count with wrong passwords.
  const lockout = config.lockout === false ? false : new Lockout({ store: store as AttemptStore, options: config.lockout, now: config.now });
  const secondFactors = config.secondFactor
    ? new SecondFactors({ store: store as Required<SecondFactorStore>, options: config.secondFactor, lockout, now: config.now })
    : null;
  // Login and Basic share one check: one lockout counter, one bcrypt queue.
  const passwordCheck: PasswordCheck | null = store.findCredentials
    ? new PasswordCheck({
        store: store as Pick<CredentialStore, 'findCredentials'>,
        hasher: passwords,
        lockout,
        ...(secondFactors ? { secondFactors } : {}),
        cache: schemes.basic && schemes.basic.cache ? new VerificationCache({ ...schemes.basic.cache, now: config.now }) : undefined,
        now: config.now,
      })
    : null;

  const passwordChange = config.passwordChange
    ? { tickets: new ChangeTickets({ ttl: config.passwordChange.ttl, secret: config.passwordChange.secret, now: config.now }), hasher: passwords }
    : null;

  // A user's own sign-ins, when the store can list an actor's tokens.
  const signIns = store.listTokens ? new SignIns({
        store,
        tokens,
        revocations: revocations.available ? revocations : null,
        emit,
        now: config.now,
        cookieIdleTimeout: schemes.cookie ? schemes.cookie.idleTimeout : null,
      }) : null;
  // Every scheme that is on, built from its definition (schemes/registry.ts).
  const context: GatehouseContext = {
    config: { ...config, responses: guardedResponses(config.responses, reportCallbackError) },
    store,
    tokens,
    revocations,
    signIns,
    passwordCheck,
    passwordChange,
    secondFactors,
    emit,
    reportCallbackError,
    now: config.now,
    limiter: config.rateLimits ? new RateLimiter(config.rateLimits, store, config.now, emit) : null,
  };
  const built = buildSchemes(config, context);
  const strategies: Partial<Record<SchemeId, Strategy>> = {};
  const enders: Partial<Record<SchemeId, CredentialEnder>> = {};
  const enabledGroups = new Set<SchemeGroup>();
  // `responses.challenges`, when given, chooses; otherwise each scheme's default (Bearer when on, Basic when asked for).
  const chosen = config.responses.challenges;
  const challengeValues = new Map<ChallengeScheme, SchemeChallenge['value']>();
  for (const id of SCHEME_IDS) {
    const scheme = built[id];
    if (!scheme) continue;
    strategies[id] = scheme.strategy;
    enabledGroups.add(GROUP_OF_SCHEME[id]);
    if (scheme.end) enders[id] = scheme.end;
    const { challenge } = scheme;
    if (challenge && !challengeValues.has(challenge.scheme) && (chosen ? chosen.has(challenge.scheme) : challenge.sentByDefault)) {
      challengeValues.set(challenge.scheme, challenge.value);
    }
  }
  const jwtParts = built.jwt ?? null;
  const cookieSessions = built.cookie ? built.cookie.sessions : null;

  const precedence = config.precedence.filter((group) => enabledGroups.has(group));
  const authenticator = new Authenticator({
    detection: detectionConfig(DETECTION_TABLE, { precedence, on: new Set(Object.keys(strategies) as SchemeId[]), cookieName: schemes.cookie ? schemes.cookie.name : null }),
    urlCredentials: { appUserUrl: schemes.appUserUrl, apiKeyQuery: schemes.apiKey !== false },
    multipleCredentials: config.multipleCredentials,
    methods: config.methods,
    strategies,
    emit,
  });
  const render: RenderConfig = {
    realm: config.realm,
    challenges: [...challengeValues.values()],
    formatError: config.responses.error,
    maxRetriesExceeded: config.responses.maxRetriesExceeded,
    formatErrorOption: config.responses.errorOption,
    reportCallbackError,
  };
  const sendProblem = (req: Parameters<RequestHandler>[0], res: Parameters<RequestHandler>[1], error: GatehouseError) =>
    renderProblem(req, res, error, render);
  const routesContext: RoutesContext = { ...context, sendProblem };
  const signedInChange: SignedInChangeDependencies | null =
    passwordCheck && signIns && store.findCredentials && store.changePassword
      ? { store, passwordCheck, hasher: passwords, policy: config.passwordPolicy, tokens, signIns, emit, reportCallbackError }
      : null;

  const detectedSchemes = new Set((Object.keys(strategies) as SchemeId[]).filter((id) => precedence.includes(GROUP_OF_SCHEME[id])));
  const endpointContext: EndpointContext = {
    ...routesContext,
    authenticator,
    enders,
    cookieSessions,
    jwt: jwtParts,
    schemes: detectedSchemes,
    issueLogin: createIssueLogin({ ...routesContext, jwt: jwtParts }),
    oidc: config.oidc ? new OidcService(config.oidc, store, schemes.cookie ? schemes.cookie.secrets[0]! : null, emit) : null,
    signedInChange,
  };
  // Each endpoint's mount condition is over what construction resolved: decided once.
  const endpoints = endpointTable.filter((endpoint) => endpoint.mounted(endpointContext));
  const openApiFacts: OpenApiDescription = { schemes: detectedSchemes, cookieName: schemes.cookie ? schemes.cookie.name : null, secondFactor: secondFactors !== null, endpoints, rateLimited: config.rateLimits !== null && schemes.apiKey !== false, rateLimitHeaders: config.rateLimits?.headers };
  const passwordsApi = passwords as PasswordHasher & PasswordChanging;
  Object.defineProperty(passwordsApi, 'change', {
    enumerable: false,
    value: async (req: Request, input: ChangePasswordInput): Promise<PasswordChangeResult> => {
      if (!signedInChange) {
        fail('store', 'auth.passwords.change needs a store with findCredentials(), changePassword() and listTokens().', { where: 'auth.passwords.change', code: 'GATEHOUSE_STORE_METHODS_MISSING' });
      }
      const actor = req?.user;
      if (!actor) throw new GatehouseError('401.1');
      if (actor.kind !== 'user') throw new GatehouseError('403.1');
      if (!input || typeof input !== 'object') fail('', 'pass { login, currentPassword, newPassword }.', { where: 'auth.passwords.change', code: 'GATEHOUSE_MISSING_OPTION' });
      knownOptions(input, CHANGE_PASSWORD_INPUT_NAMES, '', { where: 'auth.passwords.change' });
      const end = input.end ?? 'others';
      if (!END_ON_PASSWORD_CHANGE.includes(end)) fail('end', "end must be 'others', 'all' or 'none' (default 'others').", { where: 'auth.passwords.change' });
      for (const field of ['login', 'currentPassword', 'newPassword'] as const) {
        if (typeof input[field] !== 'string' || input[field] === '') throw new GatehouseError('400.1', { detail: `${field} is required.`, extensions: { field } });
      }
      const scheme = req.authInfo?.scheme;
      if (!scheme) throw new GatehouseError('401.1');
      const current = currentCredentialOfAuthenticated(req, cookieSessions);
      const { ended, notBefore } = await changeSignedInPassword(signedInChange, { actor, scheme, login: input.login, currentPassword: input.currentPassword, newPassword: input.newPassword, end, current, req });
      if (req.res) await keepCurrentSession(cookieSessions, referenceOfAuthenticated(req), notBefore, req, req.res);
      return { ended };
    },
  });
  const lockoutApi: LockoutAdministration = {
    async clear(login: string): Promise<number> {
      if (typeof login !== 'string' || login.trim() === '') fail('login', 'login must be a non-empty string.', { where: 'auth.lockout.clear' });
      const normalized = normalizeLogin(login);
      const found = store.findCredentials ? await store.findCredentials(normalized) : null;
      const actorId = found ? found.actor.id : null;
      const count = lockout ? await lockout.clear(normalized, actorId) : 0;
      emit?.({ type: 'lockout.cleared', scheme: null, actorId, ip: null, code: null, login: normalized, count });
      return count;
    },
  };
  return {
    tokens,
    passwords: passwordsApi,
    lockout: lockoutApi,
    openapi(openApiOptions: OpenApiOptions = {}) {
      if (openApiOptions && typeof openApiOptions === 'object') knownOptions(openApiOptions, OPENAPI_OPTION_NAMES, '', { where: 'auth.openapi()' });
      const mountPath = openApiOptions.mountPath === '' ? '' : checkPath(openApiOptions.mountPath, 'auth.openapi()', 'mountPath', '');
      return buildOpenApi(openApiFacts, resolveRoutePaths(openApiOptions.paths, 'auth.openapi()', openApiOptions.logoutMethod), mountPath);
    },
    openapiSecurity(securityOptions: OpenApiSecurityOptions = {}) {
      const where = 'auth.openapiSecurity()';
      if (!securityOptions || typeof securityOptions !== 'object') fail('', "options must be an object such as { scopes: ['reports:read'] }.", { where });
      knownOptions(securityOptions, OPENAPI_SECURITY_OPTION_NAMES, '', { where });
      const allowed = securityOptions.schemes;
      if (allowed !== undefined && !(Array.isArray(allowed) && allowed.every((id) => (SCHEME_IDS as readonly string[]).includes(id)))) {
        fail('schemes', `schemes must be an array of ${SCHEME_IDS.map((id) => `'${id}'`).join(', ')}, as require({ schemes }) takes.`, { where });
      }
      const scopes = scopeListOption(securityOptions.scopes, 'scopes', where) ?? [];
      return securityRequirements(openApiFacts, resolveRoutePaths(undefined, where), allowed, scopes);
    },
    authenticate: () => authenticateMiddleware(authenticator, render),
    require: (requireOptions) => requireMiddleware(requireOptions, render, { now: config.now, emit }),
    routes(routesOptions: RoutesOptions = {}) {
      if (routesOptions && typeof routesOptions === 'object') knownOptions(routesOptions, ROUTES_OPTION_NAMES, '', { where: 'auth.routes()' });
      const paths = resolveRoutePaths(routesOptions.paths, 'auth.routes()', routesOptions.logoutMethod);
      const router = Router();
      // Requests no endpoint serves (most of the API: GETs) leave before the router dispatches
      // at all: its dispatch, for a request it would only pass on, cost every authenticated
      // request ~10 k CPU instructions, by `npm run bench:instructions`. What is served comes from the mounted endpoints.
      const served = servedRequests(endpoints, paths);
      const dispatch = (router as unknown as { handle: RouterHandle }).handle;
      (router as unknown as { handle: RouterHandle }).handle = function handle(this: unknown, req, res, next) {
        authenticator.takeUrlCredentials(req, res);
        if (typeof next === 'function') {
          const known = served.get(req.method);
          if (known === undefined || (known !== 'any' && !known.has(req.path))) return next();
        }
        return dispatch.call(this, req, res, next);
      };
      for (const endpoint of endpoints) {
        const handlers: Array<RequestHandler | ErrorRequestHandler> = [...(endpoint.body ? parseAuthBody : []), endpoint.handler(endpointContext)];
        if (emit && endpoint.refusalsOf) handlers.push(reportingRefusals(emit, endpoint.refusalsOf));
        router[endpoint.method(paths).toLowerCase() as 'get' | 'post' | 'delete'](endpoint.path(paths), ...handlers);
      }
      router.use(routeErrorsAsProblems(sendProblem, emit));
      return router;
    },
  };
}
