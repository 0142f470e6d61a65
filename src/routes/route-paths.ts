/**
 * Where the endpoints of `auth.routes()` live: the `paths` option (one type, taken by
 * `auth.routes()` and `auth.openapi()` alike) and its validation.
 */
import { fail, knownOptions, type OptionNames } from '../config-error';
import type { RoutePaths } from '../openapi-facts';

/**
 * Where the endpoints of `auth.routes()` live, relative to the router's mount point: the
 * `paths` option of `auth.routes()` and of `auth.openapi()`. Each path is optional.
 *
 * @example
 * ```ts
 * const paths: RoutePathOptions = { sessions: '/auth/sessions', jwks: '/auth/jwks.json' };
 * app.use('/v1', auth.routes({ paths }));
 * ```
 */
export interface RoutePathOptions {
  /** Login (`POST`), logout of a token by value (`DELETE {sessions}/:token`) and the other session endpoints. Default `'/sessions'`. */
  sessions?: string;
  /** The `POST` login endpoint alone. Default: `sessions`. */
  login?: string;
  /** Logout of the presented credential. Default `'{sessions}/current'`. */
  logout?: string;
  /**
   * Re-authentication (`POST`): the signed-in caller proves their password again, and the
   * credential they present gets a fresh `authTime` for `auth.require({ maxAge })`.
   * Default `'{sessions}/reauthenticate'`.
   */
  reauthenticate?: string;
  /** Prefix of `/authenticate`, `/refresh` and `/verify` for JWTs. Default `'/jwt'`. */
  jwt?: string;
  /** The JSON Web Key Set of the local public keys, served only when they are asymmetric (`jwt.privateKey`/`publicKey` or `jwt.keys`). Default `'/.well-known/jwks.json'`. */
  jwks?: string;
  /** The signed-in user's own endpoints (`selfService`): `{account}/sessions` (list, end one, end the others) and `{account}/password`. Default `'/account'`. */
  account?: string;
  /** The administrators' endpoints (`selfService.adminRevokeAll`): `{admin}/actors/{actorId}/sessions`. Default `'/admin'`. */
  admin?: string;
}

/** The endpoint paths of `auth.routes()`, validated (the type lives with the OpenAPI facts, which the schemes read too). */
export type { RoutePaths };

/** The names of `paths`; a compile error when they and the type disagree. */
const PATHS_OPTION_NAMES: OptionNames<RoutePathOptions> = { sessions: true, login: true, logout: true, reauthenticate: true, jwt: true, jwks: true, account: true, admin: true };

/** Default path of the key set, relative to the router's mount point. */
const DEFAULT_JWKS_PATH = '/.well-known/jwks.json';

/** `name` is the option, e.g. `paths.jwt`; `where` the method, e.g. `auth.routes()`. */
export function checkPath(value: unknown, where: string, name: string, fallback: string, shape = /^\/[A-Za-z0-9/_@-]*$/): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !shape.test(value) || value.endsWith('/')) {
    fail(name, `${name} must be a path such as '${fallback || '/v1'}' (no trailing slash).`, { where });
  }
  return value;
}

/** The endpoint paths of `routes()`, which `openapi()` takes too. */
export function resolveRoutePaths(paths: RoutePathOptions = {}, where: string, logoutMethod: unknown = 'DELETE'): RoutePaths {
  if (!paths || typeof paths !== 'object') fail('paths', `paths must be an object such as { sessions: '/sessions' }.`, { where });
  knownOptions(paths, PATHS_OPTION_NAMES, 'paths', { where });
  if (logoutMethod !== 'DELETE' && logoutMethod !== 'POST') fail('logoutMethod', `logoutMethod must be 'DELETE' or 'POST' (default 'DELETE').`, { where });
  const sessions = checkPath(paths.sessions, where, 'paths.sessions', '/sessions');
  const login = checkPath(paths.login, where, 'paths.login', sessions);
  const logout = checkPath(paths.logout, where, 'paths.logout', `${sessions}/current`);
  if (logoutMethod === 'POST' && logout === login) {
    fail('paths.logout', `paths.logout and paths.login are both POST ${login}; give logout a path of its own.`, { where, code: 'GATEHOUSE_CONFLICTING_OPTIONS' });
  }
  const reauthenticate = checkPath(paths.reauthenticate, where, 'paths.reauthenticate', `${sessions}/reauthenticate`);
  if (reauthenticate === login || (logoutMethod === 'POST' && reauthenticate === logout)) {
    fail('paths.reauthenticate', `paths.reauthenticate is POST ${reauthenticate}, as another endpoint is; give it a path of its own.`, { where, code: 'GATEHOUSE_CONFLICTING_OPTIONS' });
  }
  return {
    sessions,
    login,
    logout,
    logoutMethod,
    reauthenticate,
    jwt: checkPath(paths.jwt, where, 'paths.jwt', '/jwt'),
    // Dots allowed (`/.well-known/…`), but no `.` or `..` segment.
    jwks: checkPath(paths.jwks, where, 'paths.jwks', DEFAULT_JWKS_PATH, /^(\/(?!\.\.?(\/|$))[A-Za-z0-9_.-]+)+$/),
    account: checkPath(paths.account, where, 'paths.account', '/account'),
    admin: checkPath(paths.admin, where, 'paths.admin', '/admin'),
  };
}
