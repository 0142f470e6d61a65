/**
 * What one endpoint of `auth.routes()` is, in one place: its method and path (from the
 * `paths` option), when it is mounted, its handler and its OpenAPI operation. `endpoints.ts`
 * lists them; `routes()` mounts that list, `openapi()` describes it, and the router's fast
 * filter lets through exactly the (method, path) pairs it holds.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { RoutesContext } from '../context';
import type { Authenticator } from '../middleware/authenticate';
import type { OpenApiObject } from '../openapi-facts';
import type { CredentialEnder } from '../schemes/definition';
import type { SchemeId } from '../schemes/ids';
import type { CookieSessions } from '../schemes/cookie/strategy';
import type { BuiltJwtScheme } from '../schemes/jwt';
import type { SignedInChangeDependencies } from '../passwords/signed-in-change';
import type { IssueLogin } from './issue-login';
import type { RoutePaths } from './route-paths';

/** The methods the endpoints answer. */
type EndpointMethod = 'GET' | 'POST' | 'DELETE';

/** What an endpoint is mounted, and built, from: the instance's context and what its schemes built. */
export interface EndpointContext extends RoutesContext {
  /** Decides who a request is (the logout endpoints authenticate on their own). */
  authenticator: Authenticator;
  /** How each scheme's credential is ended at logout (from its definition). */
  enders: Partial<Record<SchemeId, CredentialEnder>>;
  /** Browser sessions, when the cookie scheme is on. */
  cookieSessions: CookieSessions | null;
  /** The JWT scheme's parts, when it is on. */
  jwt: BuiltJwtScheme | null;
  /** The schemes that are on and detected: what a request to the logout endpoints can present. */
  schemes: ReadonlySet<SchemeId>;
  /** Hands out the credentials of a proven login (`issue-login.ts`). */
  issueLogin: IssueLogin;
  /** A signed-in user's password change (`selfService.passwordChange`); `null` when the store cannot do it. */
  signedInChange: SignedInChangeDependencies | null;
}

/** What an endpoint's OpenAPI operation is described from. */
interface OperationContext {
  paths: RoutePaths;
  mountPath: string;
  /** The schemes that are on and detected. */
  schemes: ReadonlySet<SchemeId>;
  /** One security requirement per security scheme the document defines: "any credential". */
  anyCredential: Array<Record<string, string[]>>;
}

/** One endpoint of `auth.routes()`. */
export interface Endpoint {
  /** Stable id; its OpenAPI `operationId`. */
  readonly id: string;
  /** Its method, given the paths (logout's follows `logoutMethod`). */
  method(paths: RoutePaths): EndpointMethod;
  /** Its path relative to the router, from the `paths` option; `:name` for a path parameter. */
  path(paths: RoutePaths): string;
  /** Whether `routes()` serves it (and `openapi()` describes it), given what the instance resolved. */
  mounted(context: EndpointContext): boolean;
  /** Reads a JSON or form body first (`login-body.ts`). Default: no body. */
  readonly body?: boolean;
  /** Reports a 401 it answers as `credential.refused` for this scheme (a credential sent in the body). */
  readonly refusalsOf?: SchemeId;
  /** Builds its handler once per `routes()`; a rejection is answered as a problem. */
  handler(context: EndpointContext): RequestHandler;
  /** Its OpenAPI 3.1 operation object. */
  openapi(context: OperationContext): OpenApiObject;
}

/** An async handler whose rejection goes to the router's error handler. */
export function handle(handler: (req: Request, res: Response) => Promise<void>): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    handler(req, res).catch(next);
  };
}

/** The OpenAPI form of an Express path: `:token` becomes `{token}`. */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/**
 * The requests the router may serve, by method: a method not in the map is served by no
 * endpoint; GET (and HEAD) by the exact paths of the GET endpoints; any other method by the
 * router, which matches paths as Express does (case-insensitive, a trailing slash allowed).
 * One map lookup decides most requests (a GET no endpoint serves).
 */
export type ServedRequests = ReadonlyMap<string, 'any' | ReadonlySet<string>>;

/** The {@link ServedRequests} of the mounted endpoints at these paths. */
export function servedRequests(endpoints: readonly Endpoint[], paths: RoutePaths): ServedRequests {
  const served = new Map<string, 'any' | Set<string>>();
  for (const endpoint of endpoints) {
    const method = endpoint.method(paths);
    const path = endpoint.path(paths);
    if (method !== 'GET') {
      served.set(method, 'any');
      continue;
    }
    for (const name of ['GET', 'HEAD']) {
      const known = served.get(name);
      if (path.includes(':')) served.set(name, 'any');
      else if (known !== 'any') served.set(name, (known ?? new Set<string>()).add(path));
    }
  }
  return served;
}
