/**
 * Problem codes and their rendering as RFC 9457 `application/problem+json`.
 *
 * Every failure Gatehouse answers is one row of {@link PROBLEMS}; callers switch on the
 * stable `code` string, never on the human-readable text.
 */

import type { Actor } from './actor';

/** One row of the problem table. */
export interface ProblemDefinition {
  /** The HTTP status. */
  readonly status: number;
  /** The problem body's `title`. */
  readonly title: string;
  /** The problem body's default `detail`. */
  readonly detail: string;
}

/** Every problem Gatehouse can answer, keyed by its stable code. */
export const PROBLEMS = {
  /** A malformed body on an auth endpoint (the detail names the field), or a near miss of an app-user URL. */
  '400.1': {
    /** The HTTP status. */
    status: 400,
    /** The problem body's `title`. */
    title: 'Bad Request',
    /** The problem body's default `detail`. */
    detail: 'The request body is malformed.',
  },
  /** More than one credential presented while `multipleCredentials: 'reject'`, or more than one `Authorization` header. */
  '400.2': {
    /** The HTTP status. */
    status: 400,
    /** The problem body's `title`. */
    title: 'Bad Request',
    /** The problem body's default `detail`. */
    detail: 'More than one credential was presented; send exactly one.',
  },
  /** No credential presented on a route that requires one. */
  '401.1': {
    /** The HTTP status. */
    status: 401,
    /** The problem body's `title`. */
    title: 'Unauthorized',
    /** The problem body's default `detail`. */
    detail: 'This resource requires authentication.',
  },
  /** Could not authenticate with the provided credentials; no reason is given. */
  '401.2': {
    /** The HTTP status. */
    status: 401,
    /** The problem body's `title`. */
    title: 'Unauthorized',
    /** The problem body's default `detail`. */
    detail: 'Could not authenticate with the provided credentials.',
  },
  /** This scheme is only accepted over HTTPS. */
  '401.3': {
    /** The HTTP status. */
    status: 401,
    /** The problem body's `title`. */
    title: 'Unauthorized',
    /** The problem body's default `detail`. */
    detail: 'This authentication scheme is only accepted over HTTPS.',
  },
  /** The token has expired. */
  '401.4': {
    /** The HTTP status. */
    status: 401,
    /** The problem body's `title`. */
    title: 'Unauthorized',
    /** The problem body's default `detail`. */
    detail: 'The token has expired.',
  },
  /**
   * The password was right and the actor has a second factor: the login is not complete. A
   * login endpoint adds `challengeTicket` (single use, short-lived; answer it at
   * `POST {secondFactor}/challenge` with a code), `challengeExpiresAt` and `factors`; Basic,
   * which cannot carry a code, adds nothing.
   */
  '401.5': {
    /** The HTTP status. */
    status: 401,
    /** The problem body's `title`. */
    title: 'Unauthorized',
    /** The problem body's default `detail`. */
    detail: 'A second factor is required.',
  },
  /**
   * Authenticated, but the sign-in behind the credential is too old (`maxAge`, in seconds) or
   * not strong enough (`acrValues`) for this route (`auth.require({ maxAge, acr })`): sign in
   * again, or re-authenticate (`POST {sessions}/reauthenticate`). Bearer schemes add RFC 9470's
   * `error="insufficient_user_authentication"` challenge.
   */
  '401.6': {
    /** The HTTP status. */
    status: 401,
    /** The problem body's `title`. */
    title: 'Unauthorized',
    /** The problem body's default `detail`. */
    detail: 'This resource requires a more recent or stronger sign-in.',
  },
  /** Authenticated, but not allowed here (actor kind, role or scheme). */
  '403.1': {
    /** The HTTP status. */
    status: 403,
    /** The problem body's `title`. */
    title: 'Forbidden',
    /** The problem body's default `detail`. */
    detail: 'The authenticated actor is not allowed to do this.',
  },
  /** The login is locked after repeated failures (`lockoutTimeRemaining` seconds, also as `Retry-After`). */
  '403.2': {
    /** The HTTP status. */
    status: 403,
    /** The problem body's `title`. */
    title: 'Forbidden',
    /** The problem body's default `detail`. */
    detail: 'This login is locked after repeated failed attempts; try again later.',
  },
  /** The password is right but has expired. */
  '403.3': {
    /** The HTTP status. */
    status: 403,
    /** The problem body's `title`. */
    title: 'Forbidden',
    /** The problem body's default `detail`. */
    detail: 'The password has expired and must be changed.',
  },
  /** A cross-origin unsafe request with a cookie. */
  '403.4': {
    /** The HTTP status. */
    status: 403,
    /** The problem body's `title`. */
    title: 'Forbidden',
    /** The problem body's default `detail`. */
    detail: 'Cross-origin request refused.',
  },
  /** Authenticated, but the credential lacks a scope the route requires (`requiredScopes`). */
  '403.5': {
    /** The HTTP status. */
    status: 403,
    /** The problem body's `title`. */
    title: 'Forbidden',
    /** The problem body's default `detail`. */
    detail: 'The credential lacks a scope this resource requires.',
  },
  /** An auth endpoint's body is over 16 KB. */
  '413.1': {
    /** The HTTP status. */
    status: 413,
    /** The problem body's `title`. */
    title: 'Content Too Large',
    /** The problem body's default `detail`. */
    detail: 'The request body is larger than 16 KB.',
  },
  /** An auth endpoint's body is neither JSON nor a form, or has no `Content-Type`. */
  '415.1': {
    /** The HTTP status. */
    status: 415,
    /** The problem body's `title`. */
    title: 'Unsupported Media Type',
    /** The problem body's default `detail`. */
    detail: 'The request body must be JSON (application/json) or a form (application/x-www-form-urlencoded).',
  },
  /** An API key is over one of its rate limits (`rateLimit` names it; `Retry-After` and the `RateLimit` header fields say when it resets). */
  '429.1': {
    /** The HTTP status. */
    status: 429,
    /** The problem body's `title`. */
    title: 'Too Many Requests',
    /** The problem body's default `detail`. */
    detail: 'This API key is over its rate limit; try again later.',
  },
  /** An API key has used up one of its usage quotas (`rateLimit` names it) until the quota's period ends. */
  '429.2': {
    /** The HTTP status. */
    status: 429,
    /** The problem body's `title`. */
    title: 'Too Many Requests',
    /** The problem body's default `detail`. */
    detail: 'This API key has used up its quota for the current period.',
  },
  /** An identity provider failed, was unreachable or answered wrongly during sign-in (never the user's own error: a denied consent or a bad state is 401.2). */
  '502.1': {
    /** The HTTP status. */
    status: 502,
    /** The problem body's `title`. */
    title: 'Bad Gateway',
    /** The problem body's default `detail`. */
    detail: 'The identity provider could not be reached or answered wrongly; try again later.',
  },
  /** The store failed or did not answer in time: Gatehouse fails closed. */
  '503.1': {
    /** The HTTP status. */
    status: 503,
    /** The problem body's `title`. */
    title: 'Service Unavailable',
    /** The problem body's default `detail`. */
    detail: 'Authentication is unavailable right now; try again later.',
  },
  /** Too many password checks are queued (`Retry-After` says when to try again). */
  '503.2': {
    /** The HTTP status. */
    status: 503,
    /** The problem body's `title`. */
    title: 'Service Unavailable',
    /** The problem body's default `detail`. */
    detail: 'Too many password checks are in progress; try again shortly.',
  },
} as const satisfies Record<string, ProblemDefinition>;

/** A stable problem code such as `'401.2'`. */
export type ProblemCode = keyof typeof PROBLEMS;

/** Extension members allowed on a problem body (RFC 9457 §3.2). */
export type ProblemExtensions = Record<string, string | number | boolean | null | readonly string[]>;

/** The RFC 9457 body Gatehouse renders before `formatError` sees it. */
export interface ProblemDetails {
  /** Always `'about:blank'`: the `code` tells problems apart. */
  type: string;
  /** The row's title, e.g. `'Unauthorized'`. */
  title: string;
  /** The HTTP status. */
  status: number;
  /** What went wrong, for people; never a credential. */
  detail: string;
  /** The stable problem code to switch on, e.g. `'401.2'`. */
  code: ProblemCode;
  [extension: string]: unknown;
}

/**
 * The one error type Gatehouse raises for an expected failure.
 *
 * @example
 * ```ts
 * try { await auth.tokens.issue({ actorId: 'x', kind: 'nope' as any }); }
 * catch (err) { if (err instanceof GatehouseError && err.code === '400.1') {} }
 * ```
 */
export class GatehouseError extends Error {
  /** The stable problem code, e.g. `'401.2'`. */
  readonly code: ProblemCode;
  /** The HTTP status of the code. */
  readonly status: number;
  /** Extra members of the problem body, e.g. `{ lockoutTimeRemaining: 30 }`. */
  readonly extensions: ProblemExtensions;
  /** Extra response headers, e.g. `{ 'Retry-After': '1' }`. */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * The actor the failure is about, when known (a locked login, an expired password, a
   * refused actor): told to `responses.error`, never rendered by Gatehouse itself.
   */
  declare readonly actor: Actor | null;

  constructor(
    code: ProblemCode,
    options: { detail?: string; extensions?: ProblemExtensions; headers?: Record<string, string>; cause?: unknown; actor?: Actor | null } = {},
  ) {
    super(options.detail ?? PROBLEMS[code].detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatehouseError';
    this.code = code;
    this.status = PROBLEMS[code].status;
    this.extensions = options.extensions ?? {};
    this.headers = options.headers ?? {};
    // Not enumerable: a logged or serialized error does not carry the actor's record.
    Object.defineProperty(this, 'actor', { value: options.actor ?? null, enumerable: false });
  }
}

/** `error` again, now about `actor` (see {@link GatehouseError.actor}). */
export function aboutActor(error: GatehouseError, actor: Actor): GatehouseError {
  return new GatehouseError(error.code, {
    detail: error.message,
    extensions: error.extensions,
    headers: { ...error.headers },
    cause: error.cause,
    actor,
  });
}

/** True for values that are a {@link GatehouseError}, also across copies of the package. */
export function isGatehouseError(value: unknown): value is GatehouseError {
  return value instanceof GatehouseError || (value instanceof Error && value.name === 'GatehouseError' && 'code' in value);
}

/** Builds the RFC 9457 body for an error; the detail is always ours, never a credential. */
export function problemDetails(error: GatehouseError): ProblemDetails {
  const definition = PROBLEMS[error.code];
  return {
    ...error.extensions,
    type: 'about:blank',
    title: definition.title,
    status: definition.status,
    detail: error.message,
    code: error.code,
  };
}
