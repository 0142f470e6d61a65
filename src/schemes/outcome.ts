/**
 * How a Gatehouse strategy reports a rejected promise: refusals (401/403) are passport
 * failures carrying the GatehouseError as the challenge; anything else (a store outage,
 * 503.2) is a passport error, which the middleware renders fail-closed.
 */
import type { PassportStrategy as Strategy } from './passport-base';
import type { AuthInfo } from '../actor';
import { GatehouseError, isGatehouseError } from '../errors';
import { CREDENTIAL_REFERENCE, type CredentialReference } from '../credential-reference';
import { readOwnAuthorization, type SchemeDetection } from './detection';

/** `req.authInfo` as Gatehouse strategies fill it. */
export type AuthInfoWithReference = AuthInfo & { [CREDENTIAL_REFERENCE]?: CredentialReference };

/**
 * Builds `req.authInfo` with the credential reference under a symbol, which JSON never
 * serialises, and the credential's `scopes` when it is scoped (an unscoped one has no member).
 */
export function authInfoFor(info: AuthInfo, reference: CredentialReference, scopes?: string[]): AuthInfoWithReference {
  // The symbol first, then the spread: every unscoped authInfo then shares one object shape (cheaper for V8).
  const built: AuthInfoWithReference = { [CREDENTIAL_REFERENCE]: reference, ...info };
  if (scopes) built.scopes = scopes;
  return built;
}

/**
 * The one mapping from a thrown error to a strategy's outcome: a refusal (a 401 or 403
 * GatehouseError) is a `fail` carrying it; any other GatehouseError (503.1, 503.2) an `error`
 * as it is; anything else — a store failure not yet wrapped, a bug — an `error` of 503.1 that
 * keeps it as the cause, so nothing unforeseen ever reads as a success or leaks as a 500.
 */
export function reportRejection(strategy: Strategy, error: unknown): void {
  if (isGatehouseError(error)) {
    if (error.status === 401 || error.status === 403) strategy.fail(error, error.status);
    else strategy.error(error);
  } else {
    strategy.error(new GatehouseError('503.1', { cause: error }));
  }
}

/** What a Gatehouse strategy takes from `passport.authenticate(name, options)` besides passport's own options. */
export interface StandaloneAuthenticateOptions {
  /** The credential, already detected (the Gatehouse middleware passes it); read from the request when absent. */
  credential?: string;
  /** Let a request without this credential through anonymously (`pass()`). Default: the strategy's own `optional`. */
  optional?: boolean;
}

/**
 * A request that presents no credential of this strategy's kind. Used alone, a strategy
 * fails it (passport answers 401; with `challenge`, passport also sends it as
 * `WWW-Authenticate`), as passport-http-bearer does: passing would let
 * `passport.authenticate(name)` wave an anonymous request through to the handler. Only an
 * explicit `optional: true` passes it on.
 */
export function credentialAbsent(strategy: Strategy, optional: boolean, challenge?: string): void {
  if (optional) return strategy.pass();
  strategy.fail(challenge ?? new GatehouseError('401.1'), 401);
}

/** `Bearer realm="…"` (RFC 6750 §3), the realm escaped as a quoted-string. */
export function bearerChallenge(realm: string): string {
  return `Bearer realm="${realm.replace(/["\\]/g, '\\$&')}"`;
}

/**
 * The credential a header-borne strategy runs on: the one the Gatehouse middleware handed
 * over, or, used alone, its own from the Authorization header. `null` when the request is
 * already answered: no such credential (see {@link credentialAbsent}) or a malformed one (401.2).
 */
export function ownAuthorizationCredential(
  strategy: Strategy,
  req: { headers: { authorization?: string } },
  options: StandaloneAuthenticateOptions | undefined,
  own: { detection: SchemeDetection; optional: boolean; challenge?: string },
): string | null {
  if (options?.credential !== undefined) return options.credential;
  const presented = readOwnAuthorization(req.headers.authorization, own.detection);
  if (presented === null) credentialAbsent(strategy, options?.optional ?? own.optional, own.challenge);
  else if (presented === false) strategy.fail(new GatehouseError('401.2'), 401);
  return typeof presented === 'string' ? presented : null;
}

/** Quotes a value for an auth-param (RFC 7235 quoted-string): escape `\` and `"`, drop controls. */
function quoted(value: string): string {
  return `"${value.replace(/[\\"]/g, '\\$&').replace(/[\x00-\x1f\x7f]/g, '')}"`;
}

/** `Bearer realm="…"` (RFC 6750 §3); `invalidToken` adds `error="invalid_token"` for a refused token. */
export function bearerChallengeValue(realm: string, invalidToken: boolean): string {
  return `Bearer realm=${quoted(realm)}${invalidToken ? ', error="invalid_token"' : ''}`;
}
