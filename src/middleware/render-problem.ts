/**
 * Writes a GatehouseError as the response: RFC 9457 problem+json (or the host's shape via
 * `formatError`), its extra headers, and a `WWW-Authenticate` challenge on every 401.
 */
import type { Request, Response } from 'express';
import { problemDetails, type GatehouseError, type ProblemDetails } from '../errors';

/** What rendering needs from the configuration. */
export interface RenderConfig {
  /** The `realm` of every challenge. */
  realm: string;
  /** Challenge with `Bearer` (opaque tokens or JWT are on). */
  bearerChallenge: boolean;
  /** The `Basic` challenge to send (`basic.challenge: true`), or `null`. */
  basicChallenge: string | null;
  formatError: ((problem: ProblemDetails, req: Request) => unknown) | null;
}

/** Quotes a value for an auth-param (RFC 7235 quoted-string): escape `\` and `"`, drop controls. */
function quoted(value: string): string {
  return `"${value.replace(/[\\"]/g, '\\$&').replace(/[\x00-\x1f\x7f]/g, '')}"`;
}

/** The `WWW-Authenticate` values for a 401; `invalidBearer` adds RFC 6750's `error="invalid_token"`. */
export function challenges(config: RenderConfig, invalidBearer: boolean): string[] {
  const list: string[] = [];
  if (config.bearerChallenge) {
    list.push(`Bearer realm=${quoted(config.realm)}${invalidBearer ? ', error="invalid_token"' : ''}`);
  }
  if (config.basicChallenge) list.push(config.basicChallenge);
  return list;
}

/** Sends the problem; `invalidBearer` marks a refused bearer token. */
export function renderProblem(req: Request, res: Response, error: GatehouseError, config: RenderConfig, invalidBearer = false): void {
  const problem = problemDetails(error);
  const body = config.formatError ? config.formatError(problem, req) : problem;
  res.statusCode = error.status;
  for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
  if (error.status === 401) {
    const values = challenges(config, invalidBearer);
    if (values.length > 0) res.setHeader('WWW-Authenticate', values);
  }
  res.setHeader('Content-Type', config.formatError ? 'application/json; charset=utf-8' : 'application/problem+json; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(JSON.stringify(body));
}
