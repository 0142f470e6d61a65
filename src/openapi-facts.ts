/**
 * What the OpenAPI description of an instance is built from — the route paths, what is on —
 * and the JSON object type it is written in. Apart from `openapi.ts`, which builds the
 * description out of the registry, because each scheme describes its own security scheme
 * from these facts: the schemes name them without reaching up to the builder.
 */
import type { SchemeId } from './schemes/ids';

/** The endpoint paths of `auth.routes()`, validated. */
export interface RoutePaths {
  sessions: string;
  /** `POST` login; default `sessions`. */
  login: string;
  /** Logout of the presented credential; default `${sessions}/current`. */
  logout: string;
  logoutMethod: 'DELETE' | 'POST';
  /** Re-authentication of the presented credential; default `${sessions}/reauthenticate`. */
  reauthenticate: string;
  jwt: string;
  jwks: string;
  /** The signed-in user's own endpoints (`selfService`); default `/account`. */
  account: string;
  /** The administrators' endpoints (`selfService.adminRevokeAll`); default `/admin`. */
  admin: string;
}

/** What a scheme's `securitySchemes` describes itself from. */
export interface SecuritySchemeContext {
  facts: OpenApiFacts;
  paths: RoutePaths;
  mountPath: string;
}

/** What is on, as `gatehouse()` resolved it. */
export interface OpenApiFacts {
  /** Schemes whose strategy is on and whose credential is detected. */
  schemes: ReadonlySet<SchemeId>;
  /** Session cookie name, when cookies are on. */
  cookieName: string | null;
}

/** A JSON object of the OpenAPI document. */
export type OpenApiObject = Record<string, unknown>;
