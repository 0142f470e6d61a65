/**
 * The `responses` option: how Gatehouse's answers look on the wire, for teams whose clients
 * already expect another server's shapes (README, "Shaping responses"). It changes
 * rendering only — never what is checked, counted, issued or refused.
 */
import type { Request } from 'express';
import type { Actor } from './actor';
import type { ProblemDetails } from './errors';
import { fail, knownOptions, type OptionNames } from './config-error';
import type { HostCallback, ReportCallbackError } from './events';

/** The schemes that can carry a `WWW-Authenticate` challenge. */
export type ChallengeScheme = 'bearer' | 'basic';
const CHALLENGE_SCHEMES: readonly ChallengeScheme[] = ['bearer', 'basic'];

/** Gatehouse's own body for a successful `POST /sessions`. */
export interface LoginResponseBody {
  /** The session token; absent for a cookie login. */
  token?: string;
  /** When the session token was issued (ISO 8601); absent for a cookie login. */
  createdAt?: string;
  /** When the session token expires (ISO 8601), `null` when it does not; absent for a cookie login. */
  expiresAt?: string | null;
  /** The CSRF token of a cookie session. */
  csrf?: string;
  /** Failed attempts cleared by this login. */
  previousAccessFailedCount: number;
}

/** Gatehouse's own body for a successful logout. */
export interface LogoutResponseBody {
  /** Always `true`: a logout that fails answers a problem instead. */
  success: true;
}

/** Gatehouse's own body for `POST /jwt/authenticate` and `POST /jwt/refresh`. */
export interface JwtResponseBody {
  /** The signed access token (JWS), sent as `Authorization: Bearer …`. */
  access: string;
  /** The opaque refresh token, for `POST /jwt/refresh`; used once, then replaced. */
  refresh: string;
  /** When the access token expires (ISO 8601). */
  accessExpiresAt: string;
  /** When the refresh token expires (ISO 8601). */
  refreshExpiresAt: string;
}

/** What a success shaper is told besides the body. */
export interface SuccessResponseContext {
  /** The request being answered. */
  req: Request;
  /** The actor who logged in, logged out or was issued the tokens. */
  actor: Actor;
}

/** What `responses.jwt` is told: also which endpoint answers. */
export interface JwtResponseContext extends SuccessResponseContext {
  /** `'authenticate'` for `POST /jwt/authenticate`, `'refresh'` for `POST /jwt/refresh`, `'reauthenticate'` for a JWT's re-authentication (`POST {sessions}/reauthenticate`). */
  endpoint: 'authenticate' | 'refresh' | 'reauthenticate';
}

/** What `responses.error` is told besides the problem. */
export interface ErrorResponseContext {
  /** The request being answered. */
  req: Request;
  /** The problem, as Gatehouse would send it. */
  problem: ProblemDetails;
  /**
   * The actor the failure is about, when known: the actor of a locked login (403.2), of an
   * expired password (403.3), or the authenticated actor refused by `require` (403.1).
   * `null` otherwise (an unknown login or a wrong password tells nothing). Never rendered
   * unless the function puts it in the body.
   */
  actor: Actor | null;
  /**
   * The problem's own headers as Gatehouse would send them, e.g. a locked login's
   * `Retry-After`; a copy. A 401 also gets the `WWW-Authenticate` challenges, unless
   * {@link ErrorResponse.headers} names it.
   */
  headers: Readonly<Record<string, string>>;
}

/** What `responses.error` returns: the body, and optionally the status, the content type and headers. */
export interface ErrorResponse {
  /** The body to send, serialised with `JSON.stringify` (a string is sent as a JSON string). */
  body: unknown;
  /** A status from 400 to 599. Default: the problem's own. */
  status?: number;
  /** Default `'application/json'`; `charset=utf-8` is added. */
  contentType?: string;
  /**
   * Headers of the problem to set (a string) or leave out (`null`), over the problem's own
   * ({@link ErrorResponseContext.headers}) and the `WWW-Authenticate` challenges: ODK
   * Central's plain 401 for a locked login sends no `Retry-After`. It never reaches headers
   * other parts set (a cookie being cleared, `Referrer-Policy`). A name that carries a
   * credential or frames the body (`Set-Cookie`, `Authorization`, `Cookie`,
   * `Proxy-Authorization`, `Content-Type`, `Content-Length`, `Cache-Control`,
   * `Transfer-Encoding`, `Connection`), or a value with a line break, is refused: the plain
   * problem is sent and the failure reported (`callback.error`).
   * Default: none (the problem's own headers).
   * @example { headers: { 'Retry-After': null } }
   */
  headers?: Record<string, string | null>;
}

/** The `responses` option of `gatehouse()`. */
export interface ResponsesOptions {
  /**
   * Reshapes the body of a successful `POST /sessions`. Default: Gatehouse's body as it is.
   * @example { login: (body) => ({ createdAt: body.createdAt, expiresAt: body.expiresAt, token: body.token }) } // ODK Central
   */
  login?: (body: LoginResponseBody, context: SuccessResponseContext) => unknown;
  /**
   * Reshapes the body of a successful logout (`DELETE /sessions/current`, `DELETE /sessions/:token`).
   * @example { logout: () => ({ message: 'Success' }) } // ODK Central
   */
  logout?: (body: LogoutResponseBody, context: SuccessResponseContext) => unknown;
  /**
   * Reshapes the bodies of `POST /jwt/authenticate` and `POST /jwt/refresh`.
   * @example { jwt: (body) => ({ token: body.access, refresh: body.refresh }) }
   */
  jwt?: (body: JwtResponseBody, context: JwtResponseContext) => unknown;
  /**
   * Renders every failure: returns `{ body, status?, contentType?, headers? }`. The full form of the
   * top-level `formatError` (give one or the other). Default: RFC 9457 `application/problem+json`.
   * If it throws, or returns a promise or a body JSON cannot send, the plain problem is sent
   * (same status and code) and the failure reported (`callback.error`); so for every shaper.
   * @example { error: (p) => p.code === '403.2' ? { status: 401, headers: { 'Retry-After': null }, body: { code: 401.2, message: 'Could not authenticate.' } } : { body: { code: Number(p.code), message: p.detail } } }
   */
  error?: (problem: ProblemDetails, context: ErrorResponseContext) => ErrorResponse;
  /**
   * The `WWW-Authenticate` challenges of a 401: `[]` sends none (ODK Central), `['basic']`
   * only Basic (Excel, Power BI). Default: Bearer when a bearer scheme is on, Basic when
   * `basic.challenge` is true.
   * @example { challenges: [] }
   */
  challenges?: ChallengeScheme[];
  /**
   * How a locked login's (403.2) `maxRetriesExceeded` is sent: `'boolean'` (`true`, the
   * default) or `'integer'` (`1`, as SIERA documents it).
   */
  maxRetriesExceeded?: 'boolean' | 'integer';
}

/** `responses` after validation. */
export interface ResolvedResponses {
  login: ResponsesOptions['login'] | null;
  logout: ResponsesOptions['logout'] | null;
  jwt: ResponsesOptions['jwt'] | null;
  error: ((problem: ProblemDetails, context: ErrorResponseContext) => ErrorResponse) | null;
  /** Which option gave `error`, for reports of its failures. */
  errorOption: 'responses.error' | 'formatError';
  /** `null`: the default challenges. */
  challenges: ReadonlySet<ChallengeScheme> | null;
  maxRetriesExceeded: 'boolean' | 'integer';
}

/** The options of `responses`, in the order messages list them; a compile error when it and {@link ResponsesOptions} disagree. */
const OPTION_NAMES: OptionNames<ResponsesOptions> = { login: true, logout: true, jwt: true, error: true, challenges: true, maxRetriesExceeded: true };

/**
 * Validates `responses`; `formatError` (the top-level shorthand) becomes `responses.error`
 * with the JSON content type. Throws a `GatehouseConfigError` naming the option.
 */
export function resolveResponses(
  value: unknown,
  formatError: ((problem: ProblemDetails, req: Request, context: ErrorResponseContext) => unknown) | undefined,
  basicChallenge: boolean | undefined,
): ResolvedResponses {
  if (value !== undefined && (!value || typeof value !== 'object' || Array.isArray(value))) {
    fail('responses', 'responses must be an object such as { login: (body) => body, challenges: [] }.');
  }
  const input = (value ?? {}) as Record<string, unknown>;
  knownOptions(input, OPTION_NAMES, 'responses');
  for (const name of ['login', 'logout', 'jwt'] as const) {
    if (input[name] !== undefined && typeof input[name] !== 'function') fail(`responses.${name}`, `responses.${name} must be a function (body, context) => body.`);
  }
  if (input.error !== undefined && typeof input.error !== 'function') {
    fail('responses.error', 'responses.error must be a function (problem, context) => ({ body, status?, contentType? }).');
  }
  if (input.error !== undefined && formatError !== undefined) fail('responses.error', 'give responses.error or formatError, not both (formatError is its shorthand).', { code: 'GATEHOUSE_CONFLICTING_OPTIONS' });

  let challenges: Set<ChallengeScheme> | null = null;
  if (input.challenges !== undefined) {
    if (!Array.isArray(input.challenges)) fail('responses.challenges', `responses.challenges must be an array of 'bearer' and 'basic', e.g. [] for none.`);
    challenges = new Set();
    for (const scheme of input.challenges) {
      if (!CHALLENGE_SCHEMES.includes(scheme as ChallengeScheme)) {
        fail('responses.challenges', `responses.challenges: unknown scheme ${JSON.stringify(scheme)}; use 'bearer' or 'basic'.`, { code: 'GATEHOUSE_UNKNOWN_OPTION' });
      }
      challenges.add(scheme as ChallengeScheme);
    }
    if (basicChallenge === true && !challenges.has('basic')) {
      fail('responses.challenges', `basic.challenge: true conflicts with responses.challenges, which leaves 'basic' out; set one of them.`, { code: 'GATEHOUSE_CONFLICTING_OPTIONS' });
    }
  }
  const maxRetriesExceeded = input.maxRetriesExceeded ?? 'boolean';
  if (maxRetriesExceeded !== 'boolean' && maxRetriesExceeded !== 'integer') {
    fail('responses.maxRetriesExceeded', `responses.maxRetriesExceeded must be 'boolean' or 'integer' (default 'boolean').`);
  }

  const error =
    (input.error as ResolvedResponses['error'] | undefined) ??
    (formatError ? (problem: ProblemDetails, context: ErrorResponseContext) => ({ body: formatError(problem, context.req, context) }) : null);
  return {
    login: (input.login as ResponsesOptions['login']) ?? null,
    logout: (input.logout as ResponsesOptions['logout']) ?? null,
    jwt: (input.jwt as ResponsesOptions['jwt']) ?? null,
    error,
    errorOption: input.error === undefined && formatError ? 'formatError' : 'responses.error',
    challenges,
    maxRetriesExceeded,
  };
}

/**
 * What a host's shaper returned, checked: a promise (an `async` shaper; its rejection is
 * taken here, so it cannot go unhandled and end the process), or a value JSON cannot send
 * (a `BigInt`, a cycle), throws a `TypeError` saying so.
 */
export function sendable<T>(value: T, callback: HostCallback): T {
  JSON.stringify(notAPromise(value, callback));
  return value;
}

/** `value`, unless it is a promise (see {@link sendable}). */
export function notAPromise<T>(value: T, callback: HostCallback): T {
  if (value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function') {
    (value as unknown as PromiseLike<unknown>).then(undefined, () => undefined);
    throw new TypeError(`${callback} returned a promise; it must return its answer itself.`);
  }
  return value;
}

/**
 * The success shapers (`login`, `logout`, `jwt`), each guarded: one that fails is reported
 * and Gatehouse's own body is sent instead. The credential has been issued (or ended) by
 * then; answering 500 would leave the client without it, or unsure that it ended.
 */
export function guardedResponses(responses: ResolvedResponses, report: ReportCallbackError): ResolvedResponses {
  const guard = <B, C extends SuccessResponseContext>(callback: HostCallback, shape: ((body: B, context: C) => unknown) | null | undefined) =>
    shape
      ? (body: B, context: C): unknown => {
          try {
            return sendable(shape(body, context), callback);
          } catch (error) {
            report(context.req, callback, error, { code: null, actorId: context.actor.id });
            return body;
          }
        }
      : null;
  return {
    ...responses,
    login: guard('responses.login', responses.login),
    logout: guard('responses.logout', responses.logout),
    jwt: guard('responses.jwt', responses.jwt),
  };
}
