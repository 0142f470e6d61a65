/**
 * `auth.openapi()`: the OpenAPI 3.1 description of what Gatehouse adds to an API — one
 * security scheme per credential that is on, and the endpoints of `auth.routes()` — for a
 * host to merge into its own document, so API docs and generated clients know how to
 * authenticate. Built from the validated options, so it never describes a scheme or an
 * endpoint that is off.
 */
import type { SchemeId } from './schemes/ids';
import { SCHEME_DEFINITIONS } from './schemes/registry';
import { PROBLEMS, type ProblemCode } from './errors';
import { JWKS_MAX_AGE_SECONDS } from './routes/jwks';

/** The endpoint paths of `auth.routes()`, validated. */
export interface RoutePaths {
  sessions: string;
  /** `POST` login; default `sessions`. */
  login: string;
  /** Logout of the presented credential; default `${sessions}/current`. */
  logout: string;
  logoutMethod: 'DELETE' | 'POST';
  jwt: string;
  jwks: string;
}

/** What is on, as `gatehouse()` resolved it. */
/** What a scheme's `securitySchemes` describes itself from. */
export interface SecuritySchemeContext {
  facts: OpenApiFacts;
  paths: RoutePaths;
  mountPath: string;
}

export interface OpenApiFacts {
  /** Schemes whose strategy is on and whose credential is detected. */
  schemes: ReadonlySet<SchemeId>;
  /** Session cookie name, when cookies are on. */
  cookieName: string | null;
  /** Which endpoints `routes()` serves. */
  endpoints: { login: boolean; passwordChange: boolean; jwtAuthenticate: boolean; jwtRefresh: boolean; jwtVerify: boolean; jwks: boolean };
}

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
  /** Prefix of `/authenticate`, `/refresh` and `/verify` for JWTs. Default `'/jwt'`. */
  jwt?: string;
  /** The JSON Web Key Set of the local public keys. Default `'/.well-known/jwks.json'`. */
  jwks?: string;
}

/**
 * Options of `auth.openapi()`.
 *
 * @example
 * ```ts
 * app.use('/v1', auth.routes({ paths: { sessions: '/auth/sessions' } }));
 * const { paths, components } = auth.openapi({ paths: { sessions: '/auth/sessions' }, mountPath: '/v1' });
 * ```
 */
export interface OpenApiOptions {
  /**
   * The same `paths` given to `auth.routes()`, so the document matches the router.
   * Default `{ sessions: '/sessions', jwt: '/jwt', jwks: '/.well-known/jwks.json' }`.
   */
  paths?: RoutePathOptions;
  /** The same `logoutMethod` given to `auth.routes()`. Default `'DELETE'`. */
  logoutMethod?: 'DELETE' | 'POST';
  /**
   * Where `auth.routes()` is mounted, put in front of every path, e.g. `'/v1'`. Leave it out
   * (default `''`) when the document's `servers` URL already ends with the mount point.
   */
  mountPath?: string;
}

/** A JSON object of the OpenAPI document. */
export type OpenApiObject = Record<string, unknown>;

/** What `auth.openapi()` returns: merge `paths` and `components` into the host's document. */
export interface OpenApiFragment {
  /** Path items of the endpoints `routes()` serves, keyed by their full path (with `mountPath`). */
  paths: Record<string, OpenApiObject>;
  /** Components the paths refer to; merge each map into the document's own. */
  components: {
    /** Security scheme objects of the schemes that are on, for the API's own `security` requirements. */
    securitySchemes: Record<string, OpenApiObject>;
    /** Schemas of the endpoints' bodies, among them `GatehouseProblem` for every failure. */
    schemas: Record<string, OpenApiObject>;
  };
}

const PROBLEM_REF = { $ref: '#/components/schemas/GatehouseProblem' };
const JSON_AND_FORM = ['application/json', 'application/x-www-form-urlencoded'];

/** Security scheme objects of the schemes that are on, each from its definition (`securitySchemes`). */
function securitySchemes(facts: OpenApiFacts, paths: RoutePaths, mountPath: string): Record<string, OpenApiObject> {
  const schemes: Record<string, OpenApiObject> = {};
  for (const definition of SCHEME_DEFINITIONS) {
    if (facts.schemes.has(definition.id)) Object.assign(schemes, definition.securitySchemes({ facts, paths, mountPath }));
  }
  return schemes;
}

const SCHEMAS: Record<string, OpenApiObject> = {
  GatehouseProblem: {
    type: 'object',
    description: 'RFC 9457 problem details (`application/problem+json`); `code` is stable, e.g. `401.2`. Unless the host reshapes errors with `formatError`.',
    required: ['type', 'title', 'status', 'code'],
    properties: {
      type: { type: 'string', examples: ['about:blank'] },
      title: { type: 'string' },
      status: { type: 'integer' },
      detail: { type: 'string' },
      code: { type: 'string', enum: Object.keys(PROBLEMS) },
      field: { type: 'string', description: 'The body field at fault (400.1).' },
      lockoutTimeRemaining: { type: 'integer', description: 'Seconds until the login may be tried again (403.2).' },
      maxRetriesExceeded: { type: ['boolean', 'integer'], description: '`true` (403.2); `1` with `responses.maxRetriesExceeded: \'integer\'`.' },
      changeTicket: { type: 'string', description: 'With `passwordChange` on (403.3 from a login): send it to `POST {sessions}/password` with the new password. Short-lived, single-use.' },
    },
  },
  GatehouseLogin: {
    type: 'object',
    description: 'The login may be sent as `login`, `email` or `username`.',
    required: ['password'],
    anyOf: [{ required: ['login'] }, { required: ['email'] }, { required: ['username'] }],
    properties: {
      login: { type: 'string' },
      email: { type: 'string' },
      username: { type: 'string' },
      password: { type: 'string', format: 'password' },
    },
  },
  GatehouseSuccess: { type: 'object', required: ['success'], properties: { success: { const: true } } },
  GatehouseJwtPair: {
    type: 'object',
    required: ['access', 'refresh', 'accessExpiresAt', 'refreshExpiresAt'],
    properties: {
      access: { type: 'string', description: 'JWT access token, for `Authorization: Bearer`.' },
      refresh: { type: 'string', description: 'Opaque refresh token; each use returns a new one (re-using an old one ends the whole family).' },
      accessExpiresAt: { type: 'string', format: 'date-time' },
      refreshExpiresAt: { type: 'string', format: 'date-time' },
    },
  },
};

function problems(codes: ProblemCode[]): Record<string, OpenApiObject> {
  const byStatus = new Map<number, ProblemCode[]>();
  for (const code of codes) byStatus.set(PROBLEMS[code].status, [...(byStatus.get(PROBLEMS[code].status) ?? []), code]);
  return Object.fromEntries(
    [...byStatus].map(([status, list]) => [
      String(status),
      { description: list.map((code) => `${code}: ${PROBLEMS[code].detail}`).join(' '), content: { 'application/problem+json': { schema: PROBLEM_REF } } },
    ]),
  );
}

function jsonBody(schema: OpenApiObject, mediaTypes = ['application/json']): OpenApiObject {
  return { required: true, content: Object.fromEntries(mediaTypes.map((type) => [type, { schema }])) };
}

function ok(description: string, schema: OpenApiObject): OpenApiObject {
  return { description, headers: { 'Cache-Control': { schema: { type: 'string', const: 'no-store' } } }, content: { 'application/json': { schema } } };
}

const LOGIN_PROBLEMS: ProblemCode[] = ['400.1', '401.2', '403.2', '403.3', '503.1', '503.2'];
const TAGS = ['Authentication'];

/** A POST endpoint that takes no credential, only its body (JSON or form). */
function credentialFreePost(operationId: string, summary: string, body: OpenApiObject, responses: OpenApiObject, description?: string): OpenApiObject {
  return { post: { operationId, tags: TAGS, summary, ...(description ? { description } : {}), security: [], requestBody: jsonBody(body, JSON_AND_FORM), responses } };
}

function endpoints(facts: OpenApiFacts, paths: RoutePaths, mountPath: string, schemeNames: string[]): Record<string, OpenApiObject> {
  const anyCredential = schemeNames.map((name) => ({ [name]: [] }));
  const result: Record<string, OpenApiObject> = {};
  const sessions = `${mountPath}${paths.sessions}`;
  const cookie = facts.schemes.has('cookie');
  // `paths.login` and `paths.logout` may name the same path (with other methods): merge, never overwrite.
  if (facts.endpoints.login) {
    const loginSchema = cookie
      ? { allOf: [{ $ref: '#/components/schemas/GatehouseLogin' }, { type: 'object', properties: { session: { type: 'boolean', description: '`true`: sign in with the session cookie instead of a bearer token.' } } }] }
      : { $ref: '#/components/schemas/GatehouseLogin' };
    result[`${mountPath}${paths.login}`] = credentialFreePost(
      'gatehouseLogin',
      'Log in',
      loginSchema,
      {
        '200': ok('Logged in.', {
          type: 'object',
          required: ['previousAccessFailedCount'],
          properties: {
            token: { type: 'string', description: 'Opaque session token, shown this once.' },
            createdAt: { type: 'string', format: 'date-time' },
            expiresAt: { type: ['string', 'null'], format: 'date-time' },
            csrf: { type: 'string', description: 'With `session: true`: send it as `X-CSRF-Token` on cross-origin unsafe requests.' },
            previousAccessFailedCount: { type: 'integer', description: 'Failed attempts since the last successful login.' },
          },
        }),
        ...problems(cookie ? [...LOGIN_PROBLEMS, '401.3', '403.4'] : LOGIN_PROBLEMS),
      },
      'Any credential sent with the request is ignored. Unknown login and wrong password answer alike.',
    );
  }
  if (facts.endpoints.passwordChange) {
    result[`${sessions}/password`] = credentialFreePost(
      'gatehouseChangeExpiredPassword',
      'Change an expired password with the changeTicket of its 403.3',
      { type: 'object', required: ['ticket', 'password'], properties: { ticket: { type: 'string' }, password: { type: 'string', format: 'password' } } },
      { '200': ok('Changed; every credential of the actor has ended.', { $ref: '#/components/schemas/GatehouseSuccess' }), ...problems(['400.1', '401.2', '401.4', '503.1', '503.2']) },
    );
  }
  if (anyCredential.length > 0) {
    const logout = `${mountPath}${paths.logout}`;
    result[logout] = {
      ...result[logout],
      [paths.logoutMethod.toLowerCase()]: {
        operationId: 'gatehouseLogout',
        tags: TAGS,
        summary: 'Log out: end the credential this request is made with',
        security: anyCredential,
        responses: { '200': ok('Ended.', { $ref: '#/components/schemas/GatehouseSuccess' }), ...problems(['401.1', '401.2', '403.1', '503.1']) },
      },
    };
    result[`${sessions}/{token}`] = {
      ...result[`${sessions}/{token}`],
      delete: {
        operationId: 'gatehouseEndSession',
        tags: TAGS,
        summary: 'End one of your own session tokens (any, with an admin role)',
        security: anyCredential,
        parameters: [{ name: 'token', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': ok('Ended.', { $ref: '#/components/schemas/GatehouseSuccess' }), ...problems(['401.1', '401.2', '403.1', '503.1']) },
      },
    };
  }
  const jwt = `${mountPath}${paths.jwt}`;
  const pair = ok('A new access token and refresh token.', { $ref: '#/components/schemas/GatehouseJwtPair' });
  if (facts.endpoints.jwtAuthenticate) {
    result[`${jwt}/authenticate`] = credentialFreePost('gatehouseJwtAuthenticate', 'Log in for a JWT access token and a refresh token', { $ref: '#/components/schemas/GatehouseLogin' }, {
      '200': pair,
      ...problems(LOGIN_PROBLEMS),
    });
  }
  if (facts.endpoints.jwtRefresh) {
    result[`${jwt}/refresh`] = credentialFreePost('gatehouseJwtRefresh', 'Trade a refresh token for a new pair', { type: 'object', required: ['refresh'], properties: { refresh: { type: 'string' } } }, {
      '200': pair,
      ...problems(['400.1', '401.2', '401.4', '503.1']),
    });
  }
  if (facts.endpoints.jwtVerify) {
    result[`${jwt}/verify`] = credentialFreePost('gatehouseJwtVerify', 'Check an access token', { type: 'object', required: ['token'], properties: { token: { type: 'string' } } }, {
      '200': ok('The token is valid.', {
        type: 'object',
        required: ['valid', 'expiresAt'],
        properties: { valid: { const: true }, expiresAt: { type: ['string', 'null'], format: 'date-time' } },
      }),
      ...problems(['400.1', '401.2', '401.4', '503.1']),
    });
  }
  if (facts.endpoints.jwks) {
    result[`${mountPath}${paths.jwks}`] = {
      get: {
        operationId: 'gatehouseJwks',
        tags: TAGS,
        summary: 'Public keys of the local JWT signing keys (RFC 7517 JWK Set)',
        security: [],
        responses: {
          '200': {
            description: 'The JWK Set; verify access tokens by their `kid`.',
            headers: { 'Cache-Control': { schema: { type: 'string', const: `public, max-age=${JWKS_MAX_AGE_SECONDS}` } } },
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['keys'],
                  properties: {
                    keys: { type: 'array', items: { type: 'object', required: ['kty', 'kid', 'alg', 'use'], properties: { kty: { type: 'string' }, kid: { type: 'string' }, alg: { type: 'string' }, use: { const: 'sig' } } } },
                  },
                },
              },
            },
          },
        },
      },
    };
  }
  return result;
}

/** Builds the fragment `auth.openapi()` returns. */
export function buildOpenApi(facts: OpenApiFacts, paths: RoutePaths, mountPath: string): OpenApiFragment {
  const schemes = securitySchemes(facts, paths, mountPath);
  return {
    paths: endpoints(facts, paths, mountPath, Object.keys(schemes)),
    components: { securitySchemes: schemes, schemas: structuredClone(SCHEMAS) },
  };
}
