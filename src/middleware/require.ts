/**
 * `auth.require()`: lets a request through only when `authenticate()` found an allowed actor.
 * Anonymous → 401.1; authenticated but not allowed → 403.1; allowed, but the credential lacks
 * a required scope → 403.5; its sign-in too old or too weak for the route (`maxAge`, `acr`) → 401.6.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AuthInfo } from '../actor';
import { GROUP_OF_SCHEME, SCHEME_IDS, type SchemeId } from '../schemes/ids';
import { fail, knownOptions, type OptionNames } from '../config-error';
import { GatehouseError } from '../errors';
import { missingScopes, scopeListOption } from '../scopes';
import { bearerChallengeValue } from '../schemes/outcome';
import { renderProblem, type RenderConfig } from './render-problem';
import { insufficientUserAuthentication, stepUpRequirement, stepUpShortfall } from './step-up';
import { clientIp, type Emit } from '../events';

/** Options of `auth.require()`. */
export interface RequireOptions {
  /**
   * Actor kinds let in. Default `['user', 'apiKey']`: app users must be let in explicitly.
   * @example auth.require({ actors: ['user', 'appUser'] })
   */
  actors?: string[];
  /**
   * Let in only actors with any of these roles. Default: any roles.
   * @example auth.require({ roles: ['admin'] })
   */
  roles?: string[];
  /**
   * Let in only requests authenticated by one of these schemes. Default: any scheme.
   * @example auth.require({ schemes: ['cookie'] }) // browser-only page
   */
  schemes?: SchemeId[];
  /**
   * Let in only credentials that hold **all of** these scopes (`req.authInfo.scopes`). A scoped
   * credential lacking one is answered 403.5, naming the route's `requiredScopes`; on a bearer
   * scheme (`sessionToken`, `jwt`) with `WWW-Authenticate: Bearer error="insufficient_scope"`
   * (RFC 6750 §3.1). A credential that is not scoped (a password login, a session, a key issued
   * without scopes) is not restricted by scopes; use `roles` or `schemes` to keep it out.
   * Each scope is printable ASCII without spaces, quotes or backslashes. Default: no scopes required.
   * @example auth.require({ scopes: ['reports:read'] })
   */
  scopes?: string[];
  /**
   * Let in only credentials whose actor proved who they are at most this long ago
   * (`req.authInfo.authTime`: the login, a re-authentication at `POST {sessions}/reauthenticate`,
   * a JWT's `auth_time`; Basic proves it on every request). A duration such as `'10m'`, `'30s'`,
   * `'1h'`, `'1d'`, or milliseconds; at least one second. A credential whose sign-in is older,
   * or that has none (API keys, app-user keys, personal tokens), is answered 401.6 with
   * `maxAge` in seconds; on a bearer scheme with RFC 9470's challenge
   * (`error="insufficient_user_authentication"`, `max_age`). Default: any age.
   * @example auth.require({ maxAge: '10m' }) // change the e-mail address
   */
  maxAge?: number | string;
  /**
   * Let in only credentials whose sign-in has one of these authentication context classes
   * (`req.authInfo.acr`): Gatehouse's own are `'single'` (a password) and `'mfa'` (two kinds
   * of factor, such as a password and a one-time code), and `'mfa'` also meets `'single'`; an
   * external issuer's `acr` claim is matched exactly. Otherwise 401.6 with `acrValues`; on a
   * bearer scheme with RFC 9470's challenge (`acr_values`). Default: any.
   * @example auth.require({ acr: 'mfa' })
   */
  acr?: string | string[];
}

/** What `require()` needs besides its options: the instance's clock, and where step-up refusals are reported. */
export interface RequireContext {
  /** The clock `maxAge` is judged by (the `now` option), ms. */
  now: () => number;
  /** Reports `stepUp.refused`; `null` without `onEvent`. */
  emit: Emit;
}

/**
 * A request that `auth.require()` let through: `req.user` and `req.authInfo` are set.
 * `Req` is the request type of the route, e.g. `Request<{ id: string }>` for typed params.
 */
export type AuthenticatedRequest<Req extends Request = Request> = Req & {
  /** The actor let in. */
  user: Express.User;
  /** How it authenticated: the scheme, and the credential's kind and expiry. */
  authInfo: Express.AuthInfo & AuthInfo;
};

/** A route handler that runs only after `auth.require()` let the request through. */
export type AuthenticatedHandler<Req extends Request = Request> = (
  req: AuthenticatedRequest<Req>,
  res: Response,
  next: NextFunction,
) => unknown;

/**
 * What `auth.require()` returns: the middleware itself, plus `handler()` for a route
 * handler typed with the user set.
 *
 * The middleware's call signature is generic over the request's type parameters rather than
 * being a plain `RequestHandler` (whose params are `ParamsDictionary`): Express's route
 * methods infer a route's params from its path (`'/users/:id'` → `{ id: string }`) only when
 * no handler in the list pins them, so a plain `RequestHandler` here would turn
 * `req.params.id` in the handlers after it into `string | string[] | undefined`.
 *
 * @example
 * ```ts
 * app.get('/v1/users/:id', auth.require(), (req, res) => res.json({ id: req.params.id })); // id: string
 * ```
 */
export interface RequireHandler {
  /**
   * The middleware: calls `next()` when the request's actor is let in, otherwise answers
   * 401.1 (anonymous), 403.1 (not allowed), 403.5 (a required scope missing) or 401.6 (the
   * sign-in too old or too weak for `maxAge` or `acr`) itself.
   */
  <P, ResBody, ReqBody, ReqQuery, Locals extends Record<string, any>>(
    req: Request<P, ResBody, ReqBody, ReqQuery, Locals>,
    res: Response<ResBody, Locals>,
    next: NextFunction,
  ): void;
  /**
   * One handler that runs this check, then `route` with `req.user` typed as set (no `!`,
   * no `if`). The same as passing the middleware and then `route`; what `route` returns
   * (a promise, under Express 5) is returned to Express.
   *
   * Route params are not inferred from the path here: TypeScript checks this call before it
   * knows which path the route method was given. Name the request type for typed params, or
   * pass `auth.require()` and the handler separately.
   *
   * @typeParam Req - the route's request type; `Request<{ id: string }>` for a `/:id` route.
   * @param route - the route handler, run only when the request is let in.
   * @returns an Express request handler.
   *
   * @example
   * ```ts
   * app.get('/v1/me', auth.require().handler((req, res) => res.json({ id: req.user.id })));
   * app.get('/v1/users/:id', auth.require().handler<Request<{ id: string }>>((req, res) => res.json({ id: req.params.id })));
   * ```
   */
  handler<Req extends Request = Request>(route: AuthenticatedHandler<Req>): RequestHandler;
}

/**
 * True when `req.user` and `req.authInfo` are set, and narrows `req` to
 * {@link AuthenticatedRequest}: for a handler behind `auth.require()` that is written as a
 * plain Express handler.
 *
 * @example
 * ```ts
 * app.get('/v1/me', auth.require(), (req, res) => {
 *   if (!isAuthenticated(req)) return; // never true behind auth.require()
 *   res.json({ id: req.user.id });
 * });
 * ```
 */
export function isAuthenticated<Req extends Request>(req: Req): req is AuthenticatedRequest<Req> {
  return req.user !== undefined && req.user !== null && req.authInfo !== undefined && req.authInfo !== null;
}


function stringList(value: unknown, name: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0 || !value.every((item) => typeof item === 'string')) {
    fail(name, `${name} must be a non-empty array of strings.`, { where: 'auth.require()' });
  }
  return [...value];
}

/** The options of `auth.require()`; a compile error when it and {@link RequireOptions} disagree. */
const OPTION_NAMES: OptionNames<RequireOptions> = { actors: true, roles: true, schemes: true, scopes: true, maxAge: true, acr: true };

/** The schemes whose credential is a bearer token (RFC 6750), from the precedence groups: they get its `insufficient_scope` challenge. */
const BEARER_SCHEMES: ReadonlySet<string> = new Set(SCHEME_IDS.filter((id) => GROUP_OF_SCHEME[id] === 'bearer'));

/** True when the request's credential is a bearer token (RFC 6750): its refusals carry a `Bearer` challenge. */
function isBearer(req: Request): boolean {
  return req.authInfo?.scheme !== undefined && BEARER_SCHEMES.has(req.authInfo.scheme);
}

/** 403.5 for `actor`, whose credential lacks one of `required`; with RFC 6750's challenge on a bearer scheme. */
function insufficientScope(req: Request, actor: Express.User, required: string[], realm: string): GatehouseError {
  const bearer = isBearer(req);
  return new GatehouseError('403.5', {
    actor,
    extensions: { requiredScopes: required },
    // RFC 6750 §3.1; scopes hold no `"` or `\` (checked at construction), so they need no escaping.
    headers: bearer ? { 'WWW-Authenticate': `${bearerChallengeValue(realm, false)}, error="insufficient_scope", scope="${required.join(' ')}"` } : {},
  });
}

/** Builds the `require` middleware; options are checked here, not per request. */
export function requireMiddleware(options: RequireOptions | undefined, render: RenderConfig, context: RequireContext = { now: Date.now, emit: null }): RequireHandler {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    fail('', 'pass an options object such as { roles: [\'admin\'] }.', { where: 'auth.require()' });
  }
  knownOptions(options ?? {}, OPTION_NAMES, '', { where: 'auth.require()' });
  const actors = new Set(stringList(options?.actors, 'actors') ?? ['user', 'apiKey']);
  const roles = stringList(options?.roles, 'roles');
  const schemes = stringList(options?.schemes, 'schemes');
  const scopes = scopeListOption(options?.scopes, 'scopes', 'auth.require()', { nonEmpty: true });
  const stepUp = stepUpRequirement(options?.maxAge, options?.acr);
  for (const scheme of schemes ?? []) {
    if (!SCHEME_IDS.includes(scheme as SchemeId)) {
      fail('schemes', `unknown scheme '${scheme}' in schemes; use ${SCHEME_IDS.join(', ')}.`, { where: 'auth.require()', code: 'GATEHOUSE_UNKNOWN_OPTION' });
    }
  }

  const gatehouseRequire = function gatehouseRequire(req: Request, res: Response, next: NextFunction): void {
    const actor = req.user;
    if (!actor) return renderProblem(req, res, new GatehouseError('401.1'), render);
    const allowed =
      actors.has(actor.kind) &&
      (!roles || roles.some((role) => actor.roles.includes(role))) &&
      (!schemes || (req.authInfo?.scheme !== undefined && schemes.includes(req.authInfo.scheme)));
    if (!allowed) return renderProblem(req, res, new GatehouseError('403.1', { actor }), render);
    if (scopes && missingScopes(scopes, req.authInfo?.scopes).length > 0) return renderProblem(req, res, insufficientScope(req, actor, scopes, render.realm), render);
    const shortfall = stepUp ? stepUpShortfall(req, stepUp, context.now()) : null;
    if (shortfall) {
      const refusal = insufficientUserAuthentication(actor, stepUp!, shortfall, render.realm, isBearer(req));
      context.emit?.({
        type: 'stepUp.refused', scheme: req.authInfo?.scheme ?? null, actorId: actor.id, ip: clientIp(req), code: '401.6',
        maxAge: shortfall.maxAge ? (refusal.extensions.maxAge as number) : null,
        acrValues: shortfall.acr ? [...(refusal.extensions.acrValues as string[])] : null,
      });
      return renderProblem(req, res, refusal, render);
    }
    next();
  };

  // The cast widens the call signature to RequireHandler's generic one: the check reads only
  // req.user and req.authInfo, which every request type has alike.
  return Object.assign(gatehouseRequire as RequireHandler, {
    handler<Req extends Request>(route: AuthenticatedHandler<Req>): RequestHandler {
      if (typeof route !== 'function') fail('', 'pass a route handler (req, res) => ….', { where: 'auth.require().handler()' });
      return function gatehouseRequired(req: Request, res: Response, next: NextFunction): unknown {
        let result: unknown;
        // gatehouseRequire answers the refusal itself or calls next() synchronously.
        gatehouseRequire(req, res, () => {
          result = route(req as AuthenticatedRequest<Req>, res, next);
        });
        return result;
      };
    },
  });
}
