/**
 * `auth.openapi()`: the OpenAPI 3.1 description of what Gatehouse adds to an API — one
 * security scheme per credential that is on, and the endpoints of `auth.routes()` — for a
 * host to merge into its own document, so API docs and generated clients know how to
 * authenticate. Built from the validated options, so it never describes a scheme or an
 * endpoint that is off.
 */
import type { OpenApiFacts, OpenApiObject, RoutePaths } from './openapi-facts';
import { SCHEME_DEFINITIONS } from './schemes/registry';
import { PROBLEMS } from './errors';
import { openApiPath, type Endpoint } from './routes/endpoint';
import type { RoutePathOptions } from './routes/route-paths';
import type { SchemeId } from './schemes/ids';

/** What `auth.openapi()` describes: what is on, and the endpoints `routes()` serves. */
export interface OpenApiDescription extends OpenApiFacts {
  /** The endpoints `routes()` serves (`routes/endpoints.ts`, those mounted). */
  endpoints: readonly Endpoint[];
  /** API keys are rate-limited (`rateLimits`): the 429 answer is described as a reusable response. */
  rateLimited?: boolean;
  /** `rateLimits.headers`: whether accepted requests carry the header fields too. Default `'always'`. */
  rateLimitHeaders?: 'always' | 'refused';
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
    /**
     * With `rateLimits` on: `GatehouseRateLimited`, the 429 answer of a rate-limited API key
     * (429.1, 429.2) with its `Retry-After`, `RateLimit-Policy` and `RateLimit` header fields,
     * for the API's own operations to list: `'429': { $ref: '#/components/responses/GatehouseRateLimited' }`.
     */
    responses?: Record<string, OpenApiObject>;
  };
}

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
      challengeTicket: {
        type: 'string',
        description: 'A right password of an actor with a second factor (401.5 from a login): send it with a code to `POST {secondFactor}/challenge`. Short-lived, single-use.',
      },
      challengeExpiresAt: { type: 'string', format: 'date-time', description: 'When the `challengeTicket` expires (401.5).' },
      factors: { type: 'array', items: { type: 'string', enum: ['totp', 'recovery'] }, description: 'What can answer the challenge (401.5): a TOTP code, or a recovery code.' },
      requiredScopes: { type: 'array', items: { type: 'string' }, description: 'The scopes the route requires, all of them; the credential lacks at least one (403.5).' },
      rateLimit: { type: 'string', description: 'The name of the rate limit (429.1) or quota (429.2) the API key is over.' },
      maxAge: { type: 'integer', description: 'The route\'s `maxAge` in seconds: the sign-in behind the credential must be at most this old (401.6; bearer schemes also answer RFC 9470\'s `WWW-Authenticate: Bearer error="insufficient_user_authentication", max_age="…"`). Re-authenticate at `POST {sessions}/reauthenticate`.' },
      acrValues: { type: 'array', items: { type: 'string' }, description: 'The authentication context classes the route accepts, e.g. `["mfa"]` (401.6; bearer schemes also answer RFC 9470\'s `acr_values`).' },
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
  GatehouseSignIn: {
    type: 'object',
    description: 'One of your sign-ins (`GET {account}/sessions`); never its token.',
    required: ['id', 'kind', 'label', 'createdAt', 'lastUsedAt', 'expiresAt', 'userAgent', 'device', 'current'],
    properties: {
      id: { type: 'string', description: 'What `DELETE {account}/sessions/{id}` takes.' },
      kind: { type: 'string', enum: ['session', 'cookie', 'refresh'], description: 'A bearer session token, a browser session, or a JWT login (its refresh family).' },
      label: { type: ['string', 'null'] },
      createdAt: { type: 'string', format: 'date-time' },
      lastUsedAt: { type: ['string', 'null'], format: 'date-time' },
      expiresAt: { type: ['string', 'null'], format: 'date-time' },
      userAgent: { type: ['string', 'null'], description: 'The User-Agent sent with the login.' },
      device: {
        type: 'object',
        required: ['description', 'browser', 'os', 'type'],
        properties: {
          description: { type: 'string', examples: ['Chrome 120 on Linux'] },
          browser: { type: ['string', 'null'] },
          os: { type: ['string', 'null'] },
          type: { type: ['string', 'null'], examples: ['mobile'] },
        },
      },
      ip: { type: 'string', description: 'The login\'s client address; only when the host records it (`selfService.recordIp`).' },
      current: { type: 'boolean', description: 'The sign-in this request is made with.' },
    },
  },
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

/** The 429 answer of a rate-limited API key (`rateLimits`), as a reusable response; `headers` is `rateLimits.headers`. */
function rateLimitedResponses(headers: 'always' | 'refused'): Record<string, OpenApiObject> {
  const alsoAccepted = headers === 'always' ? ' Also sent on accepted requests.' : '';
  return {
    GatehouseRateLimited: {
      description: 'The API key is over a rate limit (429.1) or has used up a quota (429.2); `rateLimit` names it.',
      headers: {
        'Retry-After': { description: 'Seconds until the limits that refused the request reset.', schema: { type: 'integer', minimum: 1 } },
        'RateLimit-Policy': { description: `The key's limits (draft-ietf-httpapi-ratelimit-headers), e.g. \`"burst";q=100;w=10\`.${alsoAccepted}`, schema: { type: 'string' } },
        RateLimit: { description: `What is left of each limit and when it resets, e.g. \`"burst";r=0;t=7\`.${alsoAccepted}`, schema: { type: 'string' } },
      },
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/GatehouseProblem' } } },
    },
  };
}

/** The endpoints' operations, by path and method, each from its table entry. */
function endpoints(facts: OpenApiDescription, paths: RoutePaths, mountPath: string, schemeNames: string[]): Record<string, OpenApiObject> {
  const context = { paths, mountPath, schemes: facts.schemes, secondFactor: facts.secondFactor, anyCredential: schemeNames.map((name) => ({ [name]: [] })) };
  const result: Record<string, OpenApiObject> = {};
  for (const endpoint of facts.endpoints) {
    const path = `${mountPath}${openApiPath(endpoint.path(paths))}`;
    // `paths.login` and `paths.logout` may name the same path (with other methods): merge, never overwrite.
    result[path] = { ...result[path], [endpoint.method(paths).toLowerCase()]: endpoint.openapi(context) };
  }
  return result;
}

/** Builds the fragment `auth.openapi()` returns. */
export function buildOpenApi(facts: OpenApiDescription, paths: RoutePaths, mountPath: string): OpenApiFragment {
  const schemes = securitySchemes(facts, paths, mountPath);
  return {
    paths: endpoints(facts, paths, mountPath, Object.keys(schemes)),
    components: { securitySchemes: schemes, schemas: structuredClone(SCHEMAS), ...(facts.rateLimited ? { responses: rateLimitedResponses(facts.rateLimitHeaders ?? 'always') } : {}) },
  };
}

/**
 * Options of `auth.openapiSecurity()`: what the route's `auth.require()` is given.
 *
 * @example
 * ```ts
 * auth.openapiSecurity({ schemes: ['apiKey'], scopes: ['reports:read'] });
 * ```
 */
export interface OpenApiSecurityOptions {
  /** The schemes the route lets in, as `require({ schemes })`. Default: every scheme that is on. */
  schemes?: SchemeId[];
  /** The scopes the route requires, as `require({ scopes })`. Default: none. */
  scopes?: string[];
}

/**
 * The `security` of an operation guarded by `auth.require({ schemes, scopes })`: one
 * alternative per security scheme that is on and allowed, each listing the required scopes.
 * OpenAPI 3.1 lets a requirement of any scheme type list the scopes it needs, as OAuth2's do.
 */
export function securityRequirements(facts: OpenApiFacts, paths: RoutePaths, allowed: readonly SchemeId[] | undefined, scopes: readonly string[]): Array<Record<string, string[]>> {
  const requirements: Array<Record<string, string[]>> = [];
  for (const definition of SCHEME_DEFINITIONS) {
    if (!facts.schemes.has(definition.id) || (allowed && !allowed.includes(definition.id))) continue;
    for (const name of Object.keys(definition.securitySchemes({ facts, paths, mountPath: '' }))) requirements.push({ [name]: [...scopes] });
  }
  return requirements;
}
