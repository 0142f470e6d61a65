/**
 * Writes a GatehouseError as the response: RFC 9457 problem+json (or the host's shape via
 * `formatError`), its extra headers, and a `WWW-Authenticate` challenge on every 401.
 */
import type { Request, Response } from 'express';
import { problemDetails, type GatehouseError } from '../errors';
import type { ResolvedResponses } from '../responses';

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
}

/** A media type such as `application/problem+json`, nothing more (no parameters, no line breaks). */
const MEDIA_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$/;

/** The `WWW-Authenticate` values for a 401; `invalidBearer` adds RFC 6750's `error="invalid_token"`. */
function challenges(config: RenderConfig, invalidBearer: boolean): string[] {
  return config.challenges.map((value) => value(config.realm, invalidBearer));
}

/** Sends the problem; `invalidBearer` marks a refused bearer token. */
export function renderProblem(req: Request, res: Response, error: GatehouseError, config: RenderConfig, invalidBearer = false): void {
  const problem = problemDetails(error);
  if (config.maxRetriesExceeded === 'integer' && problem.maxRetriesExceeded === true) problem.maxRetriesExceeded = 1;
  const shaped = config.formatError ? config.formatError(problem, { req, problem: { ...problem }, actor: error.actor ?? null }) : null;
  const body = shaped ? shaped.body : problem;
  // The host may answer another status (ODK Central's plain 401 for a locked login), but
  // never a success: a refusal stays a refusal.
  const status = shaped && typeof shaped.status === 'number' && Number.isInteger(shaped.status) && shaped.status >= 400 && shaped.status <= 599 ? shaped.status : error.status;
  const contentType = shaped ? (typeof shaped.contentType === 'string' && MEDIA_TYPE.test(shaped.contentType) ? shaped.contentType : 'application/json') : 'application/problem+json';
  res.statusCode = status;
  for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
  if (status === 401) {
    const values = challenges(config, invalidBearer);
    if (values.length > 0) res.setHeader('WWW-Authenticate', values);
  }
  res.setHeader('Content-Type', `${contentType}; charset=utf-8`);
  res.setHeader('Cache-Control', 'no-store');
  res.end(JSON.stringify(body));
}
