/**
 * Writes a GatehouseError as the response: RFC 9457 problem+json (or the host's shape via
 * `formatError`), its extra headers, and a `WWW-Authenticate` challenge on every 401.
 */
import type { Request, Response } from 'express';
import { problemDetails, type GatehouseError, type ProblemDetails } from '../errors';
import type { ReportCallbackError } from '../events';
import { notAPromise, sendable, type ErrorResponse, type ResolvedResponses } from '../responses';

/** What rendering needs from the configuration. */
export interface RenderConfig {
  /** The `realm` of every challenge. */
  realm: string;
  /**
   * The `WWW-Authenticate` challenges of a 401, in order: the schemes' that are on, as
   * `responses.challenges` (or each scheme's default) chooses.
   */
  challenges: ReadonlyArray<(realm: string, invalidToken: boolean) => string>;
  /** `responses.error` (or `formatError` as it), or `null` for RFC 9457 as it is. */
  formatError: ResolvedResponses['error'];
  /** `responses.maxRetriesExceeded`. Default `'boolean'`. */
  maxRetriesExceeded?: ResolvedResponses['maxRetriesExceeded'];
  /** Which option gave `formatError`, for reports. Default `'responses.error'`. */
  formatErrorOption?: ResolvedResponses['errorOption'];
  /** Where a failing `formatError` is reported. Default: nowhere (the plain problem is still sent). */
  reportCallbackError?: ReportCallbackError;
}

/**
 * Headers `responses.error` may not set: they carry a credential, or frame or cache the body
 * (which Gatehouse sets itself). Lower case.
 */
const RESERVED_HEADERS: ReadonlySet<string> = new Set([
  'set-cookie', 'cookie', 'authorization', 'proxy-authorization', 'content-type', 'content-length', 'cache-control', 'transfer-encoding', 'connection',
]);
/** An RFC 9110 field name (a token). */
const FIELD_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** A field value without line breaks or NUL: what `setHeader` accepts, and nothing that splits the response. */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** A media type such as `application/problem+json`, nothing more (no parameters, no line breaks). */
const MEDIA_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$/;

/** The `WWW-Authenticate` values for a 401; `invalidBearer` adds RFC 6750's `error="invalid_token"`. */
function challenges(config: RenderConfig, invalidBearer: boolean): string[] {
  return config.challenges.map((value) => value(config.realm, invalidBearer));
}

/** What is sent: the status, the content type, the serialised body, and the problem's headers (`null`: left out). */
interface Answer {
  status: number;
  contentType: string;
  body: string;
  /** By lower-case name: the name as written, and the value (`null`: not sent). */
  headers: Map<string, [name: string, value: string | null]>;
}

function problemHeaders(error: GatehouseError): Answer['headers'] {
  return new Map(Object.entries(error.headers).map(([name, value]) => [name.toLowerCase(), [name, value]]));
}

/** The host's shape of the problem, checked; throws (a `TypeError` saying why) when it cannot be sent. */
function shapedAnswer(shaped: ErrorResponse | null | undefined, error: GatehouseError, problem: ProblemDetails, callback: ResolvedResponses['errorOption']): Answer {
  if (shaped === null || shaped === undefined) return plainAnswer(error, problem);
  if (typeof shaped !== 'object') throw new TypeError(`${callback} must return { body, status?, contentType?, headers? }.`);
  // The host may answer another status (ODK Central's plain 401 for a locked login), but
  // never a success: a refusal stays a refusal.
  const status = typeof shaped.status === 'number' && Number.isInteger(shaped.status) && shaped.status >= 400 && shaped.status <= 599 ? shaped.status : error.status;
  const contentType = typeof shaped.contentType === 'string' && MEDIA_TYPE.test(shaped.contentType) ? shaped.contentType : 'application/json';
  const headers = problemHeaders(error);
  if (shaped.headers !== undefined) {
    if (!shaped.headers || typeof shaped.headers !== 'object' || Array.isArray(shaped.headers)) throw new TypeError(`${callback}: headers must be an object of names to strings or null.`);
    for (const [name, value] of Object.entries(shaped.headers)) {
      const lower = name.toLowerCase();
      if (!FIELD_NAME.test(name) || RESERVED_HEADERS.has(lower)) throw new TypeError(`${callback}: the header ${JSON.stringify(name)} cannot be set by a problem's shaper.`);
      if (value !== null && (typeof value !== 'string' || !FIELD_VALUE.test(value))) throw new TypeError(`${callback}: the value of ${name} must be a string without line breaks, or null to leave it out.`);
      headers.set(lower, [name, value]);
    }
  }
  const body = JSON.stringify(sendable(shaped.body, callback));
  return { status, contentType, body: body ?? '', headers };
}

function plainAnswer(error: GatehouseError, problem: ProblemDetails): Answer {
  return { status: error.status, contentType: 'application/problem+json', body: JSON.stringify(problem), headers: problemHeaders(error) };
}

/**
 * Sends the problem; `invalidBearer` marks a refused bearer token. A `formatError` that
 * throws, or answers what cannot be sent, is reported, and the plain problem goes out in
 * its place: a host's bug must never answer 500 or, on the asynchronous path, end the
 * process with an unhandled rejection.
 */
export function renderProblem(req: Request, res: Response, error: GatehouseError, config: RenderConfig, invalidBearer = false): void {
  const problem = problemDetails(error);
  if (config.maxRetriesExceeded === 'integer' && problem.maxRetriesExceeded === true) problem.maxRetriesExceeded = 1;
  let answer: Answer;
  if (config.formatError) {
    const callback = config.formatErrorOption ?? 'responses.error';
    try {
      const shaped = notAPromise(config.formatError(problem, { req, problem: { ...problem }, actor: error.actor ?? null, headers: { ...error.headers } }), callback);
      answer = shapedAnswer(shaped, error, problem, callback);
    } catch (failure) {
      config.reportCallbackError?.(req, callback, failure, { code: error.code, actorId: null });
      answer = plainAnswer(error, problem);
    }
  } else {
    answer = plainAnswer(error, problem);
  }
  res.statusCode = answer.status;
  for (const [name, value] of answer.headers.values()) if (value !== null) res.setHeader(name, value);
  if (answer.status === 401 && !answer.headers.has('www-authenticate')) {
    const values = challenges(config, invalidBearer);
    if (values.length > 0) res.setHeader('WWW-Authenticate', values);
  }
  res.setHeader('Content-Type', `${answer.contentType}; charset=utf-8`);
  res.setHeader('Cache-Control', 'no-store');
  res.end(answer.body);
}
