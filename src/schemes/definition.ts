/**
 * What one scheme is, in one place (ARCHITECTURE.md, "How to add a scheme"): where its
 * credential travels, its settings out of `gatehouse()`'s options, and how its parts are
 * built — the strategy, the challenge it adds to a 401, how its credential ends at logout,
 * how long a credential of it outlives `revokeAll`. `registry.ts` lists every definition;
 * `gatehouse()` builds the schemes that are on from that list and nothing else.
 */
import type { Request, Response } from 'express';
import type { GatehouseContext } from '../context';
import type { OpenApiObject, SecuritySchemeContext } from '../openapi-facts';
import type { StoreFeature } from '../store/methods';
import type { SchemeOptions } from './scheme-options';
import type { ChallengeScheme } from '../responses';
import type { SchemeDetection } from './detection';
import type { SchemeId } from './ids';
import type { CredentialReference } from '../credential-reference';
import type { PassportStrategy } from './passport-base';

/** What a scheme's option is resolved against besides itself. */
export interface SharedSettings {
  /** The store as given (not yet guarded). */
  store: object;
  /** The top-level `realm`. */
  realm: string;
  /** The store can look logins up (`findCredentials`): login and Basic are possible. */
  hasCredentials: boolean;
}

/** The instance-wide services a scheme is built from: the one context of its `gatehouse()` instance. */
export type SchemeContext = GatehouseContext;

/**
 * Ends the credential a request was accepted with (logout: `DELETE /sessions/current`);
 * resolves `false`, having done nothing, when this credential cannot be ended (a configured
 * API key), which logout answers with 403.1.
 */
export type CredentialEnder = (req: Request, res: Response, reference: CredentialReference) => Promise<boolean>;

/** A `WWW-Authenticate` challenge a scheme adds to 401 answers. */
export interface SchemeChallenge {
  /** Its auth-scheme, as `responses.challenges` names it; schemes sharing one send it once. */
  scheme: ChallengeScheme;
  /** Sent when `responses.challenges` is not given. */
  sentByDefault: boolean;
  /** The header value; `invalidToken` marks a refused bearer token (RFC 6750 §3.1). */
  value(realm: string, invalidToken: boolean): string;
}

/** What building a scheme gives `gatehouse()`. */
export interface BuiltScheme {
  /** The Passport strategy the middleware runs for this scheme's credentials. */
  strategy: PassportStrategy;
  /** The challenge of a 401, if the scheme has one. */
  challenge?: SchemeChallenge;
  /** Ends an accepted credential of this scheme at logout; without it, logout answers 403.1. */
  end?: CredentialEnder;
}

/**
 * One scheme. `Settings` is its resolved options; `Built` what its builder returns (the
 * common {@link BuiltScheme} plus the parts its routes use, e.g. the JWT issuer).
 */
export interface SchemeDefinition<Id extends SchemeId, Settings, Built extends BuiltScheme = BuiltScheme> {
  readonly id: Id;
  /** Where its credential travels. */
  readonly detection: SchemeDetection;
  /** The `gatehouse()` option that configures it (`'apiKeys'` for `apiKey`), declared in `SchemeOptions`. */
  readonly option: keyof SchemeOptions;
  /**
   * Checks its option and fills in defaults (`schemes/<id>/options.ts`), throwing a
   * `GatehouseConfigError` through `fail()`; `false` when the options turn it off.
   */
  resolve(input: unknown, shared: SharedSettings): Settings | false;
  /**
   * The features in `STORE_NEEDS` (`store/methods.ts`) it needs of the store, given its
   * option as written (a scheme asked for by name may need a method even when it cannot
   * be on). Checked once, at construction, with every other gap named at once.
   */
  storeFeatures(settings: Settings | false, input: unknown, shared: SharedSettings): StoreFeature[];
  /**
   * How long, in ms, a credential of this scheme can outlive `tokens.revokeAll` because the
   * store cannot delete it (a signed JWT, a session in a host's own store): the per-actor
   * "not before" is kept at least this long. Default: 0 (revokeAll deletes them).
   */
  revocationHorizon?(settings: Settings): number;
  /**
   * Its OpenAPI 3.1 security scheme objects, by name, for `auth.openapi()` (usually one, named
   * by the scheme id); `{}` when it cannot be described as things stand.
   */
  securitySchemes(context: SecuritySchemeContext): Record<string, OpenApiObject>;
  /** Builds the strategy and its parts. */
  build(settings: Settings, context: SchemeContext): Built;
}
