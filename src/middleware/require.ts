/**
 * `auth.require()`: lets a request through only when `authenticate()` found an allowed actor.
 * Anonymous → 401.1; authenticated but not allowed → 403.1.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AuthInfo } from '../actor';
import { SCHEME_IDS, type SchemeId } from '../schemes/ids';
import { fail, knownOptions, type OptionNames } from '../config-error';
import { GatehouseError } from '../errors';
import { renderProblem, type RenderConfig } from './render-problem';

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
}

/**
 * A request that `auth.require()` let through: `req.user` and `req.authInfo` are set.
 * `Req` is the request type of the route, e.g. `Request<{ id: string }>` for typed params.
 */
export type AuthenticatedRequest<Req extends Request = Request> = Req & {
  user: Express.User;
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
 */
export interface RequireHandler extends RequestHandler {
  /**
   * One handler that runs this check, then `route` with `req.user` typed as set (no `!`,
   * no `if`). The same as passing the middleware and then `route`; what `route` returns
   * (a promise, under Express 5) is returned to Express.
   *
   * @example
   * ```ts
   * app.get('/v1/me', auth.require().handler((req, res) => res.json({ id: req.user.id })));
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
const OPTION_NAMES: OptionNames<RequireOptions> = { actors: true, roles: true, schemes: true };

/** Builds the `require` middleware; options are checked here, not per request. */
export function requireMiddleware(options: RequireOptions | undefined, render: RenderConfig): RequireHandler {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    fail('', 'pass an options object such as { roles: [\'admin\'] }.', { where: 'auth.require()' });
  }
  knownOptions(options ?? {}, OPTION_NAMES, '', { where: 'auth.require()' });
  const actors = new Set(stringList(options?.actors, 'actors') ?? ['user', 'apiKey']);
  const roles = stringList(options?.roles, 'roles');
  const schemes = stringList(options?.schemes, 'schemes');
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
    next();
  };

  return Object.assign(gatehouseRequire, {
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
