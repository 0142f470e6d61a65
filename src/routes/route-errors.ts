/**
 * What an error inside the auth endpoints becomes: our own GatehouseErrors as they are,
 * the client's mistakes that Express or body-parser report (bad JSON, an oversized body,
 * a badly escaped path parameter) as 400.1, and anything else as 503.1 — fail closed,
 * never a stack trace.
 */
import type { ErrorRequestHandler, Request, Response } from 'express';
import { GatehouseError, isGatehouseError } from '../errors';
import { routeErrorEvent, type Emit } from '../events';
import { BODY_LIMIT } from './login-body';

function clientErrorStatus(error: unknown): number | null {
  const status = (error as { status?: unknown; statusCode?: unknown } | null)?.status ?? (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : null;
}

/** The problem to answer for an error raised while serving an auth endpoint. */
export function problemForRouteError(error: unknown): GatehouseError {
  if (isGatehouseError(error)) return error;
  const status = clientErrorStatus(error);
  if (status === null) return new GatehouseError('503.1', { cause: error });
  const type = (error as { type?: unknown }).type;
  const detail =
    type === 'entity.too.large'
      ? `The request body is larger than ${BODY_LIMIT}.`
      : typeof type === 'string'
        ? 'The request body could not be read as JSON or a form.'
        : 'The request could not be read.';
  return new GatehouseError('400.1', { detail, cause: error });
}

/** The routers' last error handler; a 503.1 is reported as `store.error`, with its cause. */
export function routeErrorsAsProblems(send: (req: Request, res: Response, error: GatehouseError) => void, emit: Emit = null): ErrorRequestHandler {
  return (error, req, res, next) => {
    // The client has gone (e.g. its password check was dropped from the queue): nobody to answer.
    if (res.destroyed && !res.writableEnded) return;
    if (res.headersSent) return next(error);
    const problem = problemForRouteError(error);
    const event = emit && routeErrorEvent(req, problem);
    if (event) emit(event);
    send(req, res, problem);
  };
}
