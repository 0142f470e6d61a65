/**
 * Audit events: what Gatehouse tells the host about logins, tokens, refused credentials
 * and store failures, through the `onEvent` option.
 *
 * A callback option rather than an EventEmitter: it is typed end to end (one
 * discriminated union, no `'error'`-event pitfalls), costs nothing when absent (no event
 * object is built), and is how Express middleware usually reports (morgan's `stream`,
 * express-session's `genid`). A host that wants an emitter wires one in a line:
 * `onEvent: (event) => emitter.emit(event.type, event)`.
 *
 * Events never carry a token, key, password, password hash, cookie value or session id;
 * `test/events.no-secrets.test.ts` checks that over every scheme.
 */
import type { ErrorRequestHandler, Request } from 'express';
import type { SchemeId, TokenKind } from './actor';
import { isGatehouseError, type GatehouseError, type ProblemCode } from './errors';
import { normalizeLogin } from './login';
import type { CredentialReference } from './credential-reference';

/** Every audit event type, declared once; {@link AuditEvent} is derived from it. */
export const AUDIT_EVENT_TYPES = [
  'login.succeeded',
  'login.failed',
  'login.locked',
  'password.expired',
  'password.changed',
  'password.changeRefused',
  'secondFactor.changed',
  'secondFactor.checked',
  'token.issued',
  'token.revoked',
  'token.revokedAll',
  'apiKey.created',
  'apiKey.updated',
  'apiKey.rotated',
  'apiKey.disabled',
  'apiKey.enabled',
  'apiKey.expired',
  'token.revokedOthers',
  'lockout.cleared',
  'credential.refused',
  'limit.exceeded',
  'reauthentication.succeeded',
  'stepUp.refused',
  'store.error',
  'callback.error',
  'identity.unlinked',
  'oidc.providerUnreachable',
] as const;

/** One of {@link AUDIT_EVENT_TYPES}. */
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/** The fields every audit event has; `null` where a value does not apply or is not known. */
export interface AuditEventBase {
  /** When it happened (the `now` option's clock). */
  time: Date;
  /** The scheme involved: the credential checked, or the one a login or token is for. */
  scheme: SchemeId | null;
  /** The actor's id, when known (never for a failed login: the answer does not say whether the login exists). */
  actorId: string | null;
  /** `req.ip` (honours Express `trust proxy`); `null` outside a request, e.g. `auth.tokens.revokeAll()` called by the host. */
  ip: string | null;
  /** The problem code answered, for events that end in one. */
  code: ProblemCode | null;
}

/** What each event type adds to {@link AuditEventBase}. */
export interface AuditEventDetails {
  /** A password check at a login endpoint (`POST /sessions`, `POST /jwt/authenticate`) succeeded. */
  'login.succeeded': {
    /** The actor who logged in. */
    actorId: string;
    /** Always `null`: a success answers no problem. */
    code: null;
    /** The login as tried, normalised (`normalizeLogin`). */
    login: string;
  };
  /** Wrong password or unknown login (401.2), at a login endpoint or with Basic. */
  'login.failed': {
    /** Always `null`: the answer does not say whether the login exists. */
    actorId: null;
    /** Always `'401.2'`. */
    code: '401.2';
    /** The login as tried, normalised (`normalizeLogin`). */
    login: string;
  };
  /** The login is locked after repeated failures (403.2). */
  'login.locked': {
    /** Always `null`, as for a failed login. */
    actorId: null;
    /** Always `'403.2'`. */
    code: '403.2';
    /** The login as tried, normalised (`normalizeLogin`). */
    login: string;
    /** Seconds until the login may be tried again, as the 403.2 body says; `null` when not known. */
    lockoutTimeRemaining: number | null;
  };
  /** The password was right but has expired (403.3). */
  'password.expired': {
    /** Always `'403.3'`. */
    code: '403.3';
    /** The login as tried, normalised (`normalizeLogin`). */
    login: string;
  };
  /**
   * A new password was set: with a change ticket (`POST {sessions}/password`; every credential
   * of the actor ended, `token.revokedAll` first), or by a signed-in user (`POST {account}/password`,
   * `auth.passwords.change`; the credentials its `end` named ended, `token.revokedOthers` or `token.revokedAll` first).
   */
  'password.changed': {
    /** The actor whose password changed. */
    actorId: string;
    /** Always `null`: a success answers no problem. */
    code: null;
  };
  /**
   * A password change refused: at `POST {sessions}/password` the ticket (401.2 forged, used or
   * for another password; 401.4 expired), for a signed-in user the current password (401.2, 403.2
   * locked), or the new password (400.1). Not for 503s (`store.error`, `callback.error`).
   */
  'password.changeRefused': {
    /** The actor a ticket whose signature checked out names, else `null`. */
    actorId: string | null;
    /** The problem code answered. */
    code: ProblemCode;
  };
  /**
   * A user changed their second factor: a TOTP enrolment begun (`'enrolled'`), confirmed with
   * a first code (`'confirmed'`), turned off (`'disabled'`), or new recovery codes
   * (`'recoveryCodesRenewed'`). Never carries the secret or a code.
   */
  'secondFactor.changed': {
    /** The user whose factor changed. */
    actorId: string;
    /** Always `null`. */
    code: null;
    /** What changed. */
    change: 'enrolled' | 'confirmed' | 'disabled' | 'recoveryCodesRenewed';
  };
  /**
   * `POST {secondFactor}/challenge` checked a code: `passed` with the factor that passed
   * (`'totp'`, or `'recovery'`: a recovery code was used up), or failed with the problem
   * answered (401.2 wrong, used or replayed; 403.2 locked; 401.4 expired ticket). `actorId` is
   * the one a ticket with a good signature names, else `null`. Never carries the code or ticket.
   */
  'secondFactor.checked': {
    /** The actor the ticket names, when its signature checked out. */
    actorId: string | null;
    /** `null` when it passed, else the problem answered. */
    code: ProblemCode | null;
    /** Whether the code passed. */
    passed: boolean;
    /** The factor that passed; `null` when none did. */
    factor: 'totp' | 'recovery' | null;
  };
  /**
   * A credential was issued: an opaque token (`auth.tokens.issue`, a login session), a browser
   * session (`scheme: 'cookie'`), or a JWT access and refresh pair (`kind: 'jwt'`,
   * `expiresAt` of the refresh token).
   */
  'token.issued': {
    /** The actor the credential authenticates as. */
    actorId: string;
    /** Always `null`. */
    code: null;
    /** The token kind; `'jwt'` for an access and refresh pair (a browser session reads `'session'`). */
    kind: TokenKind | 'jwt';
    /** When it expires (for JWTs, the refresh token's expiry); `null` when it lasts until revoked, and for a browser session (its timeouts end it). */
    expiresAt: Date | null;
  };
  /** One credential was ended: logout, `DELETE /sessions/:token`, `auth.tokens.revoke`. */
  'token.revoked': {
    /** Always `null`. */
    code: null;
    /** The ended credential's kind (a token kind, `'access'` for a JWT, `'session'` for a browser session), or `null` when not known. */
    kind: string | null;
  };
  /** `auth.tokens.revokeAll(actorId)` ended every credential of an actor; `count` token records were removed. */
  'token.revokedAll': {
    /** The actor whose credentials were ended. */
    actorId: string;
    /** Always `null`. */
    code: null;
    /** How many token records were removed (JWTs are refused by the actor's "not before", not counted). */
    count: number;
  };
  /** `auth.tokens.create` (or `issue({ kind: 'apiKey' })`) created an API key; `token.issued` comes first. */
  'apiKey.created': ApiKeyEventFields & {
    /** When the key stops working; `null` when it lasts until revoked. */
    expiresAt: Date | null;
    /** The service principal it authenticates as, or `null` for a user's key. */
    service: string | null;
  };
  /** `auth.tokens.update` changed a key's label, metadata or scopes (enabling and disabling have events of their own). */
  'apiKey.updated': ApiKeyEventFields & {
    /** Which fields changed. */
    fields: Array<'label' | 'metadata' | 'scopes' | 'limits'>;
  };
  /** `auth.tokens.rotate` replaced a key: the old one (`keyId`) works until `graceEndsAt`. */
  'apiKey.rotated': ApiKeyEventFields & {
    /** The id of the new key. */
    newKeyId: string;
    /** When the old key stops working. */
    graceEndsAt: Date;
  };
  /** `auth.tokens.disable` (or `update({ enabled: false })`) turned a key off. */
  'apiKey.disabled': ApiKeyEventFields;
  /** `auth.tokens.enable` (or `update({ enabled: true })`) turned a key back on. */
  'apiKey.enabled': ApiKeyEventFields;
  /**
   * An expired key was presented (answered 401.4): its expiry noticed, the key kept and listed as
   * `'expired'` until the retention ends. Once per key per process.
   */
  'apiKey.expired': ApiKeyEventFields & {
    /** When it stopped working. */
    expiresAt: Date;
  };
  /**
   * Every credential of an actor but the one in use ended ("sign out everywhere else",
   * `DELETE {account}/sessions/others`, or a password change with `end: 'others'`); `count`
   * credentials (a login's token and cookie, or a refresh family, count once) were ended.
   */
  'token.revokedOthers': {
    /** The actor whose other credentials were ended. */
    actorId: string;
    /** Always `null`. */
    code: null;
    /** How many credentials were ended (JWT access tokens and in-flight logins are refused by the "not before", not counted). */
    count: number;
  };
  /** `auth.lockout.clear(login)` cleared a login's failed-attempt counters (every client's, with `lockout.by: 'login+ip'`). */
  'lockout.cleared': {
    /** The actor the login belongs to, or `null` for a login the store does not know. */
    actorId: string | null;
    /** Always `null`. */
    code: null;
    /** The login, normalised (`normalizeLogin`). */
    login: string;
    /** How many counters were removed. */
    count: number;
  };
  /** `authenticate()`, a logout endpoint, `/jwt/refresh` or `/jwt/verify` refused the credential presented (any code but 503.1), or an OpenID provider's callback refused a sign-in (`scheme: null`; 401.2, 403.1). */
  'credential.refused': {
    /** Always `null`: a refused credential names no one. */
    actorId: null;
    /** The problem answered, e.g. `'401.2'` or `'401.4'`. */
    code: ProblemCode;
  };
  /**
   * An API key request was refused by a rate limit (429.1) or a quota (429.2) of `rateLimits`
   * (it is not also reported as `credential.refused`).
   */
  'limit.exceeded': {
    /** The key's actor when known (a store-issued key's, or a configured key's `actorId` or label). */
    actorId: string | null;
    /** `'429.1'` (rate limit) or `'429.2'` (quota). */
    code: '429.1' | '429.2';
    /** The name of the limit that refused it. */
    limit: string;
    /** The credential's id (store-issued) or label (configured): safe to log, never the key. */
    credentialId: string | null;
    /** The request's cost. */
    cost: number;
  };
  /**
   * `POST {sessions}/reauthenticate` raised the proof of the credential presented (its
   * `authTime` is now). A wrong password there is reported as `login.failed` (or
   * `login.locked`), with the credential's scheme.
   */
  'reauthentication.succeeded': {
    /** The actor who proved themselves again. */
    actorId: string;
    /** Always `null`: a success answers no problem. */
    code: null;
    /** How they proved it (RFC 8176 `amr`), now the credential's. */
    amr: string[];
  };
  /**
   * `auth.require({ maxAge, acr })` refused an authenticated request with 401.6: the sign-in
   * behind its credential is too old or not strong enough for the route.
   */
  'stepUp.refused': {
    /** The actor whose credential fell short. */
    actorId: string;
    /** Always `'401.6'`. */
    code: '401.6';
    /** The route's `maxAge` in seconds, when the credential's proof is too old (or has no time); else `null`. */
    maxAge: number | null;
    /** The route's `acr` values, when the credential's class does not meet them; else `null`. */
    acrValues: string[] | null;
  };
  /**
   * A request was answered 503.1: the store failed (or something unexpected did; Gatehouse
   * fails closed). `error` is the cause — the store's own error object, for the host's logger.
   * Gatehouse puts no credential into errors it creates; the store's error text is the store's.
   */
  'store.error': {
    /** Always `'503.1'`. */
    code: '503.1';
    /** The cause: the store's own error object (or whatever was thrown), for the host's logger. */
    error: unknown;
  };
  /**
   * A callback of the host's threw, rejected or returned what cannot be sent; Gatehouse
   * answered as if it were not there (its own body, same status and code; 503.1 for
   * `passwordPolicy.validate`). Gatehouse puts no credential into it. `code` is the problem
   * answered, `null` for a success body.
   */
  'callback.error': {
    /** The option whose callback failed. */
    callback: HostCallback;
    /** What the callback threw (or a `TypeError` saying what was wrong with its answer), for the host's logger. */
    error: unknown;
  };
  /**
   * A signed-in user unlinked one of their identities at an OpenID provider
   * (`DELETE {oidc}/identities/{provider}/{subject}`). Ids only: never a token or a claim.
   */
  'identity.unlinked': {
    /** The user whose identity was unlinked. */
    actorId: string;
    /** Always `null`. */
    code: null;
    /** The provider's name in `oidc.providers`. */
    provider: string;
    /** The provider's issuer identifier. */
    issuer: string;
    /** The identity's subject at the provider. */
    subject: string;
  };
  /**
   * An OpenID provider failed or could not be reached (answered 502.1): its discovery document
   * (`'discovery'`, also at the start and at RP-initiated logout), the code exchange at its token
   * endpoint (`'tokenExchange'`), or its signing keys (`'jwks'`, for back-channel logout). No
   * secret, token or response body; `ip` is `null` (the provider failed, not the client).
   */
  'oidc.providerUnreachable': {
    /** Always `null`: no one signed in. */
    actorId: null;
    /** Always `'502.1'`. */
    code: '502.1';
    /** The provider's name in `oidc.providers`. */
    provider: string;
    /** Which request to the provider failed. */
    stage: 'discovery' | 'tokenExchange' | 'jwks';
    /** The provider's OAuth error code when it refused this client (`'invalid_client'`), else the failure's code or name as the HTTP client gave it (`'ECONNREFUSED'`, `'OAUTH_RESPONSE_BODY_ERROR'`, `'TimeoutError'`), or `null`. */
    reason: string | null;
  };
}

/** What every `apiKey.*` event carries: the key's id (never the key) and its owner. */
export interface ApiKeyEventFields {
  /** Always `'apiKey'`. */
  scheme: 'apiKey';
  /** The key's actor: a user's id, or `service:<name>` for a service key. */
  actorId: string;
  /** Always `null`. */
  code: null;
  /** The key's id (as `auth.tokens.list` shows it). */
  keyId: string;
}

/** The fields every `apiKey.*` event about key `keyId` of `actorId` has (reported outside a request: `ip` is `null`). */
export function apiKeyEventFields(actorId: string, keyId: string): ApiKeyEventFields & { ip: null } {
  return { scheme: 'apiKey', actorId, ip: null, code: null, keyId };
}

/** The host's callbacks whose failures are reported as `callback.error`. */
export type HostCallback = 'responses.login' | 'responses.logout' | 'responses.jwt' | 'responses.error' | 'formatError' | 'passwordPolicy.validate';

/**
 * An audit event, discriminated by `type`.
 *
 * @example
 * ```ts
 * import pino from 'pino';
 * const log = pino();
 * const auth = gatehouse({
 *   store,
 *   onEvent(event) {
 *     if (event.type === 'store.error') log.error({ err: event.error, ip: event.ip }, 'auth store failed');
 *     else log.info(event, event.type);
 *   },
 * });
 * ```
 */
export type AuditEvent = {
  [T in AuditEventType]: Omit<AuditEventBase, keyof AuditEventDetails[T]> & {
    /** Which event this is; switch on it to reach the type's own fields. */
    type: T;
  } & AuditEventDetails[T];
}[AuditEventType];

/** The `onEvent` option: called synchronously; whatever it throws (or rejects with) is caught. */
export type AuditListener = (event: AuditEvent) => void | Promise<void>;

type WithoutTime<E> = E extends unknown ? Omit<E, 'time'> : never;

/** An event as a Gatehouse part reports it; the emitter adds `time`. */
export type AuditEventInput = WithoutTime<AuditEvent>;

/**
 * The one function Gatehouse parts report events through; `null` when the host gave no
 * `onEvent`, so `emit?.({ … })` builds no event at all then.
 */
export type Emit = ((event: AuditEventInput) => void) | null;

/**
 * Builds the emitter for `onEvent`. A listener that throws or rejects never breaks the
 * request: the first failure is reported once as a process warning
 * (`GATEHOUSE_ON_EVENT_FAILED`), later ones are ignored.
 */
export function createEmit(listener: AuditListener | null, now: () => number): Emit {
  if (!listener) return null;
  let reported = false;
  const report = (error: unknown) => {
    if (reported) return;
    reported = true;
    const message = error instanceof Error ? error.message : String(error);
    process.emitWarning(`gatehouse: onEvent failed (${message}); later failures are not reported.`, { code: 'GATEHOUSE_ON_EVENT_FAILED' });
  };
  return (event) => {
    try {
      const result = listener({ ...event, time: new Date(now()) } as AuditEvent);
      if (result && typeof (result as Promise<void>).then === 'function') (result as Promise<void>).then(undefined, report);
    } catch (error) {
      report(error);
    }
  };
}

/**
 * Reports a failed host callback: a `callback.error` event, or without `onEvent` one process
 * warning (`GATEHOUSE_CALLBACK_FAILED`), so a broken shaper is noticed but never fatal.
 */
export type ReportCallbackError = (req: Request | undefined, callback: HostCallback, error: unknown, context: { code: ProblemCode | null; actorId: string | null }) => void;

/** Builds the {@link ReportCallbackError} of one `gatehouse()` instance. */
export function createCallbackErrorReporter(emit: Emit): ReportCallbackError {
  if (emit) {
    return (req, callback, error, { code, actorId }) => emit({ type: 'callback.error', scheme: null, actorId, ip: clientIp(req), code, callback, error });
  }
  let warned = false;
  return (_req, callback, error) => {
    if (warned) return;
    warned = true;
    const message = error instanceof Error ? error.message : String(error);
    process.emitWarning(`gatehouse: ${callback} failed (${message}); Gatehouse answered with its own body. Later failures are not reported; pass onEvent to see each.`, {
      code: 'GATEHOUSE_CALLBACK_FAILED',
    });
  };
}

/** The client address of a request, for events. */
export function clientIp(req: Request | undefined): string | null {
  return req?.ip ?? null;
}

/**
 * The event for a refused credential: `store.error` (with the cause) for 503.1,
 * `credential.refused` otherwise.
 */
export function refusalEvent(req: Request, scheme: SchemeId | null, error: GatehouseError): AuditEventInput {
  const ip = clientIp(req);
  if (error.code === '503.1') return { type: 'store.error', scheme, actorId: null, ip, code: '503.1', error: error.cause ?? error };
  return { type: 'credential.refused', scheme, actorId: null, ip, code: error.code };
}

/** The event for an error an auth endpoint answers: only 503.1 (the store) is reported here. */
export function routeErrorEvent(req: Request, error: GatehouseError): AuditEventInput | null {
  return error.code === '503.1' ? refusalEvent(req, null, error) : null;
}

/**
 * An error handler for endpoints that take a credential in the body (`/jwt/refresh`,
 * `/jwt/verify`): reports a refused one (401) as `credential.refused`, then passes the
 * error on to be answered. Malformed bodies (400.1) and store failures are not refusals.
 */
export function reportingRefusals(emit: NonNullable<Emit>, scheme: SchemeId): ErrorRequestHandler {
  return (error, req, _res, next) => {
    if (isGatehouseError(error) && error.status === 401) emit(refusalEvent(req, scheme, error));
    next(error);
  };
}

/** Options of {@link auditLogin}. */
interface LoginContext {
  scheme: SchemeId | null;
  login: string;
  ip: string | null;
  /** Report successes too. Basic checks the password on every request, so it reports failures only. */
  successes: boolean;
}

/**
 * Reports the outcome of a password check and passes it on unchanged: success,
 * 401.2, 403.2 and 403.3 become login events; a store failure (503.1) is reported where
 * it is answered, and 503.2 (queue full) is no verdict on the password.
 */
function auditLogin<T extends { actor: { id: string } }>(emit: Emit, context: LoginContext, check: Promise<T>): Promise<T> {
  if (!emit) return check;
  const { scheme, ip } = context;
  const login = typeof context.login === 'string' ? normalizeLogin(context.login) : '';
  return check.then(
    (result) => {
      if (context.successes) emit({ type: 'login.succeeded', scheme, actorId: result.actor.id, ip, code: null, login });
      return result;
    },
    (error: unknown) => {
      if (isGatehouseError(error)) {
        if (error.code === '401.2') emit({ type: 'login.failed', scheme, actorId: null, ip, code: '401.2', login });
        if (error.code === '403.2') {
          const remaining = error.extensions.lockoutTimeRemaining;
          emit({ type: 'login.locked', scheme, actorId: null, ip, code: '403.2', login, lockoutTimeRemaining: typeof remaining === 'number' ? remaining : null });
        }
        if (error.code === '403.3') emit({ type: 'password.expired', scheme, actorId: null, ip, code: '403.3', login });
      }
      throw error;
    },
  );
}

/**
 * A login endpoint's check, reported: `auditLogin` with the request's address and the login
 * typed. `successes: false` (re-authentication, which reports its own success) reports failures only.
 */
export function auditedCheck<T extends { actor: { id: string } }>(
  emit: Emit,
  req: Request,
  scheme: SchemeId | null,
  login: string,
  check: Promise<T>,
  successes = true,
): Promise<T> {
  return emit ? auditLogin(emit, { scheme, login, ip: clientIp(req), successes }, check) : check;
}

/** The `token.issued` event for a credential issued in answer to a request. */
export function issuedEvent(req: Request | undefined, scheme: SchemeId, kind: TokenKind | 'jwt', actorId: string, expiresAt: Date | null): AuditEventInput {
  return { type: 'token.issued', scheme, actorId, ip: clientIp(req), code: null, kind, expiresAt };
}

/** The scheme an opaque token of `kind` is presented with. */
export function schemeOfTokenKind(kind: string): SchemeId | null {
  if (kind === 'session' || kind === 'personal') return 'sessionToken';
  if (kind === 'appUser') return 'appUserUrl';
  if (kind === 'apiKey') return 'apiKey';
  if (kind === 'refresh') return 'jwt';
  return null;
}

/**
 * A password check whose failures are reported with `scheme` (Basic's, used by its
 * strategy on every request); the check itself is untouched.
 */
export function reportingFailures<C extends { check(input: { login: string; clientIp?: string }): Promise<{ actor: { id: string } }> }>(
  passwordCheck: C,
  emit: Emit,
  scheme: SchemeId,
): C {
  if (!emit) return passwordCheck;
  const reporting = Object.create(passwordCheck) as C;
  reporting.check = (input) =>
    auditLogin(emit, { scheme, login: input.login, ip: input.clientIp ?? null, successes: false }, passwordCheck.check(input as Parameters<C['check']>[0]));
  return reporting;
}

/** The `token.revoked` event for a stored credential of `kind` ended in answer to a request (`DELETE {account}/sessions/{id}`). */
export function storedCredentialEndedEvent(req: Request, actorId: string, kind: string): AuditEventInput {
  // A browser session reads as scheme 'cookie', kind 'session', as at logout.
  if (kind === 'cookie') return { type: 'token.revoked', scheme: 'cookie', actorId, ip: clientIp(req), code: null, kind: 'session' };
  return { type: 'token.revoked', scheme: schemeOfTokenKind(kind), actorId, ip: clientIp(req), code: null, kind };
}

/** The `token.revoked` event for a credential ended in answer to a request (logout). */
export function revokedEvent(req: Request, actorId: string | null, reference: CredentialReference): AuditEventInput {
  const ip = clientIp(req);
  if (reference.type === 'token') return { type: 'token.revoked', scheme: schemeOfTokenKind(reference.kind), actorId, ip, code: null, kind: reference.kind };
  if (reference.type === 'jwt') return { type: 'token.revoked', scheme: 'jwt', actorId, ip, code: null, kind: 'access' };
  return { type: 'token.revoked', scheme: reference.type === 'cookie' ? 'cookie' : null, actorId, ip, code: null, kind: reference.type === 'cookie' ? 'session' : null };
}
