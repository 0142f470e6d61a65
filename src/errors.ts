/**
 * Problem codes and their rendering as RFC 9457 `application/problem+json`.
 *
 * Every failure Gatehouse answers is one row of {@link PROBLEMS}; callers switch on the
 * stable `code` string, never on the human-readable text.
 */

import type { Actor } from './actor';

/** One row of the problem table. */
export interface ProblemDefinition {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
}

/** Every problem Gatehouse can answer, keyed by its stable code. */
export const PROBLEMS = {
  '400.1': { status: 400, title: 'Bad Request', detail: 'The request body is malformed.' },
  '400.2': {
    status: 400,
    title: 'Bad Request',
    detail: 'More than one credential was presented; send exactly one.',
  },
  '401.1': { status: 401, title: 'Unauthorized', detail: 'This resource requires authentication.' },
  '401.2': { status: 401, title: 'Unauthorized', detail: 'Could not authenticate with the provided credentials.' },
  '401.3': { status: 401, title: 'Unauthorized', detail: 'This authentication scheme is only accepted over HTTPS.' },
  '401.4': { status: 401, title: 'Unauthorized', detail: 'The token has expired.' },
  '403.1': { status: 403, title: 'Forbidden', detail: 'The authenticated actor is not allowed to do this.' },
  '403.2': {
    status: 403,
    title: 'Forbidden',
    detail: 'This login is locked after repeated failed attempts; try again later.',
  },
  '403.3': { status: 403, title: 'Forbidden', detail: 'The password has expired and must be changed.' },
  '403.4': { status: 403, title: 'Forbidden', detail: 'Cross-origin request refused.' },
  '413.1': { status: 413, title: 'Content Too Large', detail: 'The request body is larger than 16 KB.' },
  '415.1': {
    status: 415,
    title: 'Unsupported Media Type',
    detail: 'The request body must be JSON (application/json) or a form (application/x-www-form-urlencoded).',
  },
  '503.1': {
    status: 503,
    title: 'Service Unavailable',
    detail: 'Authentication is unavailable right now; try again later.',
  },
  '503.2': {
    status: 503,
    title: 'Service Unavailable',
    detail: 'Too many password checks are in progress; try again shortly.',
  },
} as const satisfies Record<string, ProblemDefinition>;

/** A stable problem code such as `'401.2'`. */
export type ProblemCode = keyof typeof PROBLEMS;

/** Extension members allowed on a problem body (RFC 9457 §3.2). */
export type ProblemExtensions = Record<string, string | number | boolean | null>;

/** The RFC 9457 body Gatehouse renders before `formatError` sees it. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
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
  readonly code: ProblemCode;
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
